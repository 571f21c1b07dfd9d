"""`gradtutor COMMAND …` builds the click command of COMMAND alone (cli._only_the_command_named):
what it prints and its exit code must be what the group of every command gives."""

import os
import subprocess
import sys

import pytest

from gradtutor import cli

EVERY_COMMAND = (
    "import contextlib, sys\n"
    "from gradtutor import cli\n"
    "cli._only_the_command_named = lambda words: contextlib.nullcontext()\n"
    "cli.main()\n"
)
ONE_COMMAND = "from gradtutor import cli\ncli.main()\n"


@pytest.mark.parametrize("words", [
    ["lessons"], ["lessons", "--help"], ["progress", "--lang", "ko"], ["trace", "apple"], ["trace", "--help"],
    ["trace"], ["trace", "apple", "--bogus"], ["trace", "apple", "--step", "x"], ["export", "--help"], ["train", "--help"],
    ["dev", "check", "--help"], ["dev"], ["ops", "--help"], ["lesons"], ["--version"], ["--help"], [],
])
def test_one_command_built_answers_as_every_command_built(tmp_path, words):
    env = dict(os.environ, GRADTUTOR_HOME=str(tmp_path), COLUMNS="100")
    every, one = (subprocess.run([sys.executable, "-c", code, *words], capture_output=True, text=True, env=env)
                  for code in (EVERY_COMMAND, ONE_COMMAND))
    assert (one.returncode, one.stdout, one.stderr) == (every.returncode, every.stdout, every.stderr)
    assert one.stdout or one.stderr


def test_the_group_keeps_every_command_after_a_run(monkeypatch):
    before = list(cli.app.registered_commands), list(cli.app.registered_groups)
    monkeypatch.setattr(sys, "argv", ["gradtutor", "examples"])
    with pytest.raises(SystemExit):
        cli.main()
    assert (cli.app.registered_commands, cli.app.registered_groups) == before
