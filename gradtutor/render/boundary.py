"""A 2-D classifier's decision boundary, drawn in the terminal.

`terminal_boundary` turns a grid of predicted classes (gradtutor.train.boundary.predict_grid)
and the data points into a rich Text: every cell shows its predicted class as a shade (and a
colour where the terminal has colours), every data point sits on its cell as its true class's
mark, so a point on the wrong side of the boundary stands out. `decision_boundary` puts the
legend, in English or Korean, above it. Nothing here prints.
"""

from __future__ import annotations

from gradtutor.render.fmt import words

# Per class: the background character, the point mark, the colour.
REGIONS = (" ", "·", ":", "-", "'")
MARKS = ("o", "x", "+", "*", "#")
COLOURS = ("blue", "red", "green", "magenta", "yellow")


def terminal_boundary(grid, points=(), labels=()):
    """A rich Text: the grid's regions, with each data point's true class marked on its cell."""
    from rich.text import Text

    marks = {}
    for point, label in zip(points, labels):
        marks[grid.cell(point)] = int(label)  # several points in one cell: the last one shows
    text = Text()
    for r, row in enumerate(grid.rows):
        for c, predicted in enumerate(row):
            background = f"on {COLOURS[predicted % len(COLOURS)]}"
            if (r, c) in marks:
                label = marks[(r, c)]
                text.append(MARKS[label % len(MARKS)], style=f"bold bright_white {background}")
            else:
                text.append(REGIONS[predicted % len(REGIONS)], style=f"dim {background}")
        if r < len(grid.rows) - 1:
            text.append("\n")
    return text


def decision_boundary(grid, points, labels, lang: str = "en"):
    """The legend (which shade and which mark stand for which class), then the map."""
    from rich.console import Group
    from rich.text import Text

    classes = sorted({c for row in grid.rows for c in row} | {int(v) for v in labels})

    def name(c):
        return words(lang, "train_class", number=c)

    def region(c):
        return REGIONS[c % len(REGIONS)].strip() or words(lang, "train_blank")

    regions = ", ".join(f"{region(c)} {name(c)}" for c in classes)
    marks = ", ".join(f"{MARKS[c % len(MARKS)]} {name(c)}" for c in classes)
    legend = Text(words(lang, "train_boundary", regions=regions, marks=marks))
    return Group(legend, terminal_boundary(grid, points, labels))
