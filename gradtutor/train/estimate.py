"""How long a training run will take, from its sizes alone, before it starts.

A cost model, not a stopwatch, so the same run gets the same estimate on any machine and under
any load: `dev check` refuses a lesson's run that a learner would wait too long for, and
`gradtutor train` says so first when a run will take minutes. Measured on two cores (numpy,
float32): the fixed cost of one training step (forward, backward, update of a small model), the
extra cost of each time step of a recurrent layer per batch, and the multiply-add rate of the
layers' matrix work (forward + backward ≈ 3 × forward). The counts come from the model itself
(`Module.cost`, from shapes): a layer that cannot say what it costs stops the estimate instead of
counting as free.

    seconds(model, example_shape, examples, epochs, batch_size)   the arithmetic
    for_run(run)         a prepared `command.Run` (what `gradtutor train` is about to train)
    for_config(config)   a `command.TrainConfig`, without making its data (a lesson's run)
"""

from __future__ import annotations

STEP_SECONDS = 0.4e-3
TIME_STEP_SECONDS = 0.1e-3
MULTIPLY_ADDS_PER_SECOND = 3e9
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
