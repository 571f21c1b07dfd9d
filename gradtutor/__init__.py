"""gradtutor: learn backpropagation by watching it, gate by gate."""

__version__ = "0.1.0"
__all__ = ["Tensor", "Value", "maximum", "minimum", "trace"]

# Names are imported on first use: `import gradtutor` (which every `gradtutor` command does,
# `--help` included) stays cheap, and never imports numpy until a Tensor is asked for.
_LAZY = {
    "Value": "gradtutor.engine",
    "maximum": "gradtutor.engine",
    "minimum": "gradtutor.engine",
    "Tensor": "gradtutor.tensor",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gradtutor' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))


def trace(root, upstream=1.0, **options):
    """Trace backpropagation from `root`; see `gradtutor.tracer.trace`."""
    from gradtutor.tracer import trace as _trace

    return _trace(root, upstream, **options)
