"""The architecture, checked: imports point one way along the chain, and one module owns numpy.

ops → engine → recorded graph → tracer → renderers → tutor and CLI. Each module has a rank; a
module may import modules of its own rank or lower, never higher (imports inside functions count
too). Training sits beside the chain: it may use the engine, never the tracer, renderers or tutor.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gradtutor"

# Lower ranks are further upstream.
RANKS = {
    "numbers": 0,
    "errors": 0,
    "memory": 0,
    "names": 0,
    "backend": 0,
    "cpu": 0,
    "lang": 0,
    "ops": 1,
    "autodiff": 2,
    "engine": 2,
    "tensor": 2,
    "graph": 3,
    "examples": 3,
    "expr": 3,
    "train": 3,
    "tracer": 4,
    "targets": 4,
    "render": 5,
    "tutor": 6,
    "cli_values": 7,  # the CLI's reading of option values
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


# -- the op table does not depend on import order --------------------------------------------------

MODULES = sorted(
    ".".join(("gradtutor",) + path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
    for path in SOURCES
    if path.name != "__main__.py"
)
TABLE = "from gradtutor import ops; print(len(ops.OPS), ' '.join(ops.OPS))"


def test_the_op_table_is_the_same_whichever_module_is_imported_first():
    """Each module imported first in a fresh process, then the table read: the same ops, in the
    same order, every time (fused layer ops included, without training loaded)."""
    runs = {
        module: subprocess.Popen(
            [sys.executable, "-c", f"import {module}; {TABLE}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for module in MODULES
    }
    reference = subprocess.run([sys.executable, "-c", TABLE], capture_output=True, text=True, check=True).stdout
    count, names = reference.split(" ", 1)
    assert {"conv2d", "lstm", "gru", "batch_norm", "matmul", "add"} <= set(names.split())
    for module, run in runs.items():
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, f"import {module}: {err}"
        assert out == reference, f"importing {module} first gives {out.split(' ', 1)[0]} ops, not {count}"


# -- no import cycle inside a package ---------------------------------------------------------------

# Packages with a cycle that is being removed elsewhere; delete an entry once its cycle is gone.
KNOWN_CYCLES: dict[str, str] = {}


def _package_graph(package: Path) -> dict[str, set[str]]:
    """The import graph among a package's direct members (modules and subpackages, a subpackage's
    files counted as the subpackage), module-level and function-level imports alike."""
    dotted = ".".join(("gradtutor",) + package.relative_to(PACKAGE).parts) if package != PACKAGE else "gradtutor"
    members = {p.stem for p in package.glob("*.py")} | {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    graph: dict[str, set[str]] = {member: set() for member in members}
    for path in package.rglob("*.py"):
        source = path.relative_to(package).parts[0].removesuffix(".py")
        for target in _imported_modules(path, dotted):
            if target.startswith(dotted + "."):
                member = target[len(dotted) + 1:].split(".")[0]
            elif target == dotted:
                member = "__init__"
            else:
                continue
            if member in graph and member != source:
                graph[source].add(member)
    return graph


def _imported_modules(path: Path, dotted_package: str):
    """Every gradtutor module the file imports, `from a import b` read as a.b where b is a module."""
    here = ".".join(("gradtutor",) + path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
    is_init = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here.split(".")[: len(here.split(".")) - node.level + (1 if is_init else 0)]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                relative = candidate.replace(".", "/").removeprefix("gradtutor/")
                if (PACKAGE / f"{relative}.py").exists() or (PACKAGE / relative / "__init__.py").exists():
                    yield candidate
                else:
                    yield base


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node, path):
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target] if target in path else [node, target]
            if target not in state:
                found = visit(target, path + [target])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


PACKAGES = [PACKAGE] + sorted(p.parent for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_no_import_cycle_inside_a_package(package):
    cycle = _cycle(_package_graph(package))
    if cycle and package.name in KNOWN_CYCLES:
        pytest.xfail(KNOWN_CYCLES[package.name])
    assert cycle is None, f"{package.relative_to(PACKAGE.parent)} imports in a circle: {' → '.join(cycle)}"


def test_a_cycle_is_found():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
