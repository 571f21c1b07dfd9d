"""Every name a user can choose, listed once: models, layers, optimizers, schedules, initializers,
data sets and backends.

Each family maps a name to a `Name`: its one-line description in English and Korean, where the
implementation lives ("gradtutor.train.optim:Adam", imported only by `resolve`) and, for layers
and networks, the arguments a lesson may give. The CLI builds its choices from here, the training
code checks its requests here, and lessons validate what they name with `check`. Nothing here
imports numpy: `gradtutor --help` reads these lists (tests/test_names.py keeps them equal to the
implementations' own registries).

Arguments are spelled as lessons write them (`conv2d(in=3, out=6, kernel=5, padding=2)`); each
`Arg` says which keyword of the implementation it fills (`param`), or None where the code that
builds the layer handles it itself (a recurrent layer's `scale`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from gradtutor.errors import UserError


class UnknownName(UserError, ValueError):
    """A name no family holds; the message says what is offered and the closest match."""


@dataclass(frozen=True, slots=True)
class Arg:
    name: str  # as a lesson writes it
    default: object = None  # None: the argument is required
    param: str | None = None  # the implementation's keyword; None: the builder handles it
    values: tuple[str, ...] = ()  # a name-valued argument: the names it takes (activation, cell)


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    en: str  # one line saying what it is
    ko: str
    target: str  # "module:attribute" of the implementation
    args: tuple[Arg, ...] = ()
    offered: bool = True  # False: the implementation has it, but no command or lesson offers it
    data: tuple[str, ...] = ()  # a training model: the data sets it trains on, the default first
    shape: str = ""  # a data set: "points", "images" or "sequences"

    def describe(self, lang: str = "en") -> str:
        return self.ko if lang == "ko" else self.en

    def defaults(self) -> dict:
        """{argument: default}, None where the argument is required."""
        return {arg.name: arg.default for arg in self.args}


def _family(*entries: Name) -> dict[str, Name]:
    return {entry.name: entry for entry in entries}


_L, _M = "gradtutor.train.layers", "gradtutor.train.models"
_POINTS = ("spiral", "moons", "circles", "xor")
_SEQUENCES = ("adding", "copy", "parity", "running-parity", "chars")
_TOKEN_SEQUENCES = ("reverse", "chars")  # integer tokens in, one class per position out
RECURRENT = ("rnn", "lstm", "gru")  # the layers (and training models) that run over time steps
_ACTIVATIONS = ("relu", "tanh", "sigmoid")
_SEED = Arg("seed", 0, "seed")
_RECURRENT_ARGS = (Arg("in", None, "input_size"), Arg("hidden", None, "hidden_size"),
                   Arg("scale", 0.0, None), Arg("seed", 0, "rng"))  # scale 0: the layer's own init
_POOL_ARGS = (Arg("kernel", None, "kernel_size"), Arg("stride", 0, "stride"),  # stride 0: the kernel size
              Arg("padding", 0, "padding"))

_RESNET_ARGS = (Arg("in", 1, "in_channels"), Arg("size", 28, "image_size"), Arg("classes", 10, "classes"),
                Arg("blocks", 2, "blocks"), _SEED)  # blocks: residual blocks per stage

FAMILIES: dict[str, dict[str, Name]] = {
    # What `gradtutor train MODEL` trains.
    "model": _family(
        Name("mlp", "A multilayer perceptron: affine layers with ReLU between them",
             "다층 퍼셉트론: 어파인 계층 사이에 ReLU", f"{_M}:MLP", data=(*_POINTS, "digits")),
        Name("cnn", "A LeNet-style convolutional network for images", "이미지를 위한 LeNet형 합성곱 신경망",
             f"{_M}:LeNet", data=("digits",)),
        Name("rnn", "A plain recurrent network over sequences", "시퀀스를 처리하는 기본 순환 신경망",
             f"{_L}:RNN", data=_SEQUENCES),
        Name("lstm", "A long short-term memory network over sequences", "시퀀스를 처리하는 LSTM",
             f"{_L}:LSTM", data=_SEQUENCES),
        Name("gru", "A gated recurrent unit network over sequences", "시퀀스를 처리하는 GRU",
             f"{_L}:GRU", data=_SEQUENCES),
        Name("transformer", "A small decoder-only transformer: causal multi-head self-attention blocks",
             "작은 디코더 전용 트랜스포머: 인과 마스크를 쓴 멀티 헤드 셀프 어텐션 블록", f"{_M}:Transformer",
             data=_TOKEN_SEQUENCES),
        Name("seq2seq", "An encoder–decoder: one recurrent layer reads, another writes",
             "인코더–디코더: 순환 계층 하나가 읽고 다른 하나가 쓴다", "gradtutor.train.seq2seq:EncoderDecoder",
             data=("reverse",)),
    ),
    # The convolutional networks `gradtutor train cnn --arch NAME` trains (lenet the default).
    "arch": _family(
        Name("lenet", "LeNet-5: two 5×5 convolutions with pooling, three affine layers",
             "LeNet-5: 5×5 합성곱과 풀링 두 번, 어파인 계층 세 개", f"{_M}:LeNet"),
        Name("vgg", "A small VGG: stacks of 3×3 convolutions, each closed by 2×2 max pooling",
             "작은 VGG: 3×3 합성곱을 쌓고 묶음마다 2×2 최대 풀링", f"{_M}:VGG"),
        Name("resnet", "A small ResNet: residual blocks y = ReLU(F(x) + x) with batch norm",
             "작은 ResNet: 배치 정규화를 쓰는 잔차 블록 y = ReLU(F(x) + x)", f"{_M}:ResNet"),
    ),
    # The models a lesson builds by name, with their arguments.
    "network": _family(
        Name("lenet", "LeNet-5: two convolutions with pooling, then three affine layers",
             "LeNet-5: 합성곱과 풀링 두 번, 이어서 어파인 계층 세 개", f"{_M}:LeNet",
             (Arg("in", 1, "in_channels"), Arg("size", 32, "image_size"), Arg("classes", 10, "classes"), _SEED)),
        Name("vgg", "A small VGG: two stacks of 3×3 convolutions with pooling, two affine layers",
             "작은 VGG: 3×3 합성곱 묶음 두 개와 풀링, 어파인 계층 두 개", f"{_M}:VGG",
             (Arg("in", 1, "in_channels"), Arg("size", 28, "image_size"), Arg("classes", 10, "classes"), _SEED)),
        Name("resnet", "A small ResNet: a stem, residual blocks in two stages, average pooling, one affine layer",
             "작은 ResNet: 줄기 합성곱, 두 단계의 잔차 블록, 평균 풀링, 어파인 계층 하나", f"{_M}:ResNet",
             _RESNET_ARGS),
        Name("plainnet", "The small ResNet without its shortcuts: the same layers, y = ReLU(F(x))",
             "지름길을 뺀 작은 ResNet: 같은 계층, y = ReLU(F(x))", f"{_M}:PlainNet", _RESNET_ARGS),
        Name("mlp", "A multilayer perceptron of the given widths", "주어진 너비의 다층 퍼셉트론", f"{_M}:MLP",
             (Arg("sizes", None, "sizes"), Arg("activation", "relu", "activation", _ACTIVATIONS), _SEED)),
        Name("seq2one", "A recurrent layer read at the last step by an affine layer",
             "마지막 시점의 출력을 어파인 계층이 읽는 순환 계층", f"{_M}:SequenceToOne",
             (Arg("cell", None, "cell", RECURRENT), Arg("in", None, "input_size"), Arg("hidden", None, "hidden_size"),
              Arg("out", 1, "outputs"), _SEED)),
    ),
    "layer": _family(
        Name("linear", "Affine layer: Y = X·W + b", "어파인 계층: Y = X·W + b", f"{_L}:Linear",
             (Arg("in", None, "in_features"), Arg("out", None, "out_features"))),
        Name("conv2d", "2-D convolution with stride and zero padding", "스트라이드와 0 패딩이 있는 2차원 합성곱",
             f"{_L}:Conv2d", (Arg("in", None, "in_channels"), Arg("out", None, "out_channels"),
                              Arg("kernel", None, "kernel_size"), Arg("stride", 1, "stride"),
                              Arg("padding", 0, "padding"))),
        Name("residual", "ResNet's block: two 3×3 convolutions with batch norm, plus x or a 1×1 convolution of it",
             "ResNet의 블록: 배치 정규화를 쓰는 3×3 합성곱 두 개에 x나 x의 1×1 합성곱을 더함", f"{_L}:ResidualBlock",
             (Arg("in", None, "in_channels"), Arg("out", None, "out_channels"), Arg("stride", 1, "stride"))),
        Name("maxpool2d", "Max pooling over square windows", "정사각형 창의 최대 풀링", f"{_L}:MaxPool2d", _POOL_ARGS),
        Name("avgpool2d", "Average pooling over square windows", "정사각형 창의 평균 풀링", f"{_L}:AvgPool2d", _POOL_ARGS),
        Name("relu", "ReLU activation: max(0, x)", "ReLU 활성화: max(0, x)", f"{_L}:ReLU"),
        Name("tanh", "tanh activation", "tanh 활성화", f"{_L}:Tanh"),
        Name("sigmoid", "Sigmoid activation: 1 / (1 + e^−x)", "시그모이드 활성화: 1 / (1 + e^−x)", f"{_L}:Sigmoid"),
        Name("flatten", "Flatten each example to a vector", "예제마다 벡터로 펼치기", f"{_L}:Flatten"),
        Name("batchnorm1d", "Batch normalization over features", "특성별 배치 정규화", f"{_L}:BatchNorm1d",
             (Arg("features", None, "features"),)),
        Name("batchnorm2d", "Batch normalization over channels", "채널별 배치 정규화", f"{_L}:BatchNorm2d",
             (Arg("channels", None, "channels"),)),
        Name("layernorm", "Layer normalization over each example's features", "예제마다 특성에 걸친 계층 정규화",
             f"{_L}:LayerNorm", (Arg("features", None, "features"),)),
        Name("embedding", "A lookup table: each id picks one row of a (vocabulary, dim) weight",
             "조회 표: 각 ID가 (vocabulary, dim) 가중치의 행 하나를 고른다", f"{_L}:Embedding",
             (Arg("vocabulary", None, "vocabulary"), Arg("dim", None, "dim"), Arg("seed", 0, "rng"))),
        Name("rnn", "Plain recurrent layer: h = tanh(x·W_x + h·W_h + b)", "기본 순환 계층: h = tanh(x·W_x + h·W_h + b)",
             f"{_L}:RNN", _RECURRENT_ARGS),
        Name("lstm", "Long short-term memory layer", "LSTM 계층", f"{_L}:LSTM", _RECURRENT_ARGS),
        Name("gru", "Gated recurrent unit layer", "GRU 계층", f"{_L}:GRU", _RECURRENT_ARGS),
        Name("attention", "Multi-head self-attention: W_Q, W_K, W_V in one affine layer, one attention per head, W_O",
             "멀티 헤드 셀프 어텐션: W_Q, W_K, W_V를 한 어파인 계층으로, 헤드마다 어텐션, W_O", f"{_L}:MultiHeadAttention",
             (Arg("dim", None, "dim"), Arg("heads", None, "heads"))),
    ),
    "activation": _family(
        Name("relu", "max(0, x)", "max(0, x)", f"{_L}:ReLU"),
        Name("tanh", "tanh(x)", "tanh(x)", f"{_L}:Tanh"),
        Name("sigmoid", "1 / (1 + e^−x)", "1 / (1 + e^−x)", f"{_L}:Sigmoid"),
    ),
    "optimizer": _family(
        Name("sgd", "Plain gradient descent: W ← W − η·g", "확률적 경사 하강법: W ← W − η·g", "gradtutor.train.optim:SGD"),
        Name("momentum", "Gradient descent with a velocity that remembers past steps",
             "지난 갱신을 기억하는 속도가 있는 모멘텀", "gradtutor.train.optim:Momentum"),
        Name("nesterov", "Momentum that looks ahead before it steps", "한 걸음 앞을 보고 갱신하는 네스테로프 모멘텀",
             "gradtutor.train.optim:Nesterov"),
        Name("adagrad", "Per-weight steps shrinking with the sum of squared gradients",
             "기울기 제곱의 합으로 가중치마다 보폭을 줄이는 AdaGrad", "gradtutor.train.optim:AdaGrad"),
        Name("adadelta", "AdaGrad with decaying averages and no learning rate to tune",
             "지수 평균으로 학습률 조정이 필요 없는 AdaDelta", "gradtutor.train.optim:Adadelta"),
        Name("rmsprop", "Per-weight steps scaled by a decaying average of squared gradients",
             "기울기 제곱의 지수 평균으로 보폭을 조절하는 RMSProp", "gradtutor.train.optim:RMSProp"),
        Name("adam", "Momentum and RMSProp together, with bias correction", "모멘텀과 RMSProp을 합치고 편향을 보정한 Adam",
             "gradtutor.train.optim:Adam"),
    ),
    "schedule": _family(
        Name("constant", "The same learning rate every epoch", "에폭마다 같은 학습률", "gradtutor.train.schedules:Constant"),
        Name("step", "Halve the learning rate every third of the run", "학습의 3분의 1마다 학습률을 절반으로",
             "gradtutor.train.schedules:StepDecay"),
        Name("exponential", "η₀·e^(−k·epoch), ending near η₀/20", "η₀·e^(−k·에폭), 끝에서 약 η₀/20",
             "gradtutor.train.schedules:ExponentialDecay"),
        Name("inverse-time", "η₀ / (1 + k·epoch), ending near η₀/10", "η₀ / (1 + k·에폭), 끝에서 약 η₀/10",
             "gradtutor.train.schedules:InverseTimeDecay"),
        Name("cosine", "Half a cosine from η₀ down to 0", "η₀에서 0까지 코사인 반 주기", "gradtutor.train.schedules:CosineDecay"),
    ),
    # The functions of x and y that `gradtutor paths` and lesson paths descend (train/paths.py).
    "surface": _family(
        Name("elongated-bowl", "x²/20 + y²: twenty times steeper along y than along x",
             "x²/20 + y²: y 방향이 x 방향보다 스무 배 가파른 그릇", "gradtutor.train.paths:surface"),
        Name("bowl", "x² + y²: the same slope in every direction", "x² + y²: 어느 방향으로나 같은 기울기",
             "gradtutor.train.paths:surface"),
        Name("rosenbrock", "(1 − x)² + 100·(y − x²)²: a curved, flat-bottomed valley",
             "(1 − x)² + 100·(y − x²)²: 휘어지고 바닥이 평평한 골짜기", "gradtutor.train.paths:surface"),
    ),
    "init": _family(
        Name("small", "Gaussian with std 0.01", "표준편차 0.01인 정규분포", "gradtutor.train.init:small_gaussian"),
        Name("large", "Gaussian with std 0.5", "표준편차 0.5인 정규분포", "gradtutor.train.init:large_gaussian"),
        Name("xavier", "Gaussian with variance 2 / (fan_in + fan_out), for tanh and sigmoid",
             "분산 2 / (fan_in + fan_out)인 정규분포, tanh와 시그모이드용", "gradtutor.train.init:xavier_normal"),
        Name("he", "Gaussian with variance 2 / fan_in, for ReLU", "분산 2 / fan_in인 정규분포, ReLU용",
             "gradtutor.train.init:he_normal"),
        Name("xavier-uniform", "Uniform with Xavier's variance", "Xavier와 같은 분산의 균등분포",
             "gradtutor.train.init:xavier_uniform", offered=False),
        Name("he-uniform", "Uniform with He's variance", "He와 같은 분산의 균등분포", "gradtutor.train.init:he_uniform",
             offered=False),
        Name("zeros", "All zeros (biases)", "모두 0 (편향)", "gradtutor.train.init:zeros", offered=False),
    ),
    "dataset": _family(
        Name("spiral", "Points on the arms of a spiral, one class per arm", "나선의 팔마다 한 클래스인 점들",
             "gradtutor.train.datasets:spiral", shape="points"),
        Name("moons", "Two interleaved half circles", "서로 맞물린 두 반원", "gradtutor.train.datasets:moons", shape="points"),
        Name("circles", "A small circle inside a large one", "큰 원 안의 작은 원", "gradtutor.train.datasets:circles",
             shape="points"),
        Name("xor", "Points near the corners of a square, labelled x₁ XOR x₂", "정사각형 꼭짓점 근처의 점, 레이블은 x₁ XOR x₂",
             "gradtutor.train.datasets:xor", shape="points"),
        Name("digits", "28×28 handwritten-style digits, drawn offline", "오프라인으로 그린 28×28 손글씨풍 숫자",
             "gradtutor.train.datasets:digits", shape="images"),
        Name("adding", "The adding problem: sum the two marked numbers of a sequence",
             "덧셈 문제: 시퀀스에서 표시된 두 수의 합", "gradtutor.train.datasets:adding", shape="sequences"),
        Name("copy", "Remember a string of symbols and write it out after a pause", "기호열을 기억했다가 잠시 뒤 그대로 쓰기",
             "gradtutor.train.datasets:copy", shape="sequences"),
        Name("parity", "Is the number of ones in a bit string odd?", "비트열의 1의 개수가 홀수인가?",
             "gradtutor.train.datasets:parity", shape="sequences"),
        Name("running-parity", "The parity of the bits so far, at every step (many-to-many)",
             "매 시점마다 지금까지 비트의 패리티 (다대다)", "gradtutor.train.datasets:running_parity", shape="sequences"),
        Name("reverse", "Write a string of digits backwards", "숫자열을 거꾸로 쓰기",
             "gradtutor.train.datasets:reverse", shape="sequences"),
        Name("chars", "Predict the next character of the project's own text", "프로젝트 글의 다음 문자 예측",
             "gradtutor.train.datasets:char_windows", shape="sequences"),
    ),
    "backend": _family(
        Name("numpy", "NumPy on the CPU", "CPU의 NumPy", "gradtutor.backend:use"),
        Name("cupy", "CuPy on an NVIDIA GPU", "NVIDIA GPU의 CuPy", "gradtutor.backend:use"),
    ),
}

# How a family is called in a message: "unknown data set 'spirl'".
LABELS = {"model": "model", "arch": "architecture", "network": "model", "layer": "layer", "activation": "activation",
          "optimizer": "optimizer", "schedule": "schedule", "surface": "surface", "init": "initializer", "dataset": "data set",
          "backend": "backend"}


def closest(word: str, choices, cutoff: float = 0.6) -> str | None:
    """The choice `word` most likely misspells, or None: the one "did you mean" of the project."""
    import difflib  # here, not at the top: `gradtutor --help` reads this module

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def _entries(family: str) -> dict[str, Name]:
    try:
        return FAMILIES[family]
    except KeyError:
        raise KeyError(f"no family {family!r}; families are: {', '.join(FAMILIES)}") from None


def names(family: str, offered_only: bool = True) -> tuple[str, ...]:
    """The names of a family in their listed order; with offered_only=False also those the
    implementation holds but no command offers (the init family's uniform variants)."""
    return tuple(name for name, entry in _entries(family).items() if entry.offered or not offered_only)


def check(family: str, name) -> str | None:
    """None when `name` is an offered member of the family; else one line saying what is offered
    and, when one is close, which name was probably meant."""
    offered = names(family)
    if name in offered:
        return None
    label = LABELS[family]
    guess = closest(str(name), offered) if isinstance(name, str) else None
    hint = f"; did you mean {guess!r}?" if guess else ";"
    return f"unknown {label} {name!r}{hint} choose one of: {', '.join(offered)}"


def get(family: str, name: str) -> Name:
    """The entry for an offered name; UnknownName (a UserError) with check's message if none."""
    problem = check(family, name)
    if problem:
        raise UnknownName(problem)
    return _entries(family)[name]


def check_args(family: str, name: str, given) -> str | None:
    """None when every argument in `given` belongs to the entry; else one line naming the first
    stranger, with the closest argument it may misspell (`pad` → `padding`)."""
    entry = get(family, name)
    known = [arg.name for arg in entry.args]
    for argument in given:
        if argument not in known:
            guess = closest(argument, known)
            hint = f"did you mean {guess!r}? " if guess else ""
            return f"{name} has no argument {argument!r} ({hint}arguments: {', '.join(known) or 'none'})"
    return None


def resolve(family: str, name: str):
    """The implementation behind a name (a class or function), imported now."""
    import importlib

    module, _, attribute = get(family, name).target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def describe(family: str, name: str, lang: str = "en") -> str:
    return get(family, name).describe(lang)


def choices(family: str, class_name: str) -> type[enum.Enum]:
    """A str Enum of the family's offered names, for typer's `--option` choices."""
    return enum.Enum(class_name, {name: name for name in names(family)}, type=str)


# -- what the training command reads --------------------------------------------------------------


def data_for(model: str) -> tuple[str, ...]:
    """The data sets a training model trains on, its default first."""
    return get("model", model).data


# `--data idx:DIR`: MNIST-format files the user downloaded (train-images-idx3-ubyte …) in DIR.
IDX_PREFIX = "idx:"


def check_data(text: str) -> str | None:
    """None when `text` names a data set or is `idx:` followed by a folder; else one line saying
    what is offered and, when one is close, which name was probably meant."""
    if text.startswith(IDX_PREFIX):
        return None if text[len(IDX_PREFIX):].strip() else f"{IDX_PREFIX} needs a folder after it, as in {IDX_PREFIX}~/mnist"
    problem = check("dataset", text)
    return problem and f"{problem}, or {IDX_PREFIX}DIR (a folder of MNIST-format files)"


def with_shape(shape: str) -> tuple[str, ...]:
    """The data sets whose examples have this shape: "points", "images" or "sequences"."""
    return tuple(name for name, entry in FAMILIES["dataset"].items() if entry.shape == shape)
