"""gradtutor: learn backpropagation by watching it, gate by gate."""

from gradtutor.engine import Value, maximum, minimum

__version__ = "0.1.0"
__all__ = ["Tensor", "Value", "maximum", "minimum", "trace"]


def __getattr__(name):
    # Tensor is imported on first use, so `import gradtutor` does not import numpy.
    if name == "Tensor":
        from gradtutor.tensor import Tensor

        return Tensor
    raise AttributeError(f"module 'gradtutor' has no attribute {name!r}")


def trace(root, upstream=1.0, **options):
    """Trace backpropagation from `root`; see `gradtutor.tracer.trace`."""
    from gradtutor.tracer import trace as _trace

    return _trace(root, upstream, **options)
