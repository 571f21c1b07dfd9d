"""A lesson's transformer run shows its attention map under the training view."""

from gradtutor.render.term import plain_text
from gradtutor.tutor import training
from gradtutor.tutor.sources.training import TRAINING


def test_a_transformer_run_shows_the_attention_of_every_block_and_head():
    run = training.spec("tiny", {"model": "transformer", "data": "reverse", "samples": 40, "length": 2,
                                 "hidden": 8, "epochs": 1, "batch_size": 20})
    outcome = training.run(run)
    tokens, weights = outcome.attention
    assert len(tokens) == 4 and "=" in tokens  # two digits, the separator, one answer digit
    assert weights.shape == (2, 4, 4, 4)  # the recipe's 2 blocks × 4 heads, T × T
    assert (abs(weights.sum(axis=-1) - 1) < 1e-5).all()  # each query's weights add up to 1
    above = weights[..., [0, 0, 1], [1, 2, 2]]
    assert (above == 0).all()  # causal: no weight on a later position
    view, attention_map = TRAINING.show(None, outcome, "en")
    assert "block 2, head 4" in plain_text(attention_map)


def test_a_run_without_attention_shows_only_its_view():
    outcome = training.run(training.spec("xor", {"model": "mlp", "data": "xor", "hidden": 4, "epochs": 2, "samples": 20}))
    assert outcome.attention is None and len(TRAINING.show(None, outcome, "en")) == 1
