"""Where a lesson step's numbers come from: one source family per module, one table.

    trace     examples and lesson circuits, traced (sources/trace.py)
    network   a real layer or model, run once on zeros (sources/network.py)
    training  a run of the real training loop (sources/training.py)
    init_study  a deep tanh/ReLU stack under several initialisers (sources/init_study.py)
    update      one gradient-descent step and its gradient check (sources/update.py)
    perceptron  one neuron trained by the perceptron or the delta rule (sources/perceptron.py)
    path      optimizers descending a function of x and y from one start (sources/path.py)
    race      several training runs side by side (sources/race.py)
    scaling   why attention divides by √d_k, measured (sources/scaling.py)

A family implements gradtutor.tutor.source_family.SourceFamily. Adding one is a new module here
and one entry in SOURCES; the loader, the answer keys, the check and the runner find it there.
The order is the order keys and quantity forms are listed in messages.
"""

from __future__ import annotations

from gradtutor.tutor.source_family import SourceFamily
from gradtutor.tutor.sources.init_study import INIT_STUDY
from gradtutor.tutor.sources.network import NETWORK
from gradtutor.tutor.sources.path import PATH
from gradtutor.tutor.sources.perceptron import PERCEPTRON
from gradtutor.tutor.sources.race import RACE
from gradtutor.tutor.sources.scaling import SCALING
from gradtutor.tutor.sources.trace import TRACE
from gradtutor.tutor.sources.training import TRAINING
from gradtutor.tutor.sources.update import UPDATE

SOURCES: dict[str, SourceFamily] = {
    family.name: family for family in (TRACE, NETWORK, TRAINING, INIT_STUDY, UPDATE, PERCEPTRON, PATH, RACE, SCALING)
}


def family_of(source) -> SourceFamily:
    """The family that answers a source (a Traced, a Network, a Training …)."""
    return SOURCES[source.family]
