"""The one list of names (gradtutor.names) names exactly what the implementations hold.

The CLI and the lessons read their choices from gradtutor.names, so `gradtutor --help` never
imports the training code (and numpy with it); these tests keep that list honest against the
registries it stands for, and the arguments it lists against the constructors they fill.
"""

import importlib
import inspect
import subprocess
import sys

import pytest

from gradtutor import backend, names
from gradtutor.train import command, datasets, init, layers, optim, schedules


def test_every_optimizer_schedule_dataset_and_backend_is_named():
    assert names.names("optimizer") == tuple(optim.OPTIMIZERS)
    assert names.names("schedule") == tuple(schedules.SCHEDULES)
    assert set(names.names("dataset")) == set(datasets.GENERATORS)
    assert names.names("backend") == backend.NAMES


def test_every_initializer_is_named_and_the_course_offers_four():
    assert set(names.names("init", offered_only=False)) == set(init.INITIALIZERS)
    assert names.names("init") == ("small", "large", "xavier", "he")


def test_activations_are_the_layers_registry():
    assert {name: names.resolve("activation", name) for name in names.names("activation")} == layers.ACTIVATIONS
    assert names.RECURRENT == tuple(layers.RECURRENT)
    for name, layer in layers.RECURRENT.items():
        assert names.resolve("layer", name) is layer and name in names.names("model")


@pytest.mark.parametrize("family", list(names.FAMILIES))
def test_every_name_resolves_to_its_implementation(family):
    for name in names.names(family, offered_only=False):
        module, _, attribute = names.FAMILIES[family][name].target.partition(":")
        assert callable(getattr(importlib.import_module(module), attribute)), (family, name)


def test_the_registry_resolves_optimizers_schedules_inits_and_data_to_the_registries_entries():
    for name in names.names("optimizer"):
        assert names.resolve("optimizer", name) is optim.OPTIMIZERS[name]
    for name in names.names("schedule"):
        assert names.resolve("schedule", name) is schedules.SCHEDULES[name]
    for name in names.names("init", offered_only=False):
        assert names.FAMILIES["init"][name].target.endswith(":" + init.INITIALIZERS[name].__name__)
    for name in names.names("dataset"):
        assert names.resolve("dataset", name) is datasets.GENERATORS[name]


@pytest.mark.parametrize("family", ["layer", "network"])
def test_every_argument_fills_a_keyword_of_the_constructor(family):
    for name in names.names(family):
        parameters = inspect.signature(names.resolve(family, name)).parameters
        for arg in names.get(family, name).args:
            assert arg.param is None or arg.param in parameters, (family, name, arg)


def test_the_training_command_reads_its_models_and_data_from_the_registry():
    assert tuple(command.ALLOWED_DATA) == names.names("model")
    assert command.DEFAULT_DATA == {"mlp": "spiral", "cnn": "digits", "rnn": "adding", "lstm": "adding", "gru": "adding",
                                    "transformer": "reverse", "seq2seq": "reverse"}
    assert command.TOY == ("spiral", "moons", "circles", "xor")
    assert set(command.RECIPES) == set(names.names("dataset"))


def test_check_says_what_is_offered_and_what_was_meant():
    assert names.check("optimizer", "adam") is None
    assert names.check("optimizer", "adan") == (
        "unknown optimizer 'adan'; did you mean 'adam'? choose one of: sgd, momentum, nesterov, adagrad, adadelta, "
        "rmsprop, adam"
    )
    assert names.check("dataset", "imagenet") == (
        "unknown data set 'imagenet'; choose one of: spiral, moons, circles, xor, digits, adding, copy, parity, running-parity, "
        "reverse, chars"
    )
    assert names.check("init", "zeros").startswith("unknown initializer 'zeros'")  # held, not offered
    assert names.check("layer", 3).startswith("unknown layer 3;")
    with pytest.raises(names.UnknownName, match="did you mean 'conv2d'"):
        names.get("layer", "conv2")


def test_name_valued_arguments_take_the_registry_names():
    mlp, seq2one = names.get("network", "mlp"), names.get("network", "seq2one")
    assert next(arg for arg in mlp.args if arg.name == "activation").values == names.names("activation")
    assert next(arg for arg in seq2one.args if arg.name == "cell").values == names.RECURRENT


def test_arguments_are_spelled_once_and_a_misspelling_is_named():
    assert names.get("layer", "conv2d").defaults() == {"in": None, "out": None, "kernel": None, "stride": 1, "padding": 0}
    assert names.check_args("layer", "conv2d", ["in", "padding"]) is None
    assert names.check_args("layer", "conv2d", ["pad"]) == (
        "conv2d has no argument 'pad' (did you mean 'padding'? arguments: in, out, kernel, stride, padding)"
    )
    assert names.check_args("layer", "relu", ["inplace"]) == "relu has no argument 'inplace' (arguments: none)"


def test_descriptions_speak_both_languages():
    for family, entries in names.FAMILIES.items():
        for entry in entries.values():
            assert entry.describe("en") and entry.describe("ko"), (family, entry.name)
    assert names.describe("optimizer", "adam", "ko").endswith("Adam")


def test_the_cli_offers_the_registry_names():
    from gradtutor import cli

    assert tuple(member.value for member in cli.OptimizerName) == names.names("optimizer")
    assert tuple(member.value for member in cli.ScheduleName) == names.names("schedule")
    assert cli.DATA_CHOICES == (*names.names("dataset"), "idx:DIR")
    assert tuple(member.value for member in cli.InitName) == names.names("init")
    assert tuple(member.value for member in cli.ModelKind) == names.names("model")
    assert tuple(member.value for member in cli.BackendName) == names.names("backend")


def test_importing_the_registry_imports_no_numpy():
    code = "import sys, gradtutor.names, gradtutor.errors; print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'rich', 'typer')))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
