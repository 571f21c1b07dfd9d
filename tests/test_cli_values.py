"""gradtutor/cli_values.py reads plain option values without pydantic: every option of every
command must get the very value typer's own reader gives, and what is not plain goes to typer."""

import subprocess
import sys

import pytest
import typer.main

from gradtutor.cli import app
from gradtutor.cli_values import PlainValues, install

SAMPLES = [None, (), ("x=1", "y=2"), "", "3", "-2", "007", "1.5", "-0.25", "1e3", "abc", "nan", " 3", "table", "json",
           "en", "ko", "mlp", "cnn", "sgd", "adam", "1_000", "+3"]


def every_command():
    group = typer.main.get_command(app)
    ctx = group.make_context("gradtutor", ["examples"])
    stack = [(group, ctx)]
    while stack:
        command, context = stack.pop()
        yield command, context
        for name in getattr(command, "commands", {}):
            sub = command.get_command(context, name)
            stack.append((sub, context))


def outcome(reader, value, param, ctx):
    try:
        return "value", reader.coerce(value, param=param, ctx=ctx)
    except Exception as error:  # typer's error for a bad value: the plain reader must give the same
        return "error", type(error).__name__, str(error)


def test_every_option_gets_the_value_typers_reader_gives(tmp_path):
    from typer._coercion import build_runtime_param

    unreadable = tmp_path / "unreadable"
    unreadable.write_text("x")
    unreadable.chmod(0)
    paths = [str(tmp_path), str(tmp_path / "absent" / "file"), str(unreadable), "-", "."]

    compared = 0
    for command, ctx in every_command():
        for param in command.get_params(ctx):
            if not hasattr(param, "type_descriptor"):
                continue
            typers = build_runtime_param(param.type_descriptor)
            plain = PlainValues(lambda: build_runtime_param(param.type_descriptor))
            values = SAMPLES + paths + [param.default] + [getattr(choice, "value", choice) for choice in (param.type_descriptor.choices or [])]
            for value in values:
                if isinstance(value, tuple) and not (param.multiple or param.nargs == -1):
                    continue
                expected = outcome(typers, value, param, ctx)
                got = outcome(plain, value, param, ctx)
                assert repr(got) == repr(expected), (command.name, param.name, value)
                assert type(got[-1]) is type(expected[-1]), (command.name, param.name, value)
                compared += 1
    assert compared > 500


def test_install_reads_plain_values_itself():
    group = typer.main.get_command(app)
    ctx = group.make_context("gradtutor", ["examples"])
    trace = group.get_command(ctx, "trace")
    install(trace, ctx)
    readers = {param.name: param._runtime_param for param in trace.get_params(ctx) if hasattr(param, "type_descriptor")}
    assert all(isinstance(reader, PlainValues) for reader in readers.values())
    step = next(param for param in trace.get_params(ctx) if param.name == "step")
    assert readers["step"].coerce("3", step, ctx) == 3 and readers["step"]._typers is None  # typer's reader not built


@pytest.mark.parametrize("argv", [["lessons"], ["progress"], ["trace", "apple"], ["trace", "apple", "--step", "1", "--format", "json"]])
def test_listing_and_tracing_import_neither_pydantic_nor_numpy(argv, tmp_path):
    probe = (
        "import sys\n"
        f"sys.argv = ['gradtutor', *{argv!r}, *(['--home', {str(tmp_path)!r}] if {argv[0]!r} != 'trace' else [])]\n"
        "from gradtutor.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('loaded:', sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'numpy', 'networkx'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "loaded: []", done.stdout[-500:]
