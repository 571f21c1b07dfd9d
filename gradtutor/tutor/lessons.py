"""Lessons as data: loading a lesson folder and checking its schema (see lessons/README.md).

`load(name)` returns a `Lesson` or raises `LessonError` listing every problem found, each
prefixed with the file and step it is about. Only the shape of the data is checked here; whether
the answers agree with the engine is `check.py`'s business.

The loader knows the step kinds and the keys every quiz has; the keys that name a source, their
tables, views and quantities belong to the source families (sources.SOURCES), and the keys and
answers of each quiz kind to quiz_kinds.QUIZ_KINDS. Both are read when a lesson is loaded.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from gradtutor.errors import UserError
from gradtutor.tutor import quiz as quizzes
from gradtutor.tutor.answers import Quantity, QuantityError, parse_quantity
from gradtutor.tutor.catalog import MANIFEST, PACKAGE, STEP_ID, names
from gradtutor.tutor.catalog import sections as _sections
from gradtutor.tutor.quiz_kinds import QUIZ_KINDS, Choice, StatedAnswerError
from gradtutor.tutor.sources import SOURCES, family_of
from gradtutor.tutor.text import LANGUAGES

FORMAT_VERSION = 1
STEP_KINDS = ("explain", "show", "quiz")

Localized = dict  # {"en": text, "ko": text}

_KEYS = {
    "explain": {"id", "kind"},
    "show": {"id", "kind", "view", "backward_step"},
    "quiz": {
        "id", "kind", "quiz", "quantity", "answer", "prompt", "why", "hints", "tries",
        "hint_after", "solution_step", "mistakes", "given_in",
    },
}


# What the source families and quiz kinds add to the format, read from their tables when a lesson
# is loaded: a family or kind added to a table is known from then on.
def views() -> tuple[str, ...]:
    return tuple(view for family in SOURCES.values() for view in family.views)


def _source_names() -> tuple[str, ...]:
    """The keys that name a source (example = "apple", layer = "…" …), in the order messages list them."""
    return tuple(key for family in SOURCES.values() for key in family.keys)


def _step_keys(kind: str) -> set[str]:
    if kind == "explain":
        return _KEYS[kind]
    keys = _KEYS[kind] | set(_source_names()) | {key for family in SOURCES.values() for key in family.companions}
    if kind == "quiz":
        keys |= {key for quiz_kind in QUIZ_KINDS.values() for key in quiz_kind.keys}
    return keys


def _tables() -> dict:
    return {family.table: family for family in SOURCES.values() if family.table}


class LessonError(UserError, ValueError):
    """A lesson that cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


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
    source: object = None  # a source family's record (sources/): a Traced, a Network, a Training …
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
    given_in: tuple[str, ...] = ()  # earlier steps (or this one) that may show the answer: see giveaways.py


@dataclass(slots=True)
class Lesson:
    id: str
    order: int
    title: Localized
    intro: Localized
    steps: list[Step]
    tables: dict[str, dict]  # a source family's manifest table ("circuits", "training") -> its entries
    where: str  # for messages: lessons/<id>
    given: tuple = ()  # values any view may show before any quiz asks them (the example's inputs)

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


def load(name: str, folder: Traversable | None = None, where: str | None = None) -> Lesson:
    """Load and schema-check one lesson: the installed one by id, or the one in `folder`
    (`where`: how messages name that folder; lessons/<name> by default)."""
    if folder is None:
        if name not in names():
            close = difflib.get_close_matches(name, names(), n=1)
            known = ", ".join(names()) or "none"
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise LessonError([f"unknown lesson {name!r}{hint} (lessons: {known})"])
        folder = root().joinpath(name)
    return _Loader(name, folder, where).load()


# -- lessons in a folder being written --------------------------------------------------------------
def is_path(text: str) -> bool:
    """Whether a lesson argument names a folder (lessons/draft, ./draft, or a folder here that is
    no installed lesson's id) rather than an installed lesson."""
    return "/" in text or "\\" in text or (text not in names() and Path(text).is_dir())


def in_folder(path) -> tuple[list[tuple[str, Path]], list[str]]:
    """The lessons under `path`, a lesson folder (one holding lesson.toml) or a folder of them:
    ([(id, folder)], problems). A sub-folder with no lesson.toml, or with a folder by that name,
    is a problem, not skipped: it is likely a lesson being written."""
    path = Path(path)
    if not path.is_dir():
        raise LessonError([f"{path}: no such folder of lessons"])
    if (path / MANIFEST).exists():
        folders = [path]
    else:
        folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    found, problems = [], []
    for folder in folders:
        manifest = folder / MANIFEST
        if manifest.is_file():
            found.append((folder.name, folder))
        elif manifest.exists():
            problems.append(f"{manifest}: is a folder, not a file; a lesson's manifest is a TOML file")
        else:
            problems.append(f"{folder}: no {MANIFEST}, so it is not a lesson (see lessons/README.md)")
    return found, problems


def load_folder(path) -> Lesson:
    """The lesson in one folder, named as the folder is named on the command line."""
    found, problems = in_folder(path)
    if not found and not (Path(path) / MANIFEST).exists():  # not one problem per folder of /etc
        named = str(path).rstrip("/\\") or str(path)
        raise LessonError([f"{named}: no {MANIFEST} in it or in the folders inside it, so it holds no lesson "
                           "(see lessons/README.md)"])
    if problems or len(found) != 1:
        raise LessonError(problems or [f"{path}: holds several lessons; name one of their folders"])
    name, folder = found[0]
    return load(name, folder, where=str(path).rstrip("/\\"))


def unlisted() -> list[str]:
    """Folders among the installed lessons that are no lesson (no lesson.toml, or it is a folder)."""
    problems = []
    for entry in root().iterdir():
        if entry.is_dir() and not entry.name.startswith((".", "_")) and entry.name not in names():
            kind = "is a folder, not a file" if entry.joinpath(MANIFEST).is_dir() else "is missing"
            problems.append(f"lessons/{entry.name}/{MANIFEST}: {kind}, so the folder is not a lesson")
    return problems


# -- loading one lesson ---------------------------------------------------------------------------
class _Loader:
    def __init__(self, name: str, folder: Traversable, where: str | None = None):
        self.name = name
        self.folder = folder
        self.where = where or f"lessons/{name}"
        self.problems: list[str] = []
        self.context = ""

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.where}/{self.context}: {message}".replace("/: ", ": "))

    def entry(self, label: str | None) -> None:
        self.context = f"{MANIFEST}: {label}" if label else MANIFEST

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
        for key in set(manifest) - {"format_version", "id", "order", "step", "given"} - set(_tables()):
            self.problem(f"unknown key {key!r}")
        tables = {}
        for name, family in _tables().items():
            self.entry(None)
            tables[name] = family.parse_table(manifest.get(name, {}), self)
        raw_steps = manifest.get("step", [])
        if not isinstance(raw_steps, list) or not raw_steps:
            self.problem("a lesson needs at least one [[step]]")
            raw_steps = []
        steps = [s for s in (self.step(raw, tables) for raw in raw_steps) if s is not None]
        self.context = MANIFEST
        given = self.given(manifest.get("given", []))
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
        return Lesson(self.name, order, titles, intros, steps, tables, self.where, given)

    # -- values -------------------------------------------------------------------------------
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

    def given(self, raw) -> tuple:
        """`given = ["100", "(1, 28, 28)"]`: answers that may be shown before they are asked, each a
        number (TOML or text) or a shape in parentheses."""
        if not isinstance(raw, list):
            self.problem(f"given must be a list of numbers or shapes, got {raw!r}")
            return ()
        values = []
        for value in raw:
            try:
                if isinstance(value, str) and value.strip().startswith("("):
                    values.append(quizzes.parse_shape(value))
                    continue
            except quizzes.Unreadable:
                self.problem(f"given {value!r} is not a shape like \"(1, 28, 28)\"")
                continue
            number = self.number(value, "given")
            if number is not None:
                values.append(number)
        return tuple(values)

    # -- steps ------------------------------------------------------------------------------
    def step(self, raw, tables) -> Step | None:
        self.context = MANIFEST
        if not isinstance(raw, dict):
            self.problem("every [[step]] must be a table")
            return None
        step_id = raw.get("id")
        if not isinstance(step_id, str) or not STEP_ID.fullmatch(step_id):
            self.problem(f"step id {step_id!r} must be lowercase words joined by '-' (like apple-tax)")
            return None
        self.context = f"{MANIFEST}: step {step_id}"
        kind = raw.get("kind")
        if kind not in STEP_KINDS:
            self.problem(f"kind {kind!r} must be one of {', '.join(STEP_KINDS)}")
            return None
        for key in sorted(set(raw) - _step_keys(kind)):
            self.problem(f"unknown key {key!r} for a {kind} step")
        step = Step(step_id, kind, {}, {})
        if kind == "show":
            step.source = self.source(raw, tables, required=True)
            family = family_of(step.source) if step.source is not None else next(iter(SOURCES.values()))
            step.view = raw.get("view", family.default_view)
            if step.view not in views():
                self.problem(f"view {step.view!r} must be one of {', '.join(views())}")
            elif step.source is not None and step.view not in family.views:
                self.problem(f"view {step.view!r} does not show a {family.description}; {_views_hint(family)}")
            step.backward_step = self.positive(raw, "backward_step")
            family.check_show(step, self)
        elif kind == "quiz":
            self.quiz(step, raw, tables)
        return step

    def positive(self, raw, key, default=None):
        value = raw.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.problem(f"{key} must be a whole number ≥ 1, got {value!r}")
            return default
        return value

    def source(self, raw, tables, required: bool):
        """The step's source, read by the family whose key it names."""
        names = _source_names()
        named = [key for key in names if raw.get(key) is not None]
        if len(named) > 1:
            self.problem(f"name one source, not {' and '.join(named)}")
            return None
        family = next((f for f in SOURCES.values() if named and named[0] in f.keys), None)
        for other in SOURCES.values():
            for key, goes_with in other.companions.items():
                if key in raw and family is not other:
                    self.problem(f"{key} goes with {goes_with}")
        if family is not None:
            return family.parse(raw, tables.get(family.table, {}), self)
        if required:
            listed = ", ".join(names[:-1]) + f" or {names[-1]}"
            self.problem(f"needs a source: {listed} = \"…\"")
        return None

    def tables_in(self, items: list, name: str, keys: set[str]):
        """(what, table) for each table of a list like mistakes = [ {…}, … ], reporting the
        items that are not tables and the keys a table should not have."""
        for i, spec in enumerate(items, 1):
            what = f"{name}[{i}]"
            if not isinstance(spec, dict):
                self.problem(f"{what} must be a table")
                continue
            for key in sorted(set(spec) - keys):
                self.problem(f"{what}: unknown key {key!r}")
            yield what, spec

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

    def quiz(self, step: Step, raw, tables) -> None:
        step.quiz = raw.get("quiz")
        if step.quiz not in QUIZ_KINDS:
            self.problem(f"quiz {step.quiz!r} must be one of {', '.join(QUIZ_KINDS)}")
            return
        kind = QUIZ_KINDS[step.quiz]
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
        given_in = raw.get("given_in", [])
        if not isinstance(given_in, list) or not all(isinstance(g, str) for g in given_in):
            self.problem(f"given_in must be a list of step ids, got {given_in!r}")
        else:
            step.given_in = tuple(given_in)
        for key in ("atol", "rtol"):
            value = raw.get(key, getattr(step, key))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                self.problem(f"{key} must be a number ≥ 0, got {value!r}")
            else:
                setattr(step, key, float(value))
        if not kind.tolerant and ({"atol", "rtol"} & set(raw)):
            tolerant = " and ".join(name for name, k in QUIZ_KINDS.items() if k.tolerant)
            self.problem(f"atol and rtol apply only to {tolerant} quizzes")
        quantity = raw.get("quantity")
        worded = kind.worded and quantity is None
        step.source = self.source(raw, tables, required=not worded)
        if step.solution_step is not None and step.source is not None and not family_of(step.source).backward_steps:
            self.problem("solution_step applies to examples and circuits only")
        if worded and step.source is not None:
            self.problem("a choice without a quantity must not name an example or circuit")
        if quantity is not None:
            step.quantity = self.quantity(quantity, "quantity")
            self.fits(step.quantity, step.source, "quantity")
        elif not worded:
            self.problem("needs quantity = \"…\" (what is asked, computed with the engine)")
        kind.parse_step(step, raw, self)
        if "answer" not in raw:
            self.problem("needs answer = … (the answer as the author states it)")
        else:
            step.answer_text = _as_text(raw["answer"])
            step.answer = self.answer(step, raw["answer"], "answer")
        mistakes = raw.get("mistakes", [])
        if not isinstance(mistakes, list):
            self.problem("mistakes must be a list of tables")
            mistakes = []
        for what, spec in self.tables_in(mistakes, "mistakes", {"answer", "quantity", "feedback"}):
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

    def fits(self, quantity: Quantity | None, source, what: str) -> None:
        """A quantity is read off its own family of source: grad:x off a trace, params off a
        layer or model, accuracy off a training run."""
        if quantity is None or source is None or quantity.family == source.family:
            return
        self.problem(
            f"{what} {quantity.text!r} is asked of a {SOURCES[quantity.family].description}, "
            f"but the step names a {family_of(source).description}"
        )

    def answer(self, step: Step, value, what: str):
        """Parse a stated answer with the same reader the learner's input goes through."""
        try:
            return QUIZ_KINDS[step.quiz].stated(value, step)
        except StatedAnswerError as exc:
            self.problem(f"{what} {value!r} {exc}")
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


def _views_hint(family) -> str:
    if len(family.views) == 1:
        return f'its view is "{family.views[0]}"'
    return f"its views are {', '.join(family.views)}"


def _as_text(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_as_text(v) for v in value) + "]"
    return str(value)
