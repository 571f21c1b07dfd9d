"""The time estimate of every default `gradtutor train` run beside the time the run takes.

gradtutor/train/estimate.py predicts a run's seconds from its sizes alone; this measures each
default run (every model on its default data, cnn --arch vgg and resnet, transformer --data
chars) and prints the estimate, the measured seconds and their ratio. The calibration of
estimate.py's constants comes from this table.

A full default run takes minutes, so each is measured in parts and added up as `command.train`
runs them: `--batches` training steps on the run's own model and batch size (per step, times
the batches of an epoch, times the epochs), the per-epoch evaluation of the held-out data
(whole), the final evaluation of the training set (on up to 2048 examples, scaled), and for
reverse the greedy decoding of the held-out strings, for chars the sampled text. Each part is
timed twice: process CPU time, which another process's load barely changes at one BLAS thread,
and wall time. The load average is printed before and after: on a shared machine the wall
column can be several times the CPU column.

    python benchmarks/estimate.py [--batches 20] [--only lstm,cnn-vgg] [--threads 1]
"""

from __future__ import annotations

import os
import sys

# Threads must be fixed before numpy loads its BLAS, so --threads is read here.
THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv[:-1] else "1"
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS

import argparse  # noqa: E402
import time  # noqa: E402

from gradtutor.train import command, estimate, loop  # noqa: E402

RUNS = {  # name -> the `gradtutor train` options of a default run
    "mlp": dict(model="mlp"),
    "cnn": dict(model="cnn"),
    "cnn-vgg": dict(model="cnn", arch="vgg"),
    "cnn-resnet": dict(model="cnn", arch="resnet"),
    "rnn": dict(model="rnn"),
    "lstm": dict(model="lstm"),
    "gru": dict(model="gru"),
    "seq2seq": dict(model="seq2seq"),
    "transformer": dict(model="transformer"),
    "transformer-chars": dict(model="transformer", data="chars"),
}
EVALUATED = 2048  # training examples the final evaluation is timed on


class Clock:
    """CPU and wall seconds of what runs inside `with clock:`, added up over its uses."""

    def __init__(self):
        self.cpu = self.wall = 0.0

    def __enter__(self):
        self._started = (time.process_time(), time.perf_counter())
        return self

    def __exit__(self, *exc_info):
        self.cpu += time.process_time() - self._started[0]
        self.wall += time.perf_counter() - self._started[1]
        return False

    def scaled(self, factor: float) -> tuple[float, float]:
        return self.cpu * factor, self.wall * factor


def measure(options: dict, steps: int) -> dict:
    """The run's estimate and its measured seconds (cpu, wall), with the parts they add up from."""
    run = command.prepare(command.TrainConfig(**options))
    settings = run.config.settings
    epochs, batch_size = settings["epochs"], settings["batch_size"]
    batches = -(-len(run.train_set) // batch_size)
    steps = min(steps, batches)
    guess = estimate.for_run(run)
    optimizer = command.make_optimizer(run)
    examples = min(len(run.train_set), steps * batch_size)
    loop.fit(run.model, run.train_set.subset(list(range(min(examples, batch_size)))), optimizer, 1, batch_size,
             seed=run.config.seed, clip=settings["clip"])  # one warm-up step: first-call costs
    train = Clock()
    with train:
        loop.fit(run.model, run.train_set.subset(list(range(examples))), optimizer, 1, batch_size,
                 seed=run.config.seed, clip=settings["clip"])
    held_out = Clock()
    if run.test_set is not None:
        with held_out:
            loop.evaluate(run.model, run.test_set)
    final = Clock()
    evaluated = min(len(run.train_set), EVALUATED)
    with final:
        loop.evaluate(run.model, run.train_set.subset(list(range(evaluated))))
    extra = Clock()
    with extra:
        if run.config.data == "reverse":
            command.sequence_accuracy(run)
        if run.config.data == "chars":
            command.sample_text(run, length=200, temperature=settings["temperature"])
    parts = [train.scaled(epochs * batches / steps), held_out.scaled(epochs), final.scaled(len(run.train_set) / evaluated),
             extra.scaled(1)]
    cpu, wall = sum(p[0] for p in parts), sum(p[1] for p in parts)
    return dict(estimate=guess, cpu=cpu, wall=wall, epochs=epochs, batches=batches, step_ms=1e3 * train.cpu / steps,
                eval_share=(cpu - parts[0][0]) / cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="training steps timed per run (default 20)")
    parser.add_argument("--only", help=f"comma-separated runs of: {', '.join(RUNS)}")
    parser.add_argument("--threads", default="1", help="BLAS threads (default 1: CPU time barely moves with the load)")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(RUNS)
    unknown = [name for name in chosen if name not in RUNS]
    if unknown:
        parser.error(f"unknown run {unknown[0]!r}; runs: {', '.join(RUNS)}")
    print(f"BLAS threads {THREADS}; {args.batches} training steps timed per run; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'run':<18}{'epochs':>7}{'batches':>8}{'step ms':>9}{'eval':>6}{'estimate s':>12}{'cpu s':>9}"
          f"{'wall s':>9}{'est/cpu':>9}  warns")
    for name in chosen:
        m = measure(RUNS[name], args.batches)
        warns = m["estimate"] > estimate.LONG_SECONDS
        right = warns == (m["cpu"] > estimate.LONG_SECONDS)
        print(f"{name:<18}{m['epochs']:>7}{m['batches']:>8}{m['step_ms']:>9.1f}{m['eval_share']:>6.0%}"
              f"{m['estimate']:>12.1f}{m['cpu']:>9.1f}{m['wall']:>9.1f}{m['estimate'] / m['cpu']:>9.2f}"
              f"  {'yes' if warns else 'no'}{'' if right else ' (wrong)'}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end; est/cpu within 0.5–2 is the goal, "
          f"and a warning exactly for the runs over {estimate.LONG_SECONDS:g} s")


if __name__ == "__main__":
    main()
