"""Lessons as data: loading a lesson folder and checking its schema (see lessons/README.md).

`load(name)` returns a `Lesson` or raises `LessonError` listing every problem found, each
prefixed with the file and step it is about. Only the shape of the data is checked here; whether
the answers agree with the engine is `check.py`'s business.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from importlib.resources.abc import Traversable

from gradtutor.tutor import quiz as quizzes
from gradtutor.tutor.answers import Quantity, QuantityError, parse_quantity
from gradtutor.tutor.networks import Network, SpecError, network
from gradtutor.tutor.training import Training, TrainingError
from gradtutor.tutor.text import LANGUAGES

FORMAT_VERSION = 1
MANIFEST = "lesson.toml"
PACKAGE = "gradtutor.lessons"
STEP_KINDS = ("explain", "show", "quiz")
QUIZ_KINDS = ("numeric", "choice", "shape", "matrix", "pattern")
VIEWS = ("forward", "table", "step", "diagram", "summary", "layers", "train")
TRACE_VIEWS = VIEWS[:5]  # views of an example or circuit; "layers" shows a layer or model, "train" a run
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_CHOICE_ID = re.compile(r"[a-z0-9_-]+")
_SECTION = re.compile(r"^##\s+(?P<title>.*?)\s*\{#(?P<id>[^}]*)\}\s*$")

Localized = dict  # {"en": text, "ko": text}

_SOURCE_KEYS = {"example", "circuit", "exact", "layer", "model", "input_shape", "training"}
_SOURCES = ("example", "circuit", "layer", "model", "training")
_KEYS = {
    "explain": {"id", "kind"},
    "show": {"id", "kind", "view", "backward_step"} | _SOURCE_KEYS,
    "quiz": {
        "id", "kind", "quiz", "quantity", "answer", "prompt", "why", "hints", "tries",
        "hint_after", "solution_step", "mistakes", "choices", "atol", "rtol",
    } | _SOURCE_KEYS,
}


class LessonError(ValueError):
    """A lesson that cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Circuit:
    name: str
    expression: str
    at: tuple  # ((variable, number), …): a tuple, so sources can key a cache
    upstream: float = 1.0


@dataclass(frozen=True, slots=True)
class Source:
    """Where a step's numbers come from: a built-in example or a lesson circuit (traced), a
    layer or model (networks.Network), or a training run (training.Training)."""

    example: str | None = None
    circuit: Circuit | None = None
    exact: bool = False
    network: Network | None = None
    training: Training | None = None

    @property
    def family(self) -> str:
        """"trace", "network" or "training": which quantities and views it answers."""
        if self.network is not None:
            return "network"
        if self.training is not None:
            return "training"
        return "trace"


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: Localized
    feedback: Localized | None = None


@dataclass(frozen=True, slots=True)
class MistakeSpec:
    feedback: Localized
    answer: object = None  # parsed like the quiz's answer
    quantity: Quantity | None = None


@dataclass(slots=True)
class Step:
    id: str
    kind: str
    title: Localized
    body: Localized
    source: Source | None = None
    view: str = "table"
    backward_step: int | None = None
    quiz: str | None = None
    quantity: Quantity | None = None
    answer: object = None  # the author's answer, parsed: Fraction, tuple, nested list, str
    answer_text: str = ""  # … and as written
    prompt: Localized | None = None
    why: Localized | None = None
    hints: list[Localized] = field(default_factory=list)
    tries: int = 3
    hint_after: int = 1
    solution_step: int | None = None
    mistakes: list[MistakeSpec] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    atol: float = 1e-9
    rtol: float = 1e-6


@dataclass(slots=True)
class Lesson:
    id: str
    order: int
    title: Localized
    intro: Localized
    steps: list[Step]
    circuits: dict[str, Circuit]
    where: str  # for messages: lessons/<id>
    trainings: dict[str, Training] = field(default_factory=dict)

    def index(self, step_id: str | None) -> int:
        """Position of a step by id; 0 for None or an id this version no longer has."""
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        return 0

    @property
    def quizzes(self) -> list[Step]:
        return [step for step in self.steps if step.kind == "quiz"]


# -- finding lessons ----------------------------------------------------------------------------
def root() -> Traversable:
    return resources.files(PACKAGE)


def names() -> list[str]:
    """Ids of the installed lessons (folders holding a lesson.toml), in folder-name order."""
    return sorted(
        entry.name for entry in root().iterdir()
        if entry.is_dir() and entry.joinpath(MANIFEST).is_file()
    )


def load_all() -> list[Lesson]:
    """Every installed lesson, in teaching order; raises LessonError listing all problems."""
    lessons, problems = [], []
    for name in names():
        try:
            lessons.append(load(name))
        except LessonError as exc:
            problems.extend(exc.problems)
    if problems:
        raise LessonError(problems)
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))


def load(name: str, folder: Traversable | None = None) -> Lesson:
    """Load and schema-check one lesson: the installed one by id, or the one in `folder`."""
    if folder is None:
        if name not in names():
            close = difflib.get_close_matches(name, names(), n=1)
            known = ", ".join(names()) or "none"
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise LessonError([f"unknown lesson {name!r}{hint} (lessons: {known})"])
        folder = root().joinpath(name)
    return _Loader(name, folder).load()


# -- loading one lesson ---------------------------------------------------------------------------
class _Loader:
    def __init__(self, name: str, folder: Traversable):
        self.name = name
        self.folder = folder
        self.where = f"lessons/{name}"
        self.problems: list[str] = []
        self.context = ""
        self.trainings: dict[str, Training] = {}

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.where}/{self.context}: {message}".replace("/: ", ": "))

    def load(self) -> Lesson:
        self.context = MANIFEST
        try:
            manifest = tomllib.loads(self.folder.joinpath(MANIFEST).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise LessonError([f"{self.where}/{MANIFEST}: cannot read it ({exc})"]) from None
        except tomllib.TOMLDecodeError as exc:
            raise LessonError([f"{self.where}/{MANIFEST}: not valid TOML ({exc})"]) from None
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise LessonError([
                f"{self.where}/{MANIFEST}: format_version is {version!r}; this gradtutor reads format_version {FORMAT_VERSION}"
            ])
        lesson_id = manifest.get("id")
        if lesson_id != self.name:
            self.problem(f"id is {lesson_id!r} but the folder is {self.name!r}: they must be equal")
        order = manifest.get("order", 100)
        if not isinstance(order, int) or isinstance(order, bool):
            self.problem(f"order must be an integer, got {order!r}")
            order = 100
        for key in set(manifest) - {"format_version", "id", "order", "circuits", "training", "step"}:
            self.problem(f"unknown key {key!r}")
        circuits = self.circuits(manifest.get("circuits", {}))
        self.trainings = self.training_tables(manifest.get("training", {}))
        raw_steps = manifest.get("step", [])
        if not isinstance(raw_steps, list) or not raw_steps:
            self.problem("a lesson needs at least one [[step]]")
            raw_steps = []
        steps = [s for s in (self.step(raw, circuits) for raw in raw_steps) if s is not None]
        seen = set()
        for step in steps:
            if step.id in seen:
                self.context = MANIFEST
                self.problem(f"step id {step.id!r} is used twice")
            seen.add(step.id)
        titles, intros = {}, {}
        for lang in LANGUAGES:
            titles[lang], intros[lang] = self.markdown(lang, steps)
        if self.problems:
            raise LessonError(self.problems)
        return Lesson(self.name, order, titles, intros, steps, circuits, self.where, self.trainings)

    # -- circuits ---------------------------------------------------------------------------
    def circuits(self, raw) -> dict[str, Circuit]:
        self.context = MANIFEST
        if not isinstance(raw, dict):
            self.problem("[circuits] must be a table of circuits")
            return {}
        circuits = {}
        for name, spec in raw.items():
            self.context = f"{MANIFEST}: circuit {name}"
            if not isinstance(spec, dict):
                self.problem("must be a table with expression and at")
                continue
            for key in set(spec) - {"expression", "at", "upstream"}:
                self.problem(f"unknown key {key!r}")
            expression = spec.get("expression")
            if not isinstance(expression, str) or not expression.strip():
                self.problem("needs an expression")
                continue
            at = {}
            for variable, value in (spec.get("at") or {}).items():
                number = self.number(value, f"at.{variable}")
                if number is not None:
                    at[variable] = number
            upstream = self.number(spec.get("upstream", 1), "upstream")
            circuits[name] = Circuit(name, expression, tuple(at.items()), 1.0 if upstream is None else upstream)
        return circuits

    def training_tables(self, raw) -> dict[str, Training]:
        from gradtutor.tutor import training

        self.context = MANIFEST
        if not isinstance(raw, dict):
            self.problem("[training] must be a table of training runs: [training.<name>]")
            return {}
        runs = {}
        for name, table in raw.items():
            self.context = f"{MANIFEST}: training {name}"
            try:
                runs[name] = training.spec(name, table)
            except TrainingError as exc:
                self.problem(str(exc))
        return runs

    def number(self, value, what: str):
        """A number written as a TOML number or as text ("11/10", "−4")."""
        if isinstance(value, bool):
            self.problem(f"{what} must be a number, got {value!r}")
            return None
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str):
            try:
                return quizzes.parse_number(value)
            except quizzes.Unreadable:
                pass
        self.problem(f"{what} must be a number, got {value!r}")
        return None

    # -- steps ------------------------------------------------------------------------------
    def step(self, raw, circuits) -> Step | None:
        self.context = MANIFEST
        if not isinstance(raw, dict):
            self.problem("every [[step]] must be a table")
            return None
        step_id = raw.get("id")
        if not isinstance(step_id, str) or not _ID.fullmatch(step_id):
            self.problem(f"step id {step_id!r} must be lowercase words joined by '-' (like apple-tax)")
            return None
        self.context = f"{MANIFEST}: step {step_id}"
        kind = raw.get("kind")
        if kind not in STEP_KINDS:
            self.problem(f"kind {kind!r} must be one of {', '.join(STEP_KINDS)}")
            return None
        for key in sorted(set(raw) - _KEYS[kind]):
            self.problem(f"unknown key {key!r} for a {kind} step")
        step = Step(step_id, kind, {}, {})
        if kind == "show":
            step.source = self.source(raw, circuits, required=True)
            family = step.source.family if step.source is not None else "trace"
            step.view = raw.get("view", {"trace": "table", "network": "layers", "training": "train"}[family])
            if step.view not in VIEWS:
                self.problem(f"view {step.view!r} must be one of {', '.join(VIEWS)}")
            elif step.source is not None and _view_family(step.view) != family:
                self.problem(f"view {step.view!r} does not show a {_SOURCE_NAMES[family]}; {_VIEW_HINT[family]}")
            step.backward_step = self.positive(raw, "backward_step")
            if step.view == "step" and step.backward_step is None:
                self.problem('view = "step" needs backward_step = k')
        elif kind == "quiz":
            self.quiz(step, raw, circuits)
        return step

    def positive(self, raw, key, default=None):
        value = raw.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.problem(f"{key} must be a whole number ≥ 1, got {value!r}")
            return default
        return value

    def source(self, raw, circuits, required: bool) -> Source | None:
        named = [key for key in _SOURCES if raw.get(key) is not None]
        exact = raw.get("exact", False)
        if not isinstance(exact, bool):
            self.problem(f"exact must be true or false, got {exact!r}")
            exact = False
        if len(named) > 1:
            self.problem(f"name one source, not {' and '.join(named)}")
            return None
        if "input_shape" in raw and named not in (["layer"], ["model"]):
            self.problem("input_shape goes with layer = \"…\" or model = \"…\"")
        if "exact" in raw and named not in (["example"], ["circuit"]):
            self.problem("exact goes with an example or a circuit")
        example, circuit = raw.get("example"), raw.get("circuit")
        if example is not None:
            from gradtutor import examples

            if example not in examples.EXAMPLES:
                self.problem(f"unknown example {example!r}; built-in examples are: {', '.join(examples.EXAMPLES)}")
                return None
            return Source(example=example, exact=exact)
        if circuit is not None:
            if circuit not in circuits:
                known = ", ".join(circuits) or "none defined"
                self.problem(f"unknown circuit {circuit!r} (circuits: {known})")
                return None
            return Source(circuit=circuits[circuit], exact=exact)
        for what in ("layer", "model"):
            if raw.get(what) is not None:
                return self.network(what, raw.get(what), raw.get("input_shape"))
        if raw.get("training") is not None:
            name = raw["training"]
            if name not in self.trainings:
                known = ", ".join(self.trainings) or "none defined"
                self.problem(f"unknown training {name!r} (trainings: {known})")
                return None
            return Source(training=self.trainings[name])
        if required:
            self.problem("needs a source: example, circuit, layer, model or training = \"…\"")
        return None

    def network(self, what: str, text, input_shape) -> Source | None:
        if not isinstance(text, str):
            self.problem(f"{what} must be text like \"conv2d(in=3, out=6, kernel=5)\", got {text!r}")
            return None
        if input_shape is not None and not isinstance(input_shape, list):
            self.problem(f"input_shape must be a list like [3, 32, 32], got {input_shape!r}")
            return None
        try:
            return Source(network=network(what, text, input_shape))
        except SpecError as exc:
            self.problem(str(exc))
            return None

    def localized(self, raw, key: str, required: bool = True) -> Localized | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.problem(f"needs {key} = {{ en = \"…\", ko = \"…\" }}")
            return None
        return self.text(value, key)

    def text(self, value, what: str) -> Localized | None:
        if not isinstance(value, dict):
            self.problem(f"{what} must be a table {{ en = \"…\", ko = \"…\" }}, got {value!r}")
            return None
        ok = True
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(f"{what} has no {lang} text")
                ok = False
        for extra in sorted(set(value) - set(LANGUAGES)):
            self.problem(f"{what} has an unknown language {extra!r} (languages: {', '.join(LANGUAGES)})")
            ok = False
        return {lang: value[lang].strip() for lang in LANGUAGES} if ok else None

    def quiz(self, step: Step, raw, circuits) -> None:
        step.quiz = raw.get("quiz")
        if step.quiz not in QUIZ_KINDS:
            self.problem(f"quiz {step.quiz!r} must be one of {', '.join(QUIZ_KINDS)}")
            return
        step.prompt = self.localized(raw, "prompt")
        step.why = self.localized(raw, "why")
        hints = raw.get("hints")
        if not isinstance(hints, list) or not hints:
            self.problem("needs hints = [ { en = \"…\", ko = \"…\" }, … ] (at least one)")
        else:
            texts = [self.text(hint, f"hints[{i}]") for i, hint in enumerate(hints, 1)]
            step.hints = [text for text in texts if text is not None]
        step.tries = self.positive(raw, "tries", 3)
        step.hint_after = self.positive(raw, "hint_after", 1)
        step.solution_step = self.positive(raw, "solution_step")
        for key in ("atol", "rtol"):
            value = raw.get(key, getattr(step, key))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                self.problem(f"{key} must be a number ≥ 0, got {value!r}")
            else:
                setattr(step, key, float(value))
        if step.quiz != "numeric" and step.quiz != "matrix" and ({"atol", "rtol"} & set(raw)):
            self.problem(f"atol and rtol apply only to numeric and matrix quizzes")
        quantity = raw.get("quantity")
        worded_choice = step.quiz == "choice" and quantity is None
        step.source = self.source(raw, circuits, required=not worded_choice)
        if step.solution_step is not None and step.source is not None and step.source.family != "trace":
            self.problem("solution_step applies to examples and circuits only")
        if worded_choice and step.source is not None:
            self.problem("a choice without a quantity must not name an example or circuit")
        if quantity is not None:
            step.quantity = self.quantity(quantity, "quantity")
            self.fits(step.quantity, step.source, "quantity")
        elif not worded_choice:
            self.problem("needs quantity = \"…\" (what is asked, computed with the engine)")
        if step.quiz == "choice":
            self.choices(step, raw.get("choices"))
        if "answer" not in raw:
            self.problem("needs answer = … (the answer as the author states it)")
        else:
            step.answer_text = _as_text(raw["answer"])
            step.answer = self.answer(step, raw["answer"], "answer")
        mistakes = raw.get("mistakes", [])
        if not isinstance(mistakes, list):
            self.problem("mistakes must be a list of tables")
            mistakes = []
        for i, spec in enumerate(mistakes, 1):
            what = f"mistakes[{i}]"
            if not isinstance(spec, dict):
                self.problem(f"{what} must be a table")
                continue
            for key in sorted(set(spec) - {"answer", "quantity", "feedback"}):
                self.problem(f"{what}: unknown key {key!r}")
            feedback = self.text(spec.get("feedback"), f"{what}.feedback")
            if ("answer" in spec) == ("quantity" in spec):
                self.problem(f"{what} needs exactly one of answer or quantity")
                continue
            if "answer" in spec:
                parsed = self.answer(step, spec["answer"], f"{what}.answer")
                mistake = MistakeSpec(feedback, answer=parsed)
            else:
                mistake = MistakeSpec(feedback, quantity=self.quantity(spec["quantity"], f"{what}.quantity"))
                self.fits(mistake.quantity, step.source, f"{what}.quantity")
            if feedback is not None:
                step.mistakes.append(mistake)

    def quantity(self, text, what: str) -> Quantity | None:
        if not isinstance(text, str):
            self.problem(f"{what} must be text like \"grad:tax\", got {text!r}")
            return None
        try:
            return parse_quantity(text)
        except QuantityError as exc:
            self.problem(f"{what}: {exc}")
            return None

    def fits(self, quantity: Quantity | None, source: Source | None, what: str) -> None:
        """A quantity is read off its own kind of source: grad:x off a trace, params off a
        layer or model, accuracy off a training run."""
        if quantity is None or source is None or quantity.family == source.family:
            return
        self.problem(
            f"{what} {quantity.text!r} is asked of a {_SOURCE_NAMES[quantity.family]}, "
            f"but the step names a {_SOURCE_NAMES[source.family]}"
        )

    def choices(self, step: Step, raw) -> None:
        if not isinstance(raw, list) or len(raw) < 2:
            self.problem("a choice quiz needs choices = [ {id, text, feedback}, … ] (at least two)")
            return
        for i, spec in enumerate(raw, 1):
            what = f"choices[{i}]"
            if not isinstance(spec, dict):
                self.problem(f"{what} must be a table")
                continue
            for key in sorted(set(spec) - {"id", "text", "feedback"}):
                self.problem(f"{what}: unknown key {key!r}")
            choice_id = spec.get("id")
            if not isinstance(choice_id, str) or not _CHOICE_ID.fullmatch(choice_id):
                self.problem(f"{what}: id {choice_id!r} must be made of a-z, 0-9, _ and -")
                continue
            text = self.text(spec.get("text"), f"choice {choice_id}: text")
            feedback = self.text(spec["feedback"], f"choice {choice_id}: feedback") if "feedback" in spec else None
            step.choices.append(Choice(choice_id, text or {}, feedback))
        ids = [c.id for c in step.choices]
        for choice_id in sorted({c for c in ids if ids.count(c) > 1}):
            self.problem(f"choice id {choice_id!r} is used twice")

    def answer(self, step: Step, value, what: str):
        """Parse a stated answer with the same reader the learner's input goes through."""
        try:
            if step.quiz == "numeric":
                if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                    raise quizzes.Unreadable("need_number")
                return quizzes.parse_number(str(value)) if isinstance(value, str) else value
            if step.quiz == "shape":
                if not isinstance(value, str):
                    raise quizzes.Unreadable("need_shape")
                return quizzes.parse_shape(value)
            if step.quiz == "matrix":
                return _matrix(value) if isinstance(value, list) else quizzes.parse_matrix(str(value))
            if step.quiz == "pattern":
                if value not in quizzes.PATTERNS:
                    self.problem(f"{what} {value!r} must be one of {', '.join(quizzes.PATTERNS)}")
                    return None
                return value
            if step.quiz == "choice":
                ids = [c.id for c in step.choices]
                if value not in ids:
                    self.problem(f"{what} {value!r} is not a choice id ({', '.join(ids)})")
                    return None
                return value
        except (quizzes.Unreadable, TypeError, ValueError):
            self.problem(f"{what} {value!r} cannot be read as a {step.quiz} answer")
        return None

    # -- markdown -------------------------------------------------------------------------------
    def markdown(self, lang: str, steps: list[Step]) -> tuple[str, str]:
        file_name = f"{lang}.md"
        self.context = file_name
        try:
            text = self.folder.joinpath(file_name).read_text(encoding="utf-8")
        except (OSError, FileNotFoundError):
            self.problem("missing: every lesson needs en.md and ko.md")
            return "", ""
        except UnicodeDecodeError as exc:
            self.problem(f"not UTF-8 ({exc})")
            return "", ""
        title, intro, sections = _sections(text)
        if not title:
            self.problem("must start with a '# Title' line")
        for problem in sections.pop(None, []):
            self.problem(problem)
        by_id = {step.id: step for step in steps}
        for section_id in sections:
            if section_id not in by_id:
                self.problem(f"section {{#{section_id}}} is not a step id of the lesson")
        for step in steps:
            if step.id not in sections:
                self.problem(f"no '## Title {{#{step.id}}}' section for step {step.id}")
                continue
            step_title, body = sections[step.id]
            if not step_title:
                self.problem(f"section {{#{step.id}}} has no title")
            if step.kind == "explain" and not body:
                self.problem(f"section {{#{step.id}}} is empty: an explain step needs prose")
            step.title[lang] = step_title
            step.body[lang] = body
        if lang == LANGUAGES[-1]:
            self.context = f"{'.md, '.join(LANGUAGES)}.md"
            for step in steps:
                has = [lang for lang in LANGUAGES if step.body.get(lang)]
                if has and len(has) != len(LANGUAGES):
                    missing = [lang for lang in LANGUAGES if lang not in has]
                    self.problem(f"step {step.id} has prose in {', '.join(has)} but not in {', '.join(missing)}")
        return title, intro


_SOURCE_NAMES = {"trace": "traced example or circuit", "network": "layer or model", "training": "training run"}
_VIEW_HINT = {
    "trace": f"its views are {', '.join(TRACE_VIEWS)}",
    "network": 'its view is "layers"',
    "training": 'its view is "train"',
}


def _view_family(view: str) -> str:
    return {"layers": "network", "train": "training"}.get(view, "trace")


def _sections(text: str) -> tuple[str, str, dict]:
    """Split a lesson Markdown file: (title, intro, {step id: (title, body)}).

    Problems found while splitting are listed under the key None.
    """
    title, intro_lines, sections, problems = "", [], {}, []
    current = None  # the step id whose body is being read
    lines: list[str] = []
    in_code = False

    def close():
        if current is not None:
            sections[current] = (sections[current][0], "\n".join(lines).strip())

    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        match = None if in_code else _SECTION.match(line)
        if match:
            close()
            current, lines = match["id"], []
            if current in sections:
                problems.append(f"line {number}: section {{#{current}}} appears twice")
            if not _ID.fullmatch(current):
                problems.append(f"line {number}: section id {{#{current}}} must be lowercase words joined by '-'")
            sections[current] = (match["title"].strip(), "")
        elif not in_code and line.startswith("# "):
            if title:
                problems.append(f"line {number}: only the first line may be a '# ' heading (the lesson title)")
            title = title or line[2:].strip()
        elif not in_code and line.startswith("## "):
            problems.append(f"line {number}: a '## ' heading starts a step and needs its id: '## Title {{#step-id}}'")
        elif current is None:
            intro_lines.append(line)
        else:
            lines.append(line)
    close()
    if problems:
        sections[None] = problems
    return title, "\n".join(intro_lines).strip(), sections


def _as_text(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_as_text(v) for v in value) + "]"
    return str(value)


def _matrix(value: list):
    """A TOML array answer: numbers or number strings, 1-D or 2-D (rows of equal length)."""

    def entry(x):
        if isinstance(x, bool):
            raise ValueError("a boolean is not a number")
        if isinstance(x, (int, float)):
            return Fraction(x) if isinstance(x, int) else x
        if isinstance(x, str):
            return quizzes.parse_number(x)
        raise ValueError(f"{x!r} is not a number")

    if value and all(isinstance(row, list) for row in value):
        rows = [[entry(x) for x in row] for row in value]
        if len({len(row) for row in rows}) != 1 or not rows[0]:
            raise ValueError("rows of different lengths")
        return rows
    if not value:
        raise ValueError("empty")
    return [entry(x) for x in value]
