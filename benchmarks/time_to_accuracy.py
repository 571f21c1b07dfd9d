"""Time to accuracy: the README's default training runs, gradtutor against the same run in PyTorch.

What a learner waits for is a whole run, not one step. Each case below is a default
`gradtutor train` run (its data, model, recipe, seed), trained twice from the same start: once by
gradtutor's own loop (`command.train`, load-aware BLAS threads and all), once by a plain PyTorch
script that copies the initial weights, reads the same mini-batches in the same order (the same
seeded `Batches`), uses the same optimizer settings (Adam's corrections written as PyTorch does
them, the same global-norm clip) and evaluates the held-out set after every epoch as gradtutor's
loop does. PyTorch keeps its default threads. Each side's clock starts when its training starts
and stops at the end of the epoch where the target is first met, and again at the end of the
run.

Each side runs in a process of its own, as a learner's `gradtutor train` and a PyTorch script
would: with torch merely imported, gradtutor's LSTM run took about a tenth longer (measured: three
epochs 5.0–5.6 s against 4.6–5.1 s), so sharing one process would not be either side's real time.
Both processes build the same run from its seed (data, initial weights); the PyTorch one copies
the weights and checks that its copy computes what the model computes before it trains.
`--one-process` runs both sides in this process instead, for comparison.

    spiral   gradtutor train mlp --data spiral    epoch accuracy (as trained) ≥ 99 %
    digits   gradtutor train cnn --data digits    held-out accuracy ≥ 99 %
    adding   gradtutor train lstm --data adding   held-out MSE ≤ 0.001 (predicting the mean: 0.167)

The two sides take turns, `--rounds` times (medians); goal: gradtutor's time ≤ PyTorch's (ratio ≤ 1.0).
Needs torch (`pip install torch`).

    python benchmarks/time_to_accuracy.py [--rounds 1] [--only spiral,digits,adding] [--one-process]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

from gradtutor.train import command, layers as L, models
from gradtutor.train.datasets.core import Batches


@dataclass(frozen=True)
class Case:
    model: str
    data: str
    measure: str  # "accuracy" (training, as trained), "val_accuracy" or "val_loss"
    target: float

    def met(self, value) -> bool:
        if value is None or not math.isfinite(value):
            return False
        return value <= self.target if self.measure == "val_loss" else value >= self.target

    def describe(self) -> str:
        words = {"accuracy": "epoch accuracy", "val_accuracy": "held-out accuracy", "val_loss": "held-out MSE"}
        shown = f"{self.target:.0%}" if "accuracy" in self.measure else f"{self.target:g}"
        return f"{words[self.measure]} {'≤' if self.measure == 'val_loss' else '≥'} {shown}"


CASES = {
    "spiral": Case("mlp", "spiral", "accuracy", 0.99),
    "digits": Case("cnn", "digits", "val_accuracy", 0.99),
    "adding": Case("lstm", "adding", "val_loss", 0.001),
}


@dataclass
class Outcome:
    to_target: float | None  # seconds until the epoch that met the target; None: never met
    epoch: int | None
    total: float  # seconds for the whole run (its final evaluation included)
    final: float  # the measure after the last epoch
    start: str = ""  # a fingerprint of the initial weights: every process must start from the same


# -- gradtutor --------------------------------------------------------------------------------------


def run_gradtutor(case: Case, run) -> Outcome:
    reached: list = []
    started = time.perf_counter()

    def on_epoch(record):
        if not reached and case.met(getattr(record, case.measure)):
            reached.append((time.perf_counter() - started, record.epoch))

    result = command.train(run, on_epoch=on_epoch)
    total = time.perf_counter() - started
    final = getattr(result.history.last, case.measure)
    to_target, epoch = reached[0] if reached else (None, None)
    return Outcome(to_target, epoch, total, final)


# -- PyTorch ----------------------------------------------------------------------------------------


def torch_model(model):
    """The same network in PyTorch, holding a copy of `model`'s current weights."""
    import torch
    from torch import nn

    def tensor(array):
        return torch.from_numpy(np.ascontiguousarray(np.asarray(array, dtype=np.float32)))

    def mirror(layer):
        if isinstance(layer, L.Sequential):
            return nn.Sequential(*(mirror(inner) for inner in layer))
        if isinstance(layer, L.Linear):
            out = nn.Linear(*layer.weight.shape)
            out.weight.data = tensor(layer.weight.data.T)
            out.bias.data = tensor(layer.bias.data)
            return out
        if isinstance(layer, L.Conv2d):
            channels_out, channels_in, kh, kw = layer.weight.shape
            out = nn.Conv2d(channels_in, channels_out, (kh, kw), stride=layer.window.stride, padding=layer.window.padding)
            out.weight.data = tensor(layer.weight.data)
            out.bias.data = tensor(layer.bias.data)
            return out
        if isinstance(layer, L.MaxPool2d):
            return nn.MaxPool2d(layer.window.kernel, layer.window.stride, layer.window.padding)
        simple = {L.ReLU: nn.ReLU, L.Tanh: nn.Tanh, L.Sigmoid: nn.Sigmoid, L.Flatten: nn.Flatten}
        if type(layer) in simple:
            return simple[type(layer)]()
        raise TypeError(f"no PyTorch mirror for {type(layer).__name__}")

    if isinstance(model, models.MLP):
        return mirror(model.net)
    if isinstance(model, models.LeNet):
        return nn.Sequential(mirror(model.features), mirror(model.classifier))
    if isinstance(model, models.SequenceToOne) and isinstance(model.recurrent, L.LSTM):
        return _LastState(model, tensor, mirror)
    raise TypeError(f"no PyTorch mirror for {type(model).__name__}")


def _LastState(model, tensor, mirror):
    """nn.LSTM + a linear head on the last state, with gradtutor's gates (i, f, o, g) put in
    PyTorch's order (i, f, g, o) and the whole bias on the input side."""
    import torch
    from torch import nn

    hidden = model.recurrent.hidden_size
    i, f, o, g = (slice(k * hidden, (k + 1) * hidden) for k in range(4))
    order = np.r_[i, f, g, o]

    class LastState(nn.Module):
        def __init__(self):
            super().__init__()
            self.recurrent = nn.LSTM(model.recurrent.weight_x.shape[0], hidden, batch_first=True)
            self.head = mirror(model.head)
            with torch.no_grad():
                self.recurrent.weight_ih_l0.copy_(tensor(model.recurrent.weight_x.data[:, order].T))
                self.recurrent.weight_hh_l0.copy_(tensor(model.recurrent.weight_h.data[:, order].T))
                self.recurrent.bias_ih_l0.copy_(tensor(model.recurrent.bias.data[order]))
                self.recurrent.bias_hh_l0.zero_()

        def forward(self, x):
            states, _ = self.recurrent(x)
            return self.head(states[:, -1])

    return LastState()


def run_torch(case: Case, run) -> Outcome:
    import torch
    from torch import nn

    settings = run.config.settings
    net = torch_model(run.model)
    regression = run.model.task == "regression"
    loss_of = nn.functional.mse_loss if regression else nn.functional.cross_entropy
    optimizer = torch.optim.Adam(net.parameters(), lr=settings["lr"], betas=(0.9, 0.999), eps=1e-8)
    batches = Batches(run.train_set.x, run.train_set.y, settings["batch_size"], shuffle=True, seed=run.config.seed)
    count = len(run.train_set)

    def target_of(t):
        return torch.from_numpy(t) if regression else torch.from_numpy(t).long()

    def evaluate(data):
        net.eval()
        total, correct = 0.0, 0
        with torch.no_grad():
            for x, t in Batches(data.x, data.y, 256, shuffle=False):
                out = net(torch.from_numpy(x))
                total += float(loss_of(out, target_of(t))) * len(x)
                if not regression:
                    correct += int((out.argmax(-1) == target_of(t)).sum())
        net.train()
        return total / len(data), (None if regression else correct / len(data))

    reached = None
    final = None
    started = time.perf_counter()
    for epoch in range(1, settings["epochs"] + 1):
        loss_sum, correct = torch.zeros(()), torch.zeros((), dtype=torch.int64)
        for x, t in batches:
            x, t = torch.from_numpy(x), target_of(t)
            optimizer.zero_grad()
            out = net(x)
            loss = loss_of(out, t)
            loss.backward()
            if settings.get("clip"):
                nn.utils.clip_grad_norm_(net.parameters(), settings["clip"])
            optimizer.step()
            loss_sum += loss.detach() * len(x)
            if not regression:
                correct += (out.detach().argmax(-1) == t).sum()
        figures = {"accuracy": None if regression else int(correct) / count, "val_loss": None, "val_accuracy": None}
        if run.test_set is not None:
            figures["val_loss"], figures["val_accuracy"] = evaluate(run.test_set)
        final = figures[case.measure]
        if reached is None and case.met(final):
            reached = (time.perf_counter() - started, epoch)
    evaluate(run.train_set)  # gradtutor's run ends by evaluating the training set
    total = time.perf_counter() - started
    to_target, epoch = reached if reached else (None, None)
    return Outcome(to_target, epoch, total, final)


def _check_mirror(run) -> None:
    """Stop unless the PyTorch copy computes what the model computes (one batch, float32)."""
    import torch

    x = run.train_set.x[:32]
    ours = np.asarray(run.model(x).data)
    theirs = torch_model(run.model)(torch.from_numpy(x)).detach().numpy()
    gap = float(np.abs(ours - theirs).max())
    if not gap <= 1e-4 * max(1.0, float(np.abs(ours).max())):
        raise SystemExit(f"the PyTorch copy of {run.config.model} differs from it by {gap:g}: not the same network")


# -- the table --------------------------------------------------------------------------------------


def _shown(value, measure: str) -> str:
    if value is None:
        return "—"
    return f"{value:.2%}" if "accuracy" in measure else f"{value:.2g}"


def _prepared(case: Case):
    """The default run of `case`, built from its seed: the same data and weights in every process."""
    return command.prepare(command.resolve(command.TrainConfig(model=case.model, data=case.data)))


def _one_side(name: str, side: str) -> Outcome:
    """One training run of one side, in this process (the mirror checked first for PyTorch)."""
    case = CASES[name]
    run = _prepared(case)
    start = _fingerprint(run.model)
    if side == "torch":
        _check_mirror(run)
        outcome = run_torch(case, run)
    else:
        outcome = run_gradtutor(case, run)
    outcome.start = start
    return outcome


def _fingerprint(model) -> str:
    """The initial weights, summed exactly (float64 of float32 values) and hashed with their shapes."""
    import hashlib

    digest = hashlib.sha256()
    for key, array in sorted(model.state_dict().items()):
        digest.update(key.encode() + np.ascontiguousarray(np.asarray(array)).tobytes())
    return digest.hexdigest()[:16]


def _in_own_process(name: str, side: str) -> Outcome:
    """`_one_side` in a fresh interpreter: gradtutor's never imports torch."""
    done = subprocess.run([sys.executable, __file__, "--side", side, "--only", name],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the {side} run of {name} failed:\n{done.stderr.strip()}")
    return Outcome(**json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="turns of both sides (medians over them)")
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--one-process", action="store_true", help="both sides in this process, one after the other")
    parser.add_argument("--side", choices=("gradtutor", "torch"), help=argparse.SUPPRESS)  # a child's one run
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    if args.side:
        print(json.dumps(asdict(_one_side(names[0], args.side))))
        return
    import torch

    where = "both in this process" if args.one_process else "each side in a process of its own"
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads); gradtutor: load-aware threads; {where}")
    print(f"{'case':<8}{'target':<24}{'gradtutor s':>12}{'PyTorch s':>11}{'ratio':>8}"
          f"{'whole run':>11}{'PyTorch':>9}{'ratio':>8}  final (gradtutor / PyTorch)")
    side = _one_side if args.one_process else _in_own_process
    for name in names:
        case = CASES[name]
        ours, theirs = [], []
        for _ in range(args.rounds):  # every round, both sides start from the same weights
            theirs.append(side(name, "torch"))
            ours.append(side(name, "gradtutor"))
        if len({outcome.start for outcome in ours + theirs}) != 1:
            raise SystemExit(f"{name}: the runs did not start from the same weights")
        row = f"{name:<8}{case.describe():<24}"
        to_ours = [o.to_target for o in ours if o.to_target is not None]
        to_theirs = [o.to_target for o in theirs if o.to_target is not None]
        if len(to_ours) == len(ours) and len(to_theirs) == len(theirs):
            a, b = statistics.median(to_ours), statistics.median(to_theirs)
            row += f"{a:>12.2f}{b:>11.2f}{a / b:>7.2f}×"
        else:
            row += f"{'not met' if len(to_ours) < len(ours) else statistics.median(to_ours):>12}"
            row += f"{'not met' if len(to_theirs) < len(theirs) else statistics.median(to_theirs):>11}{'':>8}"
        a, b = statistics.median(o.total for o in ours), statistics.median(o.total for o in theirs)
        row += f"{a:>11.2f}{b:>9.2f}{a / b:>7.2f}×"
        epochs = f"epoch {ours[-1].epoch} / {theirs[-1].epoch}"
        row += f"  {_shown(ours[-1].final, case.measure)} / {_shown(theirs[-1].final, case.measure)}, target at {epochs}"
        print(row, flush=True)
    print("goal: gradtutor's time to the target no more than PyTorch's (ratio ≤ 1.0×)")


if __name__ == "__main__":
    main()
