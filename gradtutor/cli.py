"""The `gradtutor` command: thin typer commands over the library.

Each command is one function that calls library code tests can call too, and imports what it
needs inside its body: `gradtutor --help` must start fast and import neither numpy, networkx nor
pygraphviz (benchmarks/startup.py measures it). Adding a command is adding one such function.

Bad input never shows a traceback: the project's own exceptions (gradtutor.errors.UserError)
and typer's usage errors are reported as one line, `error: …`, on stderr with exit code 2.
Anything else is a bug and keeps Python's traceback.
"""

import contextlib
import enum
import math
import sys
import warnings
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from gradtutor import __version__, names
from gradtutor.errors import UserError
from gradtutor.render.choices import COLORS, CONSTANTS, DPI_RANGE, LAYOUTS, THEMES
from gradtutor.render.choices import FORMATS as EXPORT_FORMATS

USAGE_ERROR = 2  # exit code for anything wrong with what the user typed

# typer re-exports click's BadParameter; its bases are click's own exception classes, wherever
# click lives (a separate package, or vendored inside typer).
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _say(kind: str, message) -> None:
    """One line on stderr, `kind: message`, whatever line breaks the message had."""
    typer.echo(f"{kind}: {' '.join(str(message).split())}", err=True)


def _say_error(message: str) -> None:
    _say("error", message)


def _say_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings (Graphviz's remarks on a drawing, say) as one line, not Python's file:line form."""
    _say("warning", message)


class _Commands(TyperGroup):
    """The command group, reporting bad input of every sub-command in one line."""

    # Plain option values are read without pydantic (cli_values.py): start-up, benchmarks/startup.py.
    def parse_args(self, ctx, args):
        from gradtutor.cli_values import install

        install(self, ctx)
        return super().parse_args(ctx, args)

    def get_command(self, ctx, cmd_name):
        from gradtutor.cli_values import install

        command = super().get_command(ctx, cmd_name)
        install(command, ctx)
        return command

    def invoke(self, ctx):
        with warnings.catch_warnings():
            warnings.showwarning = _say_warning
            try:
                return super().invoke(ctx)
            except _ClickException as error:  # a bad option or argument, found by typer
                _say_click_error(error)
                raise typer.Exit(error.exit_code) from None
            except UserError as error:
                _say_error(str(error))
                raise typer.Exit(USAGE_ERROR) from None


def _say_click_error(error) -> None:
    if type(error).__name__ == "NoArgsIsHelpError":  # a bare `gradtutor`: the help is the answer
        error.show()
        return
    context = getattr(error, "ctx", None)
    hint = f" (see '{context.command_path} --help')" if context is not None else ""
    if _reads_as_expression(error, context):
        hint = (f"; an expression that starts with a minus goes after --, as in "
                f"{context.command_path} --at x=1 -- \"-x*2\", or give it a leading space: \" -x*2\"")
    # typer validates through pydantic, whose messages start "Value error, "; the rest says it all.
    _say_error(error.format_message().replace("Value error, ", "") + hint)


def _reads_as_expression(error, context) -> bool:
    """Whether an unknown option is an expression that starts with a minus ("-x*y"): click takes
    any argument beginning with "-" for an option, and only commands that trace one take it."""
    option = getattr(error, "option_name", None) or ""
    takes_expression = context is not None and any(
        getattr(param, "metavar", None) == "EXAMPLE_OR_EXPR" for param in context.command.params
    )
    return type(error).__name__ == "NoSuchOption" and takes_expression and not option.startswith("--")


app = typer.Typer(
    cls=_Commands,
    name="gradtutor",
    no_args_is_help=True,
    # Plain help text: rich's help panels cost about 50 ms at every start (benchmarks/startup.py).
    rich_markup_mode=None,
    # A bug shows Python's own traceback, which is what a bug report needs.
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"gradtutor {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Learn backpropagation by watching it: every gate traced, upstream × local = downstream."""


# -- choices ---------------------------------------------------------------------------------


class TraceFormat(str, enum.Enum):
    table = "table"
    json = "json"
    dot = "dot"
    markdown = "markdown"
    latex = "latex"


ExportFormat = enum.Enum("ExportFormat", {name: name for name in EXPORT_FORMATS}, type=str)
ThemeName = enum.Enum("ThemeName", {name: name for name in THEMES}, type=str)
ColorPreset = enum.Enum("ColorPreset", {name: name for name in COLORS}, type=str)
LayoutName = enum.Enum("LayoutName", {name: name for name in LAYOUTS}, type=str)
ConstantsStyle = enum.Enum("ConstantsStyle", {name: name for name in CONSTANTS}, type=str)


class Language(str, enum.Enum):
    en = "en"
    ko = "ko"


# -- shared options --------------------------------------------------------------------------

Target = Annotated[
    str,
    typer.Argument(
        metavar="EXAMPLE_OR_EXPR",
        help='A built-in example (see `gradtutor examples`) or an expression such as "(x + y) * z".',
        show_default=False,
    ),
]
At = Annotated[
    Optional[list[str]],
    typer.Option(
        "--at",
        metavar="NAME=NUMBER,...",
        help='Values of the expression\'s variables, e.g. --at x=-2,y=5,z=-4, or vectors and matrices: --at "x=[1,2]" --at "W=[[1,2,3],[4,5,6]]" (may be repeated).',
        show_default=False,
    ),
]


def _finite(value: Optional[float]) -> Optional[float]:
    """A float option must be a number: nan or inf would only fill every table with nan."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"must be a finite number, got {value}")
    return value


def _dots_per_inch(value: Optional[int]) -> Optional[int]:
    """A PNG's resolution: beyond the range, the image takes minutes and gigabytes to draw."""
    low, high = DPI_RANGE
    if value is not None and not low <= value <= high:
        raise typer.BadParameter(f"must be from {low} to {high} dots per inch, got {value}")
    return value


Upstream = Annotated[
    Optional[float],
    typer.Option(
        help="The gradient fed into the output (default: the example's own, else 1).", show_default=False, callback=_finite
    ),
]
Step = Annotated[
    Optional[int],
    typer.Option(help="Show backward steps 1..K with step K highlighted (0: forward pass only).", show_default=False),
]
Digits = Annotated[
    Optional[int],
    typer.Option(
        "--digits", min=1, max=17,
        help="Decimal places of every number shown, 2 as in CS231n's figures (default: up to 6 significant digits).",
        show_default=False, callback=lambda n: None if n is None else _places(n),
    ),
]


def _places(n: int):
    from gradtutor.numbers import Places

    return Places(n)
Lang = Annotated[
    Optional[Language],
    typer.Option("--lang", help="Language (default: from the locale, LANG=ko_KR… gives ko).", show_default=False),
]


def _lang(lang: Optional[Language]) -> Optional[str]:
    return lang.value if lang is not None else None


def _lang_or_locale(lang: Optional[Language]) -> str:
    from gradtutor.lang import default_language

    return lang.value if lang is not None else default_language()


def _refuse(message: str):
    """Stop with a one-line error about how the options were combined."""
    _say_error(message)
    raise typer.Exit(USAGE_ERROR)


def _print(renderable) -> None:
    """Print a rich renderable. In a pipe or a file, rich writes no colour codes (and honours
    NO_COLOR anywhere); lines there are as wide as the table needs, because wrapping rows at
    an assumed 80 columns would break what scripts and diffs read.

    Plain screens (render/plain.py) are written here as rich would write them, without importing
    rich: in a pipe or a file as plain text, on a terminal they fit in bold and italic (start-up,
    benchmarks/startup.py)."""
    lines = None
    if isinstance(renderable, str) or hasattr(renderable, "plain_lines"):
        from gradtutor.render.plain import plain_lines, styled_lines, terminal_width, writes_plain

        if writes_plain(sys.stdout):
            lines = plain_lines(renderable)
        elif (width := terminal_width(sys.stdout)) is not None:
            lines = styled_lines(renderable, width)
    if lines is not None:
        sys.stdout.write("".join(line + "\n" for line in lines))
    else:
        _print_with_rich(renderable)


def _print_with_rich(renderable) -> None:
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        natural = console.measure(renderable, options=console.options.update_width(10_000)).maximum
        console = Console(width=max(console.width, natural))
    console.print(renderable)


# -- commands --------------------------------------------------------------------------------


# short_help: the command list in `gradtutor --help` cuts a longer first line with "...".
@app.command(short_help="Trace backprop gate by gate: upstream × local = downstream.")
def trace(
    target: Target,
    at: At = None,
    format: Annotated[TraceFormat, typer.Option("--format", "-f", help="How to show the trace.")] = TraceFormat.table,
    step: Step = None,
    check: Annotated[bool, typer.Option("--check", help="Compare each gradient with central differences.")] = False,
    exact: Annotated[
        bool, typer.Option("--exact", help="Rational arithmetic (graphs of + − × ÷ and integer powers only).")
    ] = False,
    upstream: Upstream = None,
    lang: Lang = None,
    digits: Digits = None,
) -> None:
    """Trace backpropagation gate by gate: upstream × local = downstream."""
    from gradtutor.targets import traced

    result, _ = traced(target, at, upstream=upstream, exact=exact, check=check)
    lang = _lang_or_locale(lang)
    if digits is not None and format is TraceFormat.json:
        _refuse("--digits rounds what people read; JSON keeps every digit")
    if format in (TraceFormat.markdown, TraceFormat.latex):
        from gradtutor.render import tables

        if check:
            _refuse(f"--check compares gradients in the table view and in JSON; {format.value} writes the backward steps")

        write = tables.markdown if format is TraceFormat.markdown else tables.latex
        typer.echo(write(result, step=step, digits=digits, lang=lang), nl=False)
    elif format is TraceFormat.json:
        from gradtutor.render.json import dumps

        if step is not None:
            _refuse("--step applies to table and dot output; JSON holds every step")
        typer.echo(dumps(result))
    elif format is TraceFormat.dot:
        from gradtutor.render.dot import to_dot

        typer.echo(to_dot(result, step=step, lang=lang, **({} if digits is None else {"digits": digits})), nl=False)
    else:
        from gradtutor.render.term import trace_screen

        _print(trace_screen(result, step=step, lang=lang, digits=digits))


@app.command(short_help="Draw the graph as SVG, PNG, PDF, DOT or an HTML step player; --frames for slides.")
def export(
    target: Target,
    format: Annotated[
        Optional[ExportFormat],
        typer.Option("--format", "-f", help="File format (default: from the --out file's ending, else svg).", show_default=False),
    ] = None,
    out: Annotated[
        Optional[Path],
        typer.Option(
            "--out", "-o", help="Where to write (default: <example>.<format>, or trace.<format> for an expression).",
            show_default=False,
        ),
    ] = None,
    frames: Annotated[
        bool, typer.Option("--frames", help="Slide frames: the forward pass, then one file per backward step (out-00, out-01, ...).")
    ] = False,
    theme: Annotated[ThemeName, typer.Option(help="Diagram colours.")] = ThemeName.light,
    dpi: Annotated[
        Optional[int],
        typer.Option(help="Resolution of PNG output.", show_default=False, callback=_dots_per_inch),
    ] = None,
    at: At = None,
    step: Annotated[
        Optional[int],
        typer.Option(help="Draw frame K alone: backward step K highlighted (0: the forward pass).", show_default=False),
    ] = None,
    upstream: Upstream = None,
    lang: Lang = None,
    names: Annotated[bool, typer.Option("--names/--no-names", help="Write intermediate values' names on their wires.")] = True,
    constants: Annotated[
        ConstantsStyle, typer.Option(help="Draw a constant as an input of its own, or inside its gate (+1, ×−1, 1/x).")
    ] = ConstantsStyle.leaf,
    copies: Annotated[bool, typer.Option("--copies", help="Draw an input used by several gates once per use.")] = False,
    collapse: Annotated[
        Optional[list[str]],
        typer.Option(metavar="NAME", help="Draw the named value as one box, hiding the gates that make it (may be repeated).", show_default=False),
    ] = None,
    color: Annotated[ColorPreset, typer.Option(help="Colours of values and gradients (cs231n: green and red).")] = ColorPreset.default,
    transparent: Annotated[bool, typer.Option("--transparent", help="No background colour.")] = False,
    layout: Annotated[LayoutName, typer.Option(help="lr: left to right; tb: top to bottom.")] = LayoutName.lr,
    canvas: Annotated[
        Optional[str],
        typer.Option(metavar="WxH", help="A fixed page in inches, e.g. 10x5.625: every diagram centred on it, shrunk if too big.", show_default=False),
    ] = None,
    digits: Digits = None,
    exact: Annotated[
        bool, typer.Option("--exact", help="Rational arithmetic (graphs of + − × ÷ and integer powers only).")
    ] = False,
    blank: Annotated[
        Optional[str],
        typer.Option(
            "--blank", metavar="grads|values|NAMES",
            help="A worksheet: leave these numbers as boxes to fill in (gradients, computed values, or named "
            "nodes, comma-separated); the answer sheet is written too.", show_default=False,
        ),
    ] = None,
    answers_sheet: Annotated[
        Optional[Path],
        typer.Option("--answers-sheet", help="Where the worksheet's answers go (default: <out>-answers).", show_default=False),
    ] = None,
) -> None:
    """Draw the graph with values and gradients as SVG, PNG, PDF, DOT (Graphviz included) or an
    HTML page that steps through it; --frames --format pdf makes one handout, a page per frame."""
    from gradtutor.render import export as exporting
    from gradtutor import examples
    from gradtutor.render.style import DiagramStyle, parse_canvas
    from gradtutor.targets import traced

    style = DiagramStyle(
        names=names, constants=constants.value, copies=copies, collapse=tuple(collapse or ()), color=color.value,
        transparent=transparent, layout=layout.value, canvas=parse_canvas(canvas) if canvas is not None else None,
    )
    result, name = traced(target, at, upstream=upstream, exact=exact)
    if name in examples.EXAMPLES:  # a built-in example's values, named as its language's textbook does
        examples.localised(result, _lang_or_locale(lang))
    fmt = format.value if format is not None else None
    out = out if out is not None else Path(f"{name}.{fmt or 'svg'}")
    if step is not None and frames:
        _refuse("--step picks one frame and --frames writes them all: give one of the two")
    written = exporting.export(
        result, fmt, out, frames=frames, step=step, theme=theme.value, dpi=dpi, lang=_lang_or_locale(lang), style=style,
        digits=digits, blank=blank, answers=answers_sheet,
    )
    for path in written:
        typer.echo(str(path))


class JacobianFormat(str, enum.Enum):
    table = "table"
    json = "json"


@app.command()
def jacobian(
    op: Annotated[str, typer.Argument(metavar="OP", help="A tensor op: softmax, matmul, sigmoid, mul, sum …", show_default=False)],
    at: Annotated[
        Optional[list[str]],
        typer.Option(
            "--at", metavar="NAME=VALUE,...",
            help='The op\'s inputs by name, e.g. --at "x=[1,2,3]" or --at "X=[1,2]" --at "W=[[1,2,3],[4,5,6]]" '
                 '(conv2d and max_pool2d have a tiny case of their own).',
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        Optional[str], typer.Option(help="The op's parameter: pow's exponent, an axis, alpha …", show_default=False)
    ] = None,
    upstream: Annotated[
        Optional[str],
        typer.Option(help='dL/d(output), a number or a list such as "[1,0,0]" (default: all ones).', show_default=False),
    ] = None,
    format: Annotated[JacobianFormat, typer.Option("--format", "-f", help="How to show it.")] = JacobianFormat.table,
    lang: Lang = None,
) -> None:
    """Show one gate's local Jacobian at the given inputs, with upstream · J and the engine's rule."""
    from gradtutor.expr import gate, parse_upstream
    from gradtutor.tracer import trace as trace_graph

    result = trace_graph(gate(op, at, param), parse_upstream(upstream))
    if format is JacobianFormat.json:
        from gradtutor.render.json import dumps

        typer.echo(dumps(result))
    else:
        from gradtutor.render.jacobian import jacobian_view

        _print(jacobian_view(result.steps[0], result.nodes, lang=_lang_or_locale(lang)))


@app.command()
def examples(lang: Lang = None) -> None:
    """List the built-in examples, one line each."""
    from gradtutor.render.term import examples_table

    _print(examples_table(_lang_or_locale(lang)))


class OpsFormat(str, enum.Enum):
    text = "text"
    json = "json"


@app.command("ops", short_help="Every op's symbol, formula and gate pattern, or one op in full.")
def ops_card(
    name: Annotated[
        Optional[str], typer.Argument(metavar="NAME", help="One op in full (default: a table of every op).", show_default=False)
    ] = None,
    lang: Lang = None,
    format: Annotated[OpsFormat, typer.Option("--format", "-f", help="How to show it.")] = OpsFormat.text,
) -> None:
    """The op reference card: every gate's symbol, formula and pattern, or one gate in full."""
    from gradtutor import ops
    from gradtutor.render import card

    chosen = [ops.lookup(name)] if name is not None else list(ops.OPS.values())
    if format is OpsFormat.json:
        typer.echo(card.dumps(chosen))
    elif name is not None:
        _print(card.op_card(chosen[0], _lang_or_locale(lang)))
    else:
        _print(card.ops_table(chosen, _lang_or_locale(lang)))


# -- the tutor -------------------------------------------------------------------------------


class ProgressExport(str, enum.Enum):
    json = "json"


Home = Annotated[
    Optional[Path],
    typer.Option(
        "--home",
        help="Folder of the progress file (default: $GRADTUTOR_HOME, else $XDG_STATE_HOME/gradtutor).",
        show_default=False,
    ),
]
LessonName = Annotated[str, typer.Argument(metavar="LESSON", help="A lesson id, e.g. backprop (see `gradtutor lessons`).")]
LessonOrPath = Annotated[
    str,
    typer.Argument(metavar="LESSON", help="A lesson id, e.g. backprop (see `gradtutor lessons`), or a lesson's folder, e.g. ./draft."),
]


@app.command()
def lesson(
    name: LessonOrPath,
    lang: Lang = None,
    answers: Annotated[
        Optional[Path],
        typer.Option("--answers", help="Answers keyed by step id (TOML); runs without a terminal.", show_default=False),
    ] = None,
    home: Home = None,
    step: Annotated[
        Optional[str], typer.Option("--step", metavar="ID", help="Start at this step (its id, as the end of a lesson lists them).", show_default=False)
    ] = None,
    only_open: Annotated[bool, typer.Option("--open", help="Go through only the quizzes not passed yet.")] = False,
) -> None:
    """Take a lesson: explanations, traced examples, quizzes checked on the spot.

    Resumes where you left off. Without a terminal (piped input, or --answers) it runs
    non-interactively; the exit code is 0 when every quiz is passed, 1 when not.
    """
    from gradtutor.tutor.commands import run_lesson

    raise typer.Exit(run_lesson(name, _lang(lang), answers, home, step=step, only_open=only_open))


@app.command(short_help="Save a lesson step's picture (histograms, curves, paths) as SVG or PNG.")
def figure(
    name: LessonOrPath,
    step: Annotated[Optional[str], typer.Argument(metavar="[STEP]", help="The step whose picture to save (none: list the steps that draw one).",
                                                  show_default=False)] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="The file to write: .svg or .png.",
                                                show_default=False)] = None,
    lang: Lang = None,
) -> None:
    """Compute a lesson step's experiment as the lesson does and save the picture it shows.

    Without STEP: list the lesson's steps that draw a picture."""
    from gradtutor.tutor import figures

    if step is None:
        if out is not None:
            _refuse(f"name the STEP whose picture to save in {out} (`gradtutor figure {name}` lists them)")
        _print(figures.steps_table(name, _lang(lang)))
        return
    _print(f"saved {figures.save_figure(name, step, out, _lang(lang))}")


@app.command("lessons")
def list_lessons(lang: Lang = None, home: Home = None) -> None:
    """List the lessons with your progress in each."""
    from gradtutor.tutor.listing import lessons_table

    _print(lessons_table(_lang(lang), home))


@app.command()
def progress(
    lang: Lang = None,
    home: Home = None,
    export: Annotated[
        Optional[ProgressExport], typer.Option("--export", help="Print everything as JSON, to move to another machine.", show_default=False)
    ] = None,
    import_file: Annotated[
        Optional[Path], typer.Option("--import", help="Load a JSON export (replaces those lessons here).", show_default=False)
    ] = None,
) -> None:
    """Show scores, attempts and hints used per quiz."""
    from gradtutor.tutor import listing

    if export is not None and import_file is not None:
        _refuse("--export and --import go in separate runs")
    if export is None and import_file is None:
        _print(listing.progress_report(_lang(lang), home))
        return
    from gradtutor.tutor import commands

    if export is not None:
        typer.echo(commands.export_progress(home))
    else:
        for name in commands.import_progress(import_file, home):
            typer.echo(name)


@app.command()
def reset(name: LessonName, lang: Lang = None, home: Home = None) -> None:
    """Forget your progress in one lesson."""
    from gradtutor.tutor.commands import reset as reset_lesson

    typer.echo(reset_lesson(name, _lang(lang), home))


dev = typer.Typer(cls=_Commands, no_args_is_help=True, rich_markup_mode=None, help="Tools for lesson authors.")
app.add_typer(dev, name="dev")


@dev.command("check")
def dev_check(
    names: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="[LESSON|PATH]...",
            help="Lessons to check by id, or folders: one lesson's, or a folder of lessons being written (default: all installed).",
        ),
    ] = None,
) -> None:
    """Check every lesson: schema, both languages, answers against the engine, diagrams render.

    A PATH (./draft, my-lessons/, or any folder here that is not an installed lesson's id) is
    checked as files on disk, before the lesson is installed."""
    from gradtutor.tutor.commands import dev_check as check_lessons

    problems = check_lessons(names)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo("all lessons check out" if not names else f"{', '.join(names)}: checks out")


# -- training ----------------------------------------------------------------------------------

# The choices come from the one list of names (gradtutor.names), which imports no numpy.
ModelKind = names.choices("model", "ModelKind")
ArchName = names.choices("arch", "ArchName")
DATA_CHOICES = (*names.names("dataset"), f"{names.IDX_PREFIX}DIR")  # --data takes a name or idx:DIR
OptimizerName = names.choices("optimizer", "OptimizerName")
ScheduleName = names.choices("schedule", "ScheduleName")
InitName = names.choices("init", "InitName")
BackendName = names.choices("backend", "BackendName")
CellName = enum.Enum("CellName", {cell: cell for cell in names.RECURRENT}, type=str)


def _value(choice) -> Optional[str]:
    return choice.value if choice is not None else None


def _data_name(text: Optional[str]) -> Optional[str]:
    """--data: a data set's name or idx:DIR; a misspelt name is refused with the closest one."""
    problem = None if text is None else names.check_data(text)
    if problem:
        raise typer.BadParameter(problem)
    return text


@app.command(short_help="Optimizers descending a function of x and y from one start, drawn on its contour map.")
def paths(
    function: Annotated[str, typer.Argument(help=f"{', '.join(names.names('surface'))}, or an expression in x and y.")] = "elongated-bowl",
    optimizer: Annotated[Optional[list[str]], typer.Option("--optimizer", "-o", metavar="NAME[:LR]",
                         help="An optimizer and its learning rate, e.g. adam:0.3; repeat it (default: all seven).",
                         show_default=False)] = None,
    start: Annotated[Optional[str], typer.Option(metavar="X,Y", help="Where every path starts (default: the surface's own).",
                                                 show_default=False)] = None,
    steps: Annotated[int, typer.Option(help="Updates per optimizer.")] = 30,
    plot: Annotated[Optional[Path], typer.Option(help="Save the picture (.svg or .png).", show_default=False)] = None,
    lang: Lang = None,
) -> None:
    """Run the real optimizers from one start on a 2-D function; print the paths and their figures."""
    from gradtutor.render.paths import paths_view, save_paths
    from gradtutor.train import paths as descents

    drawn = descents.picture(function, descents.parse_runs(optimizer), descents.parse_start(start), steps)
    _print(paths_view(drawn.title, drawn.surface, drawn.window, drawn.paths, drawn.minimum, _lang_or_locale(lang)))
    if plot is not None:
        save_paths(plot, f"f(x, y) = {drawn.title}", drawn.surface, drawn.window, drawn.paths, drawn.minimum)
        _print(f"saved {plot}")


@app.command()
def train(
    model: Annotated[ModelKind, typer.Argument(help="The network to train.")],
    data: Annotated[
        Optional[str],
        typer.Option("--data", "-d", metavar=f"<{'|'.join(DATA_CHOICES)}>", callback=_data_name,
                     help="Data set or task (default: spiral for mlp, digits for cnn, adding for rnn/lstm/gru, reverse for seq2seq); "
                          "idx:DIR trains mlp or cnn on MNIST-format files in DIR (train-images-idx3-ubyte …).",
                     show_default=False),
    ] = None,
    epochs: Annotated[Optional[int], typer.Option(help="Passes over the data (0: evaluate only).", show_default=False)] = None,
    batch_size: Annotated[Optional[int], typer.Option("--batch-size", "-b", help="Examples per step.", show_default=False)] = None,
    optimizer: Annotated[OptimizerName, typer.Option("--optimizer", "-o", help="Update rule.")] = OptimizerName("adam"),
    lr: Annotated[Optional[float], typer.Option("--lr", help="Learning rate (default: the recipe's).", show_default=False)] = None,
    schedule: Annotated[Optional[ScheduleName], typer.Option(help="Learning-rate decay over the epochs (default: constant; cosine for a transformer on chars).", show_default=False)] = None,
    init: Annotated[Optional[InitName], typer.Option(help="Weight initializer (default: he for ReLU nets, xavier for recurrent ones).",
                                                     show_default=False)] = None,
    seed: Annotated[int, typer.Option(help="Seed for data, weights and batch order.")] = 0,
    hidden: Annotated[Optional[int], typer.Option(help="Hidden width.", show_default=False)] = None,
    samples: Annotated[Optional[int], typer.Option(help="Examples to generate (spiral: per class).", show_default=False)] = None,
    length: Annotated[Optional[int], typer.Option(help="Sequence length of a sequence task.", show_default=False)] = None,
    clip: Annotated[Optional[float], typer.Option(help="Clip the gradient norm to this value.", show_default=False)] = None,
    weight_decay: Annotated[float, typer.Option("--weight-decay", help="L2 penalty strength.")] = 0.0,
    l1: Annotated[float, typer.Option("--l1", help="L1 penalty strength.")] = 0.0,
    dropout: Annotated[float, typer.Option(help="mlp: drop each hidden unit with this probability while training.")] = 0.0,
    batch_norm: Annotated[bool, typer.Option("--batch-norm/--no-batch-norm", help="mlp, cnn: batch normalisation before each hidden activation.")] = False,
    validation: Annotated[float, typer.Option(help="Hold this fraction of the training examples out for validation.")] = 0.0,
    patience: Annotated[Optional[int], typer.Option(help="Early stopping: stop after this many epochs without a lower validation loss, keep the best weights.",
                                                    show_default=False)] = None,
    cell: Annotated[Optional[CellName], typer.Option(help="seq2seq: the recurrent cell of encoder and decoder (default gru).",
                                                     show_default=False)] = None,
    teacher_forcing: Annotated[Optional[bool], typer.Option(
        "--teacher-forcing/--no-teacher-forcing",
        help="seq2seq: the decoder reads the right previous digit while training (default), or its own guess.",
        show_default=False)] = None,
    temperature: Annotated[Optional[float], typer.Option(
        help="chars: sampling temperature of the text written after training (default 0.7; lower is safer).",
        show_default=False)] = None,
    backend: Annotated[
        Optional[BackendName], typer.Option(help="Array library (default: $GRADTUTOR_BACKEND, else numpy).", show_default=False)
    ] = None,
    arch: Annotated[ArchName, typer.Option(help="The cnn's architecture.")] = ArchName("lenet"),
    grad_norms: Annotated[
        bool, typer.Option("--grad-norms", help="With --arch resnet: instead of training, show each layer's gradient norm "
                                                "after one backward pass, the resnet beside its plain twin.")
    ] = False,
    json: Annotated[bool, typer.Option("--json", help="Print only the final metrics as JSON.")] = False,
    plot: Annotated[Optional[Path], typer.Option(help="Save loss/accuracy curves (.svg or .png).", show_default=False)] = None,
    attention_map: Annotated[bool, typer.Option("--attention-map", help="transformer: draw the learned attention weights of a held-out sample.")] = False,
    attention_plot: Annotated[Optional[Path], typer.Option("--attention-plot", help="transformer: save that map (.svg or .png).", show_default=False)] = None,
    save: Annotated[Optional[Path], typer.Option(help="Save the trained model (.npz).", show_default=False)] = None,
    load: Annotated[Optional[Path], typer.Option(help="Start from a saved model (.npz).", show_default=False)] = None,
    lang: Lang = None,
) -> None:
    """Train an MLP, CNN, RNN/LSTM/GRU or seq2seq encoder–decoder on gradtutor's own engine, with live progress and curves."""
    import json as json_module

    from gradtutor.render import training as shown
    from gradtutor.render.curves import save_curves
    from gradtutor.train import command, estimate
    from gradtutor.train.loop import Diverged

    config = command.TrainConfig(
        model=_value(model), data=data, epochs=epochs, batch_size=batch_size, optimizer=_value(optimizer), lr=lr,
        init=_value(init), seed=seed, hidden=hidden, samples=samples, length=length, clip=clip,
        weight_decay=weight_decay, l1=l1, schedule=_value(schedule), arch=_value(arch), dropout=dropout,
        batch_norm=batch_norm, validation=validation, patience=patience, cell=_value(cell),
        teacher_forcing=teacher_forcing, temperature=temperature,
    )
    if grad_norms:
        _show_grad_norms(config, _value(backend), json, _lang_or_locale(lang))
        return
    command.check_paths(plot, save)
    command.check_attention_map(_value(model), attention_map or attention_plot is not None, attention_plot)
    backend_name = command.active_backend(_value(backend))
    run = command.prepare(config)
    if load is not None:
        command.load_checkpoint(run, load)
    lang = _lang_or_locale(lang)
    seconds = estimate.for_run(run)
    if seconds > estimate.LONG_SECONDS:  # on stderr: --json output stays JSON
        _say("warning", shown.long_run(seconds, lang))
    if not json:
        _print(shown.about(shown.Facts(**command.facts(run, backend_name)), lang))
    try:
        with _progress_bar(run.config.settings["epochs"], hidden=json) as on_batch:
            result = command.train(run, on_batch=on_batch)
    except Diverged as error:  # the run failed, not the request: exit code 1, and JSON stays JSON
        if json:
            typer.echo(json_module.dumps({"loss": None, "accuracy": None, "error": str(error),
                                          "epoch": error.epoch, "step": error.step}))
        _say_error(str(error))
        raise typer.Exit(1) from None
    saved = []
    if save is not None:
        saved.append(("checkpoint", command.save_checkpoint(run, result, save)))
    if plot is not None and result.history.epochs:
        saved.append(("curves", save_curves(result.history, plot, title=f"{run.config.model} on {run.config.data}")))
    from gradtutor.render import attention as attention_view

    if attention_map or attention_plot is not None:
        tokens, weights = command.attention_map(run)
        if attention_plot is not None:
            saved.append(("attention", attention_view.save_map(tokens, weights, attention_plot, run.config.data)))
    if json:
        typer.echo(json_module.dumps(result.metrics(), allow_nan=False))
        return
    figures = shown.Figures(**command.figures(result))
    _print(shown.report(result.history, figures, command.boundary(run), result.sample, saved, lang))
    if result.val_loss is not None:
        _print(shown.validation_note(result.history, result.val_loss, result.val_accuracy, lang))
    if attention_map:
        _print(attention_view.terminal_map(tokens, weights, run.config.data))


def _show_grad_norms(config, backend_name, as_json: bool, lang: str) -> None:
    """`train cnn --arch resnet --grad-norms`: one backward pass each through the resnet and its
    plain twin on the same seeded digits, each layer's gradient norm side by side."""
    import json as json_module

    from gradtutor.train import command, gradnorms

    if config.model != "cnn" or config.arch != "resnet":
        _refuse("--grad-norms compares the resnet with its plain twin: use it as train cnn --arch resnet --grad-norms")
    command.active_backend(backend_name)
    comparison = gradnorms.compare(seed=config.seed)
    if as_json:
        typer.echo(json_module.dumps({kind: [{"layer": g.name, "norm": g.norm} for g in getattr(comparison, kind)]
                                      for kind in ("plain", "residual")}))
        return
    from gradtutor.render.gradnorms import gradient_norms

    _print(gradient_norms(gradnorms.rows(comparison), lang, comparison.batch))


@contextlib.contextmanager
def _progress_bar(epochs: int, hidden: bool):
    """A live bar over each epoch's batches, gone when training ends; yields the loop's on_batch
    callback (None when hidden: with --json, or 0 epochs)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if hidden or epochs == 0:
        yield None
        return
    progress = Progress(
        TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn(), transient=True,
    )
    with progress:
        task = progress.add_task("training", total=None, epoch=1, epochs=epochs, loss="…")

        def on_batch(epoch, batch, batches, loss):
            if batch == batches or batch % 10 == 1:  # reading the loss syncs a GPU: not every batch
                progress.update(task, completed=batch, total=batches, epoch=epoch, loss=f"{float(loss.data):.4f}")

        yield on_batch


@contextlib.contextmanager
def _only_the_command_named(words: list[str]):
    """typer builds the click command of every registered command, reading each one's signature
    and options, before it runs one: that took longer than the rest of `gradtutor lessons`
    (benchmarks/startup.py). Where the first word names a command (or the dev group), the group
    is built with that one alone; anything else (--help, --version, a misspelt command that gets
    a suggestion) sees them all."""
    from typer.main import get_command_name

    registered = app.registered_commands, app.registered_groups
    first = words[0] if words else None
    commands = [info for info in app.registered_commands if (info.name or get_command_name(info.callback.__name__)) == first]
    groups = [info for info in app.registered_groups if info.name == first]
    if commands or groups:
        app.registered_commands, app.registered_groups = commands, groups
    try:
        yield
    finally:
        app.registered_commands, app.registered_groups = registered


def main() -> None:
    """The console script `gradtutor`."""
    try:
        with _only_the_command_named(sys.argv[1:]):
            code = app(prog_name="gradtutor", standalone_mode=False)
    except _ClickException as error:  # an option of gradtutor itself, before any command ran
        _say_click_error(error)
        code = error.exit_code
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
