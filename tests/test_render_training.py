"""A training run shown: golden text at 80 and 60 columns in both languages, and the proof that
the lessons' training and layer views are these renderables (the same text, word for word)."""

import pytest
from render_golden import assert_golden, console_text

from gradtutor.render import training as shown
from gradtutor.render.boundary import decision_boundary
from gradtutor.train.boundary import Grid
from gradtutor.train.loop import Epoch, History

FACTS = shown.Facts(model="mlp", layout="2-8-8-2 relu", data="xor", examples=200, parameters=106, epochs=6,
                    batch_size=16, optimizer="adam", lr=0.01, seed=0, held_out=20, schedule="cosine", init="he",
                    backend="numpy")
FIGURES = shown.Figures(loss=0.123456, accuracy=0.955, test_loss=0.2, test_accuracy=0.9, baseline=0.693147, seconds=1.25)
GRID = Grid(((0, 0, 1, 1), (0, 0, 1, 1), (1, 1, 1, 1)), (0.0, 4.0), (0.0, 3.0))
POINTS, LABELS = [(0.5, 2.5), (1.5, 1.5), (3.5, 0.5)], [0, 1, 1]
LAYERS = [("Conv2d", (6, 28, 28), 456), ("MaxPool2d", (6, 14, 14), 0), ("Linear", (10,), 11770)]


def history(epochs=6):
    return History([
        Epoch(epoch=e, loss=1.0 / e, accuracy=0.5 + e / 20, seconds=0.25, lr=0.01 / e, val_loss=1.2 / e,
              val_accuracy=0.45 + e / 20)
        for e in range(1, epochs + 1)
    ])


def screens(lang: str, width: int) -> str:
    """Every renderable of a run, as one terminal of `width` columns shows them."""
    parts = [
        shown.about(FACTS, lang),
        shown.report(history(), FIGURES, (GRID, POINTS, LABELS), sample="The cat", saved=[("curves", "c.svg")], lang=lang),
        shown.lesson_view(shown.Facts(**{**FACTS.__dict__, "backend": None}), history(), FIGURES,
                          (GRID, POINTS, LABELS), lang=lang, width=24),
        shown.layers_table("lenet", (3, 32, 32), LAYERS, (10,), 12226, lang=lang),
        shown.layers_table("lenet", (3, 32, 32), LAYERS, (10,), 12226, lang=lang, upto=2),
    ]
    return "".join(console_text(part, width=width) for part in parts)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("width", [80, 60])
def test_a_run_golden(lang, width):
    text = screens(lang, width)
    assert_golden(f"training-{lang}-{width}.txt", text)
    assert max(len(line) for line in text.splitlines()) <= width


def test_the_summary_says_only_what_the_run_has():
    regression = shown.Figures(loss=0.05, test_loss=0.07, baseline=0.16)
    assert shown.summary(regression).plain == (
        "After training, the finished model on the training set: loss 0.05; on held-out data: loss 0.07; without learning "
        "(the baseline): 0.16."
    )
    assert shown.summary(shown.Figures(loss=0.5, accuracy=0.75), "ko").plain == "학습 후 완성된 모델로 학습 데이터에서: 손실 0.5, 정확도 75.0%."


def test_the_legend_names_each_class_by_its_shade_and_mark():
    text = console_text(decision_boundary(GRID, POINTS, LABELS))
    assert "(blank class 0, · class 1)" in text and "(o class 0, x class 1)" in text
    assert console_text(decision_boundary(GRID, POINTS, LABELS, lang="ko")).startswith("결정 경계")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_lessons_training_view_is_this_renderable(lang):
    """A lesson's "train" view and worked solution draw a real run with these renderables."""
    from gradtutor.tutor import training
    from gradtutor.tutor.sources.training import TRAINING

    outcome = training.run(training.spec("xor", {"model": "mlp", "data": "xor", "hidden": 4, "epochs": 3, "samples": 20}))
    facts, figures = outcome.facts, outcome.figures
    ours = shown.lesson_view(facts, outcome.history, figures, (outcome.boundary, outcome.points, outcome.labels), lang)
    assert console_text(ours, width=80) == console_text(TRAINING.view(None, outcome, lang), width=80)
    key = type("Key", (), {"trace": outcome})
    assert [console_text(part) for part in TRAINING.solution(None, key, lang)] == [console_text(shown.summary(figures, lang))]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_lessons_layer_table_is_this_renderable(lang):
    from gradtutor.tutor import networks
    from gradtutor.tutor.quantities import Quantity
    from gradtutor.tutor.sources.network import NETWORK

    report = networks.inspect(networks.network("model", "lenet(in=3)"))
    layers = [(layer.name, layer.shape, layer.params) for layer in report.layers]
    key = type("Key", (), {"trace": report})
    for upto in (None, 3):
        ours = shown.layers_table(report.source.text, report.source.input_shape, layers, report.output, report.params,
                                  lang, upto)
        asked = Quantity("params", "params:layer:3", of="layer", index=3) if upto else Quantity("params", "params")
        step = type("Step", (), {"quantity": asked})
        assert [console_text(part) for part in NETWORK.solution(step, key, lang)] == [console_text(ours)]
    assert console_text(NETWORK.view(None, report, lang)) == console_text(
        shown.layers_table(report.source.text, report.source.input_shape, layers, report.output, report.params, lang))
