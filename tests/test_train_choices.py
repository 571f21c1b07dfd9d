"""The `gradtutor train` choices name what the registries hold.

The CLI spells its choices out as Enums, so `gradtutor --help` never imports the training code
(and numpy with it); this keeps those spellings honest against the registries they select from.
"""

from gradtutor import backend
from gradtutor.train import datasets, init, optim, schedules
from gradtutor.train.command import BackendName, DataName, InitName, OptimizerName, ScheduleName


def values(enum_class) -> set[str]:
    return {member.value for member in enum_class}


def test_every_optimizer_is_offered():
    assert values(OptimizerName) == set(optim.OPTIMIZERS)


def test_every_schedule_is_offered():
    assert values(ScheduleName) == set(schedules.SCHEDULES)


def test_every_dataset_is_offered():
    assert values(DataName) == set(datasets.GENERATORS)


def test_every_backend_is_offered():
    assert values(BackendName) == set(backend.NAMES)


def test_initializers_offered_exist():
    # The CLI offers the four the course compares; the registry has variants (uniform, zeros) too.
    assert values(InitName) <= set(init.INITIALIZERS)
    assert {"small", "large", "xavier", "he"} <= values(InitName)
