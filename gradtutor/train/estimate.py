"""How long a training run will take, from its sizes alone, before it starts.

A cost model, not a stopwatch, so the same run gets the same estimate on any machine and under
any load: `dev check` refuses a lesson's run that a learner would wait too long for, and
`gradtutor train` says so first when a run will take longer than LONG_SECONDS. Three constants:
the fixed cost of one training step (forward, backward, update; the Python work of a small
model), the extra cost of each time step of a recurrent layer per batch, and the rate of the
layers' matrix work in multiply-adds (forward + backward ≈ 3 × forward). The counts come from
the model itself (`Module.cost`, from shapes), with each layer's `overhead` for work besides its
weight products (a convolution's im2col, a batch norm's statistics: layers.NORM_WORK): a layer
that cannot say what it costs stops the estimate instead of counting as free.

Calibration (benchmarks/estimate.py): every default `gradtutor train` run (each model on its
default data, cnn --arch vgg and resnet, transformer --data chars), timed in parts on its own
model and extrapolated to its epochs, as process CPU time at one BLAS thread (numpy, float32,
OpenBLAS) on this project's 2-core x86-64 build machine while other work shared it (load average
5–9; wall time ran up to 1.4× the CPU time, so CPU time is the figure). Two rounds, in CPU
seconds: mlp 1.5–2.2, cnn (lenet) 13.8–15.6, cnn vgg 48.6–48.7, cnn resnet 71.0–79.8, rnn
13.2–17.2, lstm 64.0–68.0, gru 57.0–57.4, seq2seq 42.4–45.5, transformer (reverse) 6.4–7.2,
transformer chars 56.9–60.0. Whole `gradtutor train` runs agree: lstm 62.1 s of CPU, rnn 14.9,
cnn 14.2, transformer 6.1. With the constants below every estimate is 0.74–1.37× of those, and
over LONG_SECONDS exactly for the runs that took longer (cnn vgg and resnet, lstm, gru, seq2seq,
transformer chars). Two BLAS threads on an idle machine finish sooner; a busy one, later.

    seconds(model, example_shape, examples, epochs, batch_size)   the arithmetic
    for_run(run)         a prepared `command.Run` (what `gradtutor train` is about to train)
    for_config(config)   a `command.TrainConfig`, without making its data (a lesson's run)
"""

from __future__ import annotations

STEP_SECONDS = 0.6e-3  # the mlp on spiral: 0.5–0.7 ms a step of 32 examples
TIME_STEP_SECONDS = 5e-6  # the fused recurrent gates leave little per step beyond their products
MULTIPLY_ADDS_PER_SECOND = 12e9  # im2col counted as overhead; vgg, transformer and lstm agree
LONG_SECONDS = 20.0  # a run longer than this is announced before it starts


def seconds(model, example_shape: tuple[int, ...], examples: int, epochs: int, batch_size: int) -> float:
    """Estimated training time of `model` over `examples` examples of `example_shape`."""
    cost = model.cost(tuple(example_shape))  # each layer's own count, one example
    per_example = cost.multiply_adds + cost.overhead
    batches = -(-examples // batch_size)
    epoch = batches * (STEP_SECONDS + cost.time_steps * TIME_STEP_SECONDS) + 3 * per_example * examples / MULTIPLY_ADDS_PER_SECOND
    return (epochs + 1 / 3) * epoch  # + the final evaluation, a forward pass: about a third of an epoch


def for_run(run) -> float:
    """The estimate for a prepared run: its own model and training set."""
    settings = run.config.settings
    return seconds(run.model, run.train_set.x.shape[1:], len(run.train_set), settings["epochs"], settings["batch_size"])


def for_config(config) -> float:
    """The estimate for a config, from the same model built on a handful of examples (shapes,
    not numbers): the full data set is not made."""
    from dataclasses import replace

    from gradtutor.train import command

    config = command.resolve(config)
    settings = config.settings
    probe = command.prepare(replace(config, samples=min(8, settings.get("samples") or 8), settings={}))
    return seconds(probe.model, probe.train_set.x.shape[1:], _examples(config), settings["epochs"], settings["batch_size"])


def _examples(config) -> int:
    """Training examples the resolved config will have (after the held-out part)."""
    settings = config.settings
    if config.data == "chars":
        from gradtutor.train import command

        return len(command.prepare(config).train_set)
    count = settings["samples"] * (3 if config.data == "spiral" else 1)  # spiral: per class
    return count - int(round(count * settings["test"]))
