"""gradtutor: learn backpropagation by watching it, gate by gate."""

from gradtutor.engine import Value, maximum, minimum

__version__ = "0.1.0"
__all__ = ["Value", "maximum", "minimum", "trace"]


def trace(root, upstream=1.0, **options):
    """Trace backpropagation from `root`; see `gradtutor.tracer.trace`."""
    from gradtutor.tracer import trace as _trace

    return _trace(root, upstream, **options)
