"""Layer, model and training sources in lessons: the format, the quantities, the views.

Every expected number here comes from the training package's own layers and models (parameter
lists, forward passes) or from a run of its loop, never from a formula typed into the test.
"""

import textwrap

import pytest

from gradtutor.tutor import answers, check, grading, lessons, networks, training
from gradtutor.tutor.lessons import LessonError

QUIZ = """
[[step]]
id = "{id}"
kind = "quiz"
quiz = "{quiz}"
{source}
quantity = "{quantity}"
answer = {answer}
prompt = {{ en = "Q?", ko = "질문?" }}
why = {{ en = "Because.", ko = "그래서." }}
hints = [{{ en = "Look.", ko = "보세요." }}]
{extra}
"""
YES_NO = """choices = [
  { id = "yes", text = { en = "Yes", ko = "예" }, feedback = { en = "No.", ko = "아니요." } },
  { id = "no", text = { en = "No", ko = "아니요" }, feedback = { en = "No.", ko = "아니요." } },
]"""
HEAD = """
format_version = 1
id = "mini"

[training.xor-linear]
model = "mlp"
data = "xor"
hidden = []
epochs = 5
samples = 40

[training.xor-net]
model = "mlp"
data = "xor"
hidden = [8]
epochs = 40
samples = 40
lr = 0.05
"""


def quiz(id, quiz, source, quantity, answer, extra=""):
    return QUIZ.format(id=id, quiz=quiz, source=source, quantity=quantity, answer=answer, extra=extra)


def write(tmp_path, steps: list[str], head=HEAD):
    folder = tmp_path / "mini"
    folder.mkdir(exist_ok=True)
    (folder / "lesson.toml").write_text(textwrap.dedent(head) + "".join(steps), encoding="utf-8")
    ids = [line.split('"')[1] for step in steps for line in step.splitlines() if line.startswith("id = ")]
    for lang, title in (("en", "Mini"), ("ko", "미니")):
        text = f"# {title}\n\n" + "".join(f"## {step_id} {{#{step_id}}}\n\n" for step_id in ids)
        (folder / f"{lang}.md").write_text(text, encoding="utf-8")
    return folder


def problems(tmp_path, steps, head=HEAD) -> list[str]:
    try:
        lesson = lessons.load("mini", write(tmp_path, steps, head))
    except LessonError as exc:
        return exc.problems
    return check.check_lesson(lesson)


CONV = 'layer = "conv2d(in=3, out=10, kernel=5, stride=1, padding=2)"\ninput_shape = [3, 32, 32]'


def test_layer_quizzes_are_checked_against_the_real_layer(tmp_path):
    from gradtutor.train.layers import Conv2d

    layer = Conv2d(3, 10, 5, stride=1, padding=2)
    params = sum(p.size for p in layer.parameters())
    steps = [
        quiz("params", "numeric", CONV, "params", params),
        # Three questions on one layer: each worked solution shows the whole layers table.
        quiz("shape", "shape", CONV, "shape:output", '"(10, 32, 32)"', 'given_in = ["params"]'),
        quiz("width", "numeric", CONV, "width:output", 32, 'given_in = ["params", "shape"]'),
    ]
    assert problems(tmp_path, steps) == []
    wrong = [quiz("params", "numeric", CONV, "params", params - 10)]
    assert problems(tmp_path, wrong) == [
        f"lessons/mini/lesson.toml: step params: answer {params - 10} but the engine computes params = {params}"
    ]


def test_lenet_shapes_come_from_running_the_real_model():
    from gradtutor.train.models import LeNet

    report = networks.inspect(networks.network("model", "lenet"))
    model = LeNet(in_channels=1, image_size=32)
    assert report.params == model.parameter_count()
    assert report.source.input_shape == (1, 32, 32)
    # Run the model's own layers one by one and keep the outputs of the counted ones.
    from gradtutor import backend

    x = backend.xp().zeros((1, 1, 32, 32), dtype="float32")
    shapes = []
    for layer in list(model.features) + list(model.classifier):
        x = layer(x)
        if type(layer).__name__ not in ("ReLU", "Flatten"):
            shapes.append(tuple(x.shape[1:]))
    assert [layer.shape for layer in report.layers] == shapes
    q = lambda text: answers.compute(answers.parse_quantity(text), report)  # noqa: E731
    assert q("shape:layer:1") == shapes[0] and q("shape:output") == shapes[-1]
    assert q("size:layer:4") == shapes[3][0] * shapes[3][1] * shapes[3][2]
    assert q("channels:layer:3") == shapes[2][0] and q("height:layer:2") == shapes[1][1]
    first_dense = model.classifier.layers[0]
    assert q("params:layer:5") == first_dense.parameter_count()
    with pytest.raises(answers.QuantityError, match="layers 1 to 7"):
        q("shape:layer:8")
    with pytest.raises(answers.QuantityError, match="image shape"):
        q("width:output")


def test_gradnorm_follows_the_scale_of_the_recurrent_weights():
    source = networks.network("layer", "rnn(in=1, hidden=8, scale=0.5)", [30, 1])
    report = networks.inspect(source)
    q = lambda text: answers.compute(answers.parse_quantity(text), report)  # noqa: E731
    # With zero inputs and state tanh's slope is 1, so each step scales by exactly 0.5.
    for steps in (1, 10, 30):
        assert q(f"gradnorm:{steps}") == pytest.approx(0.5**steps, rel=1e-9)
    grows = networks.inspect(networks.network("layer", "rnn(in=1, hidden=8, scale=1.5)", [30, 1]))
    assert answers.compute(answers.parse_quantity("above:1000:gradnorm:30"), grows) == "yes"
    assert q("below:0.001:gradnorm:30") == "yes" and q("sign:gradnorm:30") == "positive"
    with pytest.raises(answers.QuantityError, match="out of range"):
        q("gradnorm:31")
    lstm = networks.inspect(networks.network("layer", "lstm(in=1, hidden=8)", [20, 1]))
    assert 0 < answers.compute(answers.parse_quantity("gradnorm:20"), lstm) < 1


def test_gradnorm_is_the_gradient_the_engine_sends_back():
    """Cross-check with a plain tanh recurrence built from Tensor ops, step by step."""
    from gradtutor.tensor import Tensor

    source = networks.network("layer", "rnn(in=1, hidden=4, scale=0.8, seed=3)", [6, 1])
    layer = networks.build(source)
    W = Tensor(networks.orthogonal_recurrence(4, 1, 0.8, 3), "W", dtype="float64")
    h0 = Tensor([[0.0] * 4], "h0", dtype="float64")
    h = h0
    for _ in range(6):
        h = (h @ W).tanh()
    (h * Tensor([[0.5] * 4], dtype="float64", requires_grad=False)).sum().backward()
    expected = float((h0.grad**2).sum() ** 0.5)
    assert layer.hidden_size == 4
    assert networks.gradnorm(source, 6) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "text, message",
    [
        ("conv2d(in=3, out=10)", "conv2d needs kernel=…"),
        ("conv2d(in=3, out=10, kernel=5, colour=1)", "conv2d has no argument 'colour'"),
        ("convolution(in=3)", "unknown layer 'convolution'"),
        ("conv2d(in=3, out=10, kernel=5, stride=0)", "stride must be ≥ 1"),
        ("conv2d(in=3; out=10)", "cannot read"),
        ("__import__('os')", "cannot read"),
        ("conv2d(in=3, in=4, out=1, kernel=1)", "in is given twice"),
    ],
)
def test_bad_layer_texts_are_one_line_schema_errors(tmp_path, text, message):
    found = problems(tmp_path, [quiz("q", "numeric", f'layer = "{text}"\ninput_shape = [3, 8, 8]', "params", 1)])
    assert len(found) == 1 and message in found[0], found
    assert found[0].startswith("lessons/mini/lesson.toml: step q: ") and "\n" not in found[0]


@pytest.mark.parametrize(
    "source, quantity, message",
    [
        (CONV, "grad:x", "'grad:x' is asked of a traced example or circuit, but the step names a layer or model"),
        ('example = "apple"', "params", "'params' is asked of a layer or model, but the step names a traced"),
        ('training = "xor-net"', "params", "asked of a layer or model, but the step names a training run"),
        ('layer = "conv2d(in=3, out=1, kernel=3)"', "params", "conv2d needs input_shape"),
        ('layer = "linear(in=4, out=2)"\ninput_shape = [3]', "params", "does not take an input of shape [3]"),
        ('training = "nope"', "accuracy", "unknown training 'nope' (defined: xor-linear, xor-net)"),
        ('example = "apple"\ninput_shape = [3]', "grad:tax", "input_shape goes with layer"),
        ('layer = "relu"\nmodel = "lenet"', "params", "name one source, not layer and model"),
    ],
)
def test_sources_and_quantities_must_fit(tmp_path, source, quantity, message):
    found = problems(tmp_path, [quiz("q", "numeric", source, quantity, 1)])
    assert any(message in p for p in found), found


@pytest.mark.parametrize(
    "table, message",
    [
        ('model = "mlp"\ndata = "digits-x"', "does not train on 'digits-x'"),
        ('model = "cnn"\ndata = "xor"', "the cnn model does not train on 'xor'"),
        ('model = "mlp"\nepochs = 0', "epochs must be a whole number ≥ 1"),
        ('model = "mlp"\ncolour = 1', "unknown key 'colour'"),
        ('model = "rnn"\nhidden = [4]', "a list of hidden widths applies to the mlp only"),
        ('data = "xor"', 'needs model = "…"'),
        ('model = "mlp"\nlr = -1', "lr must be a number > 0"),
    ],
)
def test_training_tables_are_checked(tmp_path, table, message):
    head = f'format_version = 1\nid = "mini"\n\n[training.bad]\n{table}\n'
    found = problems(tmp_path, ['[[step]]\nid = "intro"\nkind = "explain"\n'], head)
    assert any(p.startswith("lessons/mini/lesson.toml: training bad: ") and message in p for p in found), found


def test_views_must_fit_their_source(tmp_path):
    show = '[[step]]\nid = "s"\nkind = "show"\n{source}\nview = "{view}"\n'
    found = problems(tmp_path, [show.format(source=CONV, view="table")])
    assert any("view 'table' does not show a layer or model" in p for p in found), found
    found = problems(tmp_path, [show.format(source='example = "apple"', view="train")])
    assert any("view 'train' does not show a traced example" in p for p in found), found


def test_a_slow_training_run_is_refused_without_running_it(tmp_path):
    head = HEAD + '\n[training.huge]\nmodel = "cnn"\ndata = "digits"\nsamples = 50000\nepochs = 20\n'
    show = '[[step]]\nid = "s"\nkind = "show"\ntraining = "huge"\n'
    found = problems(tmp_path, [show], head)
    assert len(found) == 1 and "training huge is estimated at" in found[0] and "more than the 5 s" in found[0]
    small = training.spec("x", {"model": "mlp", "data": "xor", "epochs": 5})
    assert training.too_slow(small) is None
    more = training.spec("x", {"model": "mlp", "data": "xor", "epochs": 50})
    assert training.estimate_seconds(more) > training.estimate_seconds(small)


def test_training_quizzes_ask_about_a_real_run(tmp_path):
    steps = [  # the questions first: the run's view shows the accuracy they ask about
        quiz("linear", "choice", 'training = "xor-linear"', "above:0.9:accuracy", '"no"', YES_NO),
        quiz("net", "choice", 'training = "xor-net"', "above:0.9:accuracy", '"yes"', YES_NO),
        '[[step]]\nid = "live"\nkind = "show"\ntraining = "xor-net"\n',
    ]
    assert problems(tmp_path, steps) == []
    lesson = lessons.load("mini", write(tmp_path, steps))
    net = lesson.tables["training"]["xor-net"]
    outcome = training.run(net)
    from gradtutor.train import command, loop, models

    # The same run, by hand, through gradtutor train's own functions.
    run = command.prepare(training.resolved(net))
    run.model = models.MLP([2, 8, 2], seed=0)
    result = command.train(run)
    assert (outcome.figures.loss, outcome.figures.accuracy) == (result.loss, result.accuracy)
    assert outcome.figures.accuracy == loop.evaluate(run.model, run.train_set)[1]
    key = grading.key(lesson.steps[1])
    assert key.value == ("yes" if result.accuracy > 0.9 else "no")
    flipped = [steps[0].replace('answer = "no"', 'answer = "yes"'), steps[2]]
    assert any("answer yes but the engine computes above:0.9:accuracy = no" in p for p in problems(tmp_path, flipped))


def test_a_regression_run_has_no_accuracy(tmp_path):
    head = HEAD + '\n[training.add]\nmodel = "rnn"\ndata = "adding"\nsamples = 40\nlength = 5\nepochs = 1\nhidden = 4\n'
    found = problems(tmp_path, [quiz("q", "numeric", 'training = "add"', "accuracy", 1)], head)
    assert any("a regression run has no accuracy" in p for p in found), found
    baseline = [quiz("q", "choice", 'training = "add"', "below:0.5:baseline", '"yes"', YES_NO)]
    assert problems(tmp_path, baseline, head) == []


# -- what the learner sees ---------------------------------------------------------------------------
NETS = __import__("pathlib").Path(__file__).resolve().parent / "data" / "lessons" / "nets"
# Wrong (the shape going in), right; wrong (weights only), right; the linear model's question.
TYPED = "(6, 28, 28)\n6x14x14\n750\n760\n1\n"


def transcript(lang: str, typed: str, home, interactive: bool = False):
    import io

    from gradtutor.tutor.progress import Progress
    from gradtutor.tutor.session import Lines, Session, console_for

    lesson = lessons.load("nets", NETS)
    out = io.StringIO()
    console = console_for(scripted=True, width=80, file=out)
    source = Lines(io.StringIO(typed), console)
    source.scripted = not interactive
    with Progress.open(home) as progress:
        progress.seed("nets", "linear-xor", 3)  # a fixed shuffle: No is choice 1
        code = Session(lesson, lang, progress, console, source).run()
    return out.getvalue(), code


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_golden_screens_of_layers_and_a_live_training_run(lang, tmp_path):
    from render_golden import assert_golden

    text, code = transcript(lang, TYPED, tmp_path)
    assert code == 0
    assert_golden(f"tutor-nets-{lang}.txt", text)


def test_the_screens_say_what_the_slip_was(tmp_path):
    text, _ = transcript("en", TYPED, tmp_path)
    assert "(6, 28, 28) is what goes into that layer; what comes out of it?" in text
    assert "750 counts the weights only" in text


def test_the_nets_lesson_checks_out():
    assert check.check_lesson(lessons.load("nets", NETS)) == []


def test_at_a_terminal_the_run_shows_its_progress_and_then_the_same_result(tmp_path, monkeypatch):
    """The live progress bar follows the batches through loop.fit's callback; the result shown
    afterwards is the cached run's, identical to what a script sees."""
    reported = []
    original = training.run

    def spying(run, on_batch=None, on_epoch=None):
        def on_batch_spy(epoch, batch, batches, loss):
            reported.append((epoch, batch, batches))
            on_batch(epoch, batch, batches, loss)

        return original(run, on_batch=on_batch_spy if on_batch else None, on_epoch=on_epoch)

    training._RUNS.clear()
    monkeypatch.setattr(training, "run", spying)  # the real run, with its progress reports counted
    live, _ = transcript("en", "\n" * 3 + TYPED.replace("\n", "\n\n"), tmp_path / "a", interactive=True)
    monkeypatch.undo()
    runs = lessons.load("nets", NETS).tables["training"]
    # Both runs reported their last batch of their last epoch: xor-net in its show step,
    # xor-linear when its quiz came (at a terminal it trains in view, not as a silent wait).
    for name in ("xor-net", "xor-linear"):
        assert any(epoch == runs[name].epochs and batch == batches for epoch, batch, batches in reported), name
    scripted, _ = transcript("en", TYPED, tmp_path / "b")
    def shown(text, end):
        start = text.index("Training mlp")
        return text[start : text.index(end, start)].rstrip()

    assert shown(live, "Enter: next · b: back") == shown(scripted, "Step 5/5")


def test_the_decision_boundary_shows_regions_and_points():
    from render_golden import console_text

    from gradtutor.render.boundary import MARKS, REGIONS, terminal_boundary
    from gradtutor.train.boundary import Grid

    grid = Grid(((0, 0, 1, 1), (0, 0, 1, 1), (1, 1, 1, 1)), (0.0, 4.0), (0.0, 3.0))
    # A class-0 point in the top-left cell, a class-1 point wrongly in the class-0 region, one
    # class-1 point on the bottom row.
    text = console_text(terminal_boundary(grid, [(0.5, 2.5), (1.5, 1.5), (3.5, 0.5)], [0, 1, 1]))
    r0, r1 = REGIONS[0], REGIONS[1]
    assert text.splitlines() == [
        (MARKS[0] + r0 + r1 + r1).rstrip(),
        (r0 + MARKS[1] + r1 + r1).rstrip(),
        r1 + r1 + r1 + MARKS[1],
    ]
    assert grid.cell((0.0, 3.0)) == (0, 0) and grid.cell((4.0, 0.0)) == (2, 3)


def test_predicted_grid_comes_from_the_model():
    from gradtutor import backend
    from gradtutor.train.boundary import predict_grid
    from gradtutor.train.models import MLP

    model = MLP([2, 3], seed=1)  # a linear model: its classes are split by one straight line
    points = backend.host.asarray([[0.0, 0.0], [1.0, 1.0]])
    grid = predict_grid(model, points, columns=6, rows=4, margin=0.0)
    logits = model(backend.host.asarray([[1 / 12, 7 / 8]], dtype="float32")).data  # the top-left cell's centre
    assert grid.rows[0][0] == int(logits.argmax())
    assert len(grid.rows) == 4 and all(len(row) == 6 for row in grid.rows)
    assert model.training  # left as it was found


def test_new_feedback_keys_have_strings_in_every_language():
    from gradtutor.lang import load_strings
    from gradtutor.tutor.text import LANGUAGES, strings

    for key in ("layer_input", "no_bias", "train_progress"):
        assert set(strings()["ui"][key]) == set(LANGUAGES)
    for key in ("train_about", "train_boundary", "layers_input"):  # the views, drawn by render/training.py
        assert set(load_strings("gradtutor.render")[key]) == set(LANGUAGES)


def test_layer_questions_and_lesson_runs_work_on_every_backend(xp):
    """No stray host round-trip: the strict CuPy stand-in refuses silent conversions."""
    source = networks.network("layer", "conv2d(in=2, out=3, kernel=3, stride=2, padding=1)", [2, 7, 7])
    report = networks._inspect.__wrapped__(source)  # uncached: built on this backend
    assert report.output == (3, 4, 4) and report.params == 3 * (2 * 3 * 3 + 1)
    rnn = networks.network("layer", "gru(in=1, hidden=4, scale=0.7)", [5, 1])
    assert 0 < networks._gradnorm.__wrapped__(rnn, 5) < 1
    run = training.spec("tiny", {"model": "mlp", "data": "moons", "samples": 20, "epochs": 2, "hidden": [4]})
    training._RUNS.pop(run, None)
    try:
        outcome = training.run(run)
    finally:
        training._RUNS.pop(run, None)  # the next test gets a numpy run of its own
    assert 0 <= outcome.figures.accuracy <= 1 and len(outcome.boundary.rows) == 20


def test_a_multi_head_attention_layer_holds_four_d_squared_weights_and_four_biases():
    """W_Q, W_K, W_V (one affine layer of width 3d) and W_O: 4d² + 4d, whatever the heads."""
    for heads in (1, 4):
        report = networks.inspect(networks.network("layer", f"attention(dim=64, heads={heads})", [8, 64]))
        assert report.params == 4 * 64 * 64 + 4 * 64
        assert [layer.shape for layer in report.layers] == [(8, 192), (8, 64)]
    with pytest.raises(networks.SpecError, match="3 heads do not divide dim=64"):
        networks.build(networks.network("layer", "attention(dim=64, heads=3)", [8, 64]))
