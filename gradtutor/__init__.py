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
    """Trace backpropagation from `root`; see `gradtutor.tracer.trace`. The trace displays itself
    in a notebook and draws itself: `trace(f).draw(step=2, lang="ko")` (render/notebook.py)."""
    from gradtutor.render.notebook import shown
    from gradtutor.tracer import trace as _trace

    return shown(_trace(root, upstream, **options))


def _graph_html(root):
    """A Value's or a Tensor's picture in a notebook: the trace of the graph behind it."""
    from gradtutor.render.notebook import graph_html

    return graph_html(root)


def _show_in_notebooks() -> None:
    """In a running IPython (a Jupyter kernel), Values and Tensors display the traced graph behind
    them. The formatters are registered by the classes' names, so the engine never imports the
    renderers and nothing is imported until a notebook first shows one."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    html = shell.display_formatter.formatters["text/html"]
    for module, name in (("gradtutor.engine", "Value"), ("gradtutor.tensor", "Tensor")):
        html.for_type_by_name(module, name, _graph_html)


_show_in_notebooks()
