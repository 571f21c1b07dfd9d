"""Renderers: a trace in, an object out; the caller decides where it goes.

- `term`   rich tables of the backward steps, the forward pass, a summary, the numeric check
- `dot`    Graphviz DOT text in the textbook style, and one frame per backward step
- `export` SVG, PNG and PDF through pygraphviz's bundled engine; DOT files without it
- `json`   the versioned trace schema (see SCHEMA.md)
- `player` the HTML step player: every frame beside its row of the trace, in one page
- `notebook` what Jupyter shows for a trace, a Value and a Tensor; `draw`, `table`, `player`
- `worksheet` which numbers a worksheet leaves blank;  `tables` Markdown and LaTeX tables
- `fmt`    the text every renderer shares: values, gate symbols, local gradients
- `theme`  the diagram colour themes

Nothing is imported here, so importing one renderer never pulls in another's dependencies.
"""
