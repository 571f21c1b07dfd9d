"""Moved to gradtutor.render.curves. This alias stays only while the lessons' training view
(gradtutor.tutor.training) imports `plots.sparkline` from here; delete it, and its entry in
tests/test_architecture.py SHIMS, once that view draws through gradtutor.render.training."""

from gradtutor.render.curves import sparkline  # noqa: F401
