"""What every dataset is made of, how it is split, and how it is fed to a model in batches.

Datasets live on the host (numpy): features float32, class labels int64, regression targets
float32. Only the batches move to the device, one transfer per batch, through backend.to_device.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradtutor import backend
from gradtutor.backend import host as np

KINDS = ("classes", "regression", "sequence-classes")
# classes:          y int64 (N,), one label per example
# regression:       y float32 (N, outputs)
# sequence-classes: y int64 (N, T), one label per time step (copy task, character model)


@dataclass
class Dataset:
    name: str
    x: object  # host array, float32 features or int64 tokens
    y: object  # host array (see KINDS)
    kind: str
    n_classes: int | None = None  # for the class kinds
    info: dict = field(default_factory=dict)  # task facts: baseline loss, vocabulary, ...

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"dataset kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if len(self.x) != len(self.y):
            raise ValueError(f"{self.name}: {len(self.x)} inputs but {len(self.y)} targets")

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, indices, name: str | None = None) -> "Dataset":
        return Dataset(name or self.name, self.x[indices], self.y[indices], self.kind, self.n_classes, dict(self.info))


def check_counts(name: str, **counts) -> None:
    """Raise a one-line error when a size argument of generator `name` is below 1."""
    for what, value in counts.items():
        if value < 1:
            raise ValueError(f"{name} needs {what} >= 1, got {value}")


def split(dataset: Dataset, test_fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
    """A shuffled train/test split: (train, test). The test part has round(N·fraction) examples."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    n = len(dataset)
    n_test = int(round(n * test_fraction))
    if n_test == 0 or n_test == n:
        raise ValueError(f"{dataset.name}: {n} examples cannot be split with test_fraction={test_fraction}")
    order = np.random.default_rng(seed).permutation(n)
    return (dataset.subset(order[n_test:], f"{dataset.name}-train"),
            dataset.subset(order[:n_test], f"{dataset.name}-test"))


class Batches:
    """Mini-batches of (x, y) as device arrays.

    Each pass (`for xb, yb in batches`) draws a new order from the seeded generator when
    `shuffle` is on, so a seed fixes the whole sequence of epochs. The last, smaller batch is
    kept unless `drop_last`.
    """

    def __init__(self, x, y, batch_size: int, shuffle: bool = True, seed: int = 0, drop_last: bool = False):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if len(x) != len(y):
            raise ValueError(f"{len(x)} inputs but {len(y)} targets")
        self.x, self.y = x, y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = np.random.default_rng(seed)

    @classmethod
    def of(cls, dataset: Dataset, batch_size: int, **options) -> "Batches":
        return cls(dataset.x, dataset.y, batch_size, **options)

    def __len__(self) -> int:
        full, rest = divmod(len(self.x), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self):
        n = len(self.x)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for batch in range(len(self)):
            chosen = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            yield backend.to_device(self.x[chosen]), backend.to_device(self.y[chosen])
