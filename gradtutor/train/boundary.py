"""A 2-D classifier's decision boundary: the class a trained model predicts over a grid.

`predict_grid` asks a trained model which class it gives each cell of a grid laid over the data
(one forward pass over all cells, in eval mode). gradtutor.render.boundary draws the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradtutor import backend


@dataclass(frozen=True)
class Grid:
    """Predicted classes over a grid: rows[r][c] for row r (top = largest x₂) and column c."""

    rows: tuple[tuple[int, ...], ...]
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def cell(self, point) -> tuple[int, int]:
        """(row, column) of the cell holding a point."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        height, width = len(self.rows), len(self.rows[0])
        column = min(width - 1, max(0, int((point[0] - x0) / (x1 - x0) * width)))
        row = min(height - 1, max(0, int((y1 - point[1]) / (y1 - y0) * height)))
        return row, column


def predict_grid(model, points, columns: int = 48, rows: int = 20, margin: float = 0.15) -> Grid:
    """The class `model` predicts at the centre of each cell of a columns × rows grid covering
    the host array `points` (N, 2) with `margin` (a fraction of the span) on every side."""
    host = backend.host
    points = host.asarray(points, dtype=host.float64)
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = host.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - margin * span, hi + margin * span
    xs = lo[0] + (host.arange(columns) + 0.5) * (hi[0] - lo[0]) / columns  # (columns,)
    ys = hi[1] - (host.arange(rows) + 0.5) * (hi[1] - lo[1]) / rows  # (rows,), top row first
    cells = host.stack(host.meshgrid(xs, ys), axis=-1).reshape(-1, 2)  # (rows·columns, 2)
    was_training = model.training
    model.eval()
    try:
        logits = model(backend.to_device(cells.astype(host.float32))).data  # (rows·columns, classes)
    finally:
        model.train(was_training)
    classes = backend.to_host(logits.argmax(axis=-1)).reshape(rows, columns)
    return Grid(
        tuple(tuple(int(c) for c in row) for row in classes),
        (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1])),
    )
