"""The architecture, checked: imports point one way along the chain, and one module owns numpy.

ops → engine → recorded graph → tracer → renderers → tutor and CLI. Each module has a rank; a
module may import modules of its own rank or lower, never higher (imports inside functions count
too). Training sits beside the chain: it may use the engine, never the tracer, renderers or tutor.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gradtutor"

# Lower ranks are further upstream.
RANKS = {
    "numbers": 0,
    "errors": 0,
    "names": 0,
    "backend": 0,
    "lang": 0,
    "ops": 1,
    "engine": 2,
    "tensor": 2,
    "functional": 2,
    "graph": 3,
    "examples": 3,
    "expr": 3,
    "train": 3,
    "tracer": 4,
    "targets": 4,
    "render": 5,
    "tutor": 6,
    "cli": 7,
    "__main__": 7,
}


def module_key(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = relative.parts
    if parts[0] == "__init__":
        return "__init__"
    return parts[0]


def gradtutor_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "gradtutor":
                for alias in node.names:
                    yield alias.name, node.lineno
            elif node.module.startswith("gradtutor."):
                yield node.module.split(".")[1], node.lineno
            elif node.level and node.module:
                yield node.module.split(".")[0], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("gradtutor."):
                    yield alias.name.split(".")[1], node.lineno


def array_imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        for name in names:
            if name.split(".")[0] in ("numpy", "cupy", "cupyx"):
                yield name, node.lineno


SOURCES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_upstream(path):
    key = module_key(path)
    if key == "__init__":
        return  # the package's front door re-exports, lazily
    assert key in RANKS, f"{key} has no place in the chain yet: give it a rank in this test"
    for target, line in gradtutor_imports(path):
        if target not in RANKS:
            continue  # a name re-exported by gradtutor/__init__ (Value, Tensor ...)
        assert RANKS[target] <= RANKS[key], (
            f"{path.relative_to(PACKAGE)}:{line} imports {target}, which is downstream of {key}"
        )


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_backend_imports_an_array_library(path):
    if path.name == "backend.py":
        return
    found = list(array_imports(path))
    assert not found, f"{path.relative_to(PACKAGE)} imports {found}: ask gradtutor.backend instead"


def test_training_stays_beside_the_chain():
    for path in (PACKAGE / "train").rglob("*.py") if (PACKAGE / "train").exists() else []:
        for target, line in gradtutor_imports(path):
            assert target not in ("tracer", "render", "tutor", "cli"), (
                f"{path.relative_to(PACKAGE)}:{line} reaches into {target}"
            )


# Only the command line prints: library code returns text and renderables. The one exception is
# the lessons' interactive session: it is a conversation at the terminal (a prompt, the learner's
# answer, feedback on it, the next prompt), so it prints to the console the CLI hands it as it
# goes; a list of renderables returned at the end could not ask the next question. `dev check`
# returns its problems as lines and renders views without printing them (render.term.plain_text).
PRINTERS = {"cli.py", "tutor/session.py"}


def print_calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id == "print":
                yield "print", node.lineno
            elif isinstance(function, ast.Attribute) and function.attr == "print":
                yield ".print", node.lineno


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_cli_prints(path):
    if str(path.relative_to(PACKAGE)) in PRINTERS:
        return
    found = list(print_calls(path))
    assert not found, f"{path.relative_to(PACKAGE)} prints ({found}): return the text or renderable to the CLI"


def test_the_print_scan_sees_what_the_cli_prints():
    assert list(print_calls(PACKAGE / "cli.py")), "cli.py prints through console.print: the scan must find it"
