"""Models for the training lessons: an MLP, CNNs (LeNet, a small VGG, a small ResNet and its
plain twin), recurrent sequence models and a small decoder-only transformer.

Each model is a Module built from `layers`, seeded so the same seed gives the same weights on any
backend. `task` says which loss and metric fit its output: "classification" (softmax cross-entropy
and accuracy over the last axis) or "regression" (mean squared error).
"""

from __future__ import annotations

from gradtutor import backend
from gradtutor.train import layers as L


class MLP(L.Module):
    """Affine → activation, repeated; the last affine gives the logits (or the prediction).

    sizes: [inputs, hidden…, outputs], e.g. [2, 64, 64, 3] for the three-armed spiral.
    """

    task = "classification"

    def __init__(self, sizes, activation: str = "relu", init="he", dropout: float = 0.0,
                 batch_norm: bool = False, seed: int | None = 0):
        super().__init__()
        if len(sizes) < 2:
            raise ValueError(f"an MLP needs at least an input and an output size, got {list(sizes)}")
        rng = backend.host.random.default_rng(seed)
        blocks = []
        for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            blocks.append(L.Linear(n_in, n_out, init=init, rng=rng))
            if index == len(sizes) - 2:
                break  # the output layer: no activation, the loss applies its own
            if batch_norm:
                blocks.append(L.BatchNorm1d(n_out))
            blocks.append(L.ACTIVATIONS[activation]())
            if dropout:
                blocks.append(L.Dropout(dropout, seed=None if seed is None else seed + index + 1))
        self.net = L.Sequential(*blocks)
        self.sizes = list(sizes)

    def forward(self, x):
        return self.net(x)

    def cost(self, input_shape):
        return self.net.cost(input_shape)


class LeNet(L.Module):
    """A LeNet-5-style CNN for (N, C, size, size) images.

    conv 5×5 (6) → ReLU → max-pool 2 → conv 5×5 (16) → ReLU → max-pool 2 → 120 → 84 → classes.
    The first convolution pads a 28×28 input by 2 so the shapes are LeNet's own from there on:
    6×28×28 → 6×14×14 → 16×10×10 → 16×5×5 → 120 → 84 → 10.
    """

    task = "classification"

    def __init__(self, in_channels: int = 1, image_size: int = 28, classes: int = 10, init="he",
                 batch_norm: bool = False, seed: int | None = 0):
        super().__init__()
        if image_size > 32 or image_size < 12:
            raise ValueError(f"LeNet takes images from 12×12 to 32×32, got {image_size}×{image_size}")
        rng = backend.host.random.default_rng(seed)
        padding = (32 - image_size + 1) // 2  # 28 → 2: the first map is 28×28 as in LeNet
        size = (image_size + 2 * padding - 4) // 2  # after conv 5×5 and pool 2
        size = (size - 4) // 2  # after the second conv and pool
        features = [L.Conv2d(in_channels, 6, 5, padding=padding, init=init, rng=rng)]
        if batch_norm:
            features.append(L.BatchNorm2d(6))
        features += [L.ReLU(), L.MaxPool2d(2), L.Conv2d(6, 16, 5, init=init, rng=rng)]
        if batch_norm:
            features.append(L.BatchNorm2d(16))
        features += [L.ReLU(), L.MaxPool2d(2), L.Flatten()]
        self.features = L.Sequential(*features)
        self.classifier = L.Sequential(
            L.Linear(16 * size * size, 120, init=init, rng=rng), L.ReLU(),
            L.Linear(120, 84, init=init, rng=rng), L.ReLU(),
            L.Linear(84, classes, init=init, rng=rng),
        )

    def forward(self, x):
        return self.classifier(self.features(x))

    def cost(self, input_shape):
        return L.Cost.chain((self.features, self.classifier), input_shape)


class VGG(L.Module):
    """A small VGG for (N, C, size, size) images: stacks of 3×3 convolutions (padding 1 keeps the
    size), each stack closed by 2×2 max pooling that halves it, then two affine layers.

    widths: one entry per stack, its channel count; two convolutions per stack, as VGG's first
    stacks have. 28×28 digits: 8×28×28 → 8×14×14 → 16×14×14 → 16×7×7 → 64 → classes.
    """

    task = "classification"

    def __init__(self, in_channels: int = 1, image_size: int = 28, classes: int = 10, widths=(8, 16),
                 hidden: int = 64, init="he", seed: int | None = 0):
        super().__init__()
        rng = backend.host.random.default_rng(seed)
        layers, channels, size = [], in_channels, image_size
        for width in widths:
            layers += [L.Conv2d(channels, width, 3, padding=1, init=init, rng=rng), L.ReLU(),
                       L.Conv2d(width, width, 3, padding=1, init=init, rng=rng), L.ReLU(), L.MaxPool2d(2)]
            channels, size = width, size // 2
        if size < 1:
            raise ValueError(f"{len(widths)} poolings leave nothing of a {image_size}×{image_size} image")
        self.features = L.Sequential(*layers, L.Flatten())
        self.classifier = L.Sequential(L.Linear(channels * size * size, hidden, init=init, rng=rng), L.ReLU(),
                                       L.Linear(hidden, classes, init=init, rng=rng))

    def forward(self, x):
        return self.classifier(self.features(x))

    def cost(self, input_shape):
        return L.Cost.chain((self.features, self.classifier), input_shape)


class ResNet(L.Module):
    """A small ResNet for (N, C, size, size) images, or (residual=False) its plain twin: the same
    layers without the shortcuts, so the two differ only in y = F(x) + x against y = F(x).

    stem: conv 3×3 → BN → ReLU → max-pool 2; then one stage per entry of `widths`, `blocks`
    residual blocks each (the first block of every later stage halves the size with stride 2 and
    widens with a 1×1 shortcut); global average pooling; one affine layer. The defaults on 28×28
    digits: 8×28×28 → 8×14×14 → 16×7×7 → 16 → classes, 10 weight layers on the main path.
    """

    task = "classification"

    def __init__(self, in_channels: int = 1, image_size: int = 28, classes: int = 10, widths=(8, 16),
                 blocks: int = 2, residual: bool = True, init="he", seed: int | None = 0):
        super().__init__()
        rng = backend.host.random.default_rng(seed)
        stem_width = widths[0]
        self.stem = L.Sequential(L.Conv2d(in_channels, stem_width, 3, padding=1, init=init, rng=rng),
                                 L.BatchNorm2d(stem_width), L.ReLU(), L.MaxPool2d(2))
        size, channels, stages = image_size // 2, stem_width, []
        for index, width in enumerate(widths):
            for block in range(blocks):
                stride = 2 if index > 0 and block == 0 else 1
                stages.append(L.ResidualBlock(channels, width, stride, residual=residual, init=init, rng=rng))
                channels, size = width, (size - 1) // stride + 1
        self.blocks = L.Sequential(*stages)
        self.head = L.Sequential(L.AvgPool2d(size), L.Flatten(), L.Linear(channels, classes, init=init, rng=rng))
        self.residual = residual

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))

    def cost(self, input_shape):
        return L.Cost.chain((self.stem, self.blocks, self.head), input_shape)


class PlainNet(ResNet):
    """The ResNet's plain twin: every layer the same, no shortcuts (see ResNet)."""

    def __init__(self, in_channels: int = 1, image_size: int = 28, classes: int = 10, widths=(8, 16),
                 blocks: int = 2, init="he", seed: int | None = 0):
        super().__init__(in_channels, image_size, classes, widths, blocks, residual=False, init=init, seed=seed)


class SequenceToOne(L.Module):
    """Many-to-one: run a recurrent layer over (N, T, D) and read the last hidden state.

    outputs: one number per sequence for regression (the adding problem), or class logits.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, outputs: int,
                 task: str = "regression", init="xavier", seed: int | None = 0):
        super().__init__()
        rng = backend.host.random.default_rng(seed)
        self.recurrent = L.RECURRENT[cell](input_size, hidden_size, init=init, rng=rng)
        self.head = L.Linear(hidden_size, outputs, init="xavier", rng=rng)
        self.task = task

    def forward(self, x):
        hs = self.recurrent(x)  # (N, T, H)
        return self.head(hs[:, -1])  # (N, outputs)

    def cost(self, input_shape):
        recurrent = self.recurrent.cost(input_shape)
        head = self.head.cost(recurrent.output_shape[1:])  # the last hidden state only
        return L.Cost(
            recurrent.multiply_adds + head.multiply_adds, recurrent.parameters + head.parameters,
            head.output_shape, recurrent.time_steps,
        )


class SequenceToSequence(L.Module):
    """Many-to-many: one output per time step.

    With `vocabulary`, inputs are integer ids (N, T) looked up in an embedding (the character
    model); otherwise inputs are feature vectors (N, T, input_size). Outputs are logits
    (N, T, outputs) for classification at every step.
    """

    task = "classification"

    def __init__(self, cell: str, hidden_size: int, outputs: int, input_size: int | None = None,
                 vocabulary: int | None = None, embedding_dim: int = 32, init="xavier",
                 seed: int | None = 0):
        super().__init__()
        if (input_size is None) == (vocabulary is None):
            raise ValueError("give either input_size (feature inputs) or vocabulary (id inputs)")
        rng = backend.host.random.default_rng(seed)
        self.embedding = L.Embedding(vocabulary, embedding_dim, rng=rng) if vocabulary else None
        width = embedding_dim if vocabulary else input_size
        self.recurrent = L.RECURRENT[cell](width, hidden_size, init=init, rng=rng)
        self.head = L.Linear(hidden_size, outputs, init="xavier", rng=rng)

    def forward(self, x):
        if self.embedding is not None:
            x = self.embedding(x)  # (N, T) ids -> (N, T, E)
        return self.head(self.recurrent(x))  # (N, T, H) -> (N, T, outputs)

    def cost(self, input_shape):
        layers = (self.embedding, self.recurrent, self.head) if self.embedding is not None else (self.recurrent, self.head)
        return L.Cost.chain(layers, input_shape)


class Transformer(L.Module):
    """A decoder-only transformer over integer ids (N, T): embedding plus the fixed sinusoidal
    position table, `blocks` pre-norm blocks of causal multi-head self-attention and an MLP, a
    final layer norm and an affine head giving logits (N, T, outputs) at every position.

    `context` is the longest sequence the position table covers; `dropout` drops out each
    sub-layer's output in training.
    """

    task = "classification"

    def __init__(self, vocabulary: int, outputs: int, dim: int = 64, heads: int = 4, blocks: int = 2,
                 context: int = 64, init="xavier", dropout: float = 0.0, seed: int | None = 0):
        super().__init__()
        from gradtutor.train.functional import sinusoidal_positions

        rng = backend.host.random.default_rng(seed)
        self.embedding = L.Embedding(vocabulary, dim, rng=rng)
        self.positions = sinusoidal_positions(backend.xp(), context, dim)  # fixed: not a parameter
        self.blocks = [L.TransformerBlock(dim, heads, causal=True, init=init, rng=rng, dropout=dropout,
                                          seed=None if seed is None else seed + 2 * index + 1)
                       for index in range(blocks)]
        self.norm = L.LayerNorm(dim)
        self.head = L.Linear(dim, outputs, init="xavier", rng=rng)
        self.context = context

    def forward(self, ids):
        x = self.embedding(ids)  # (N, T, D)
        length = x.shape[1]
        if length > self.context:
            raise ValueError(f"the model covers {self.context} positions, not a sequence of {length}")
        x = x + self.positions[:length]
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))

    def attention_maps(self):
        """The last forward's attention weights, one (N, heads, T, T) array per block."""
        return [block.attention.weights for block in self.blocks]

    def cost(self, input_shape):
        return L.Cost.chain((self.embedding, *self.blocks, self.norm, self.head), input_shape)


def greedy_continue(model, prompts, steps: int):
    """Extend each prompt (N, T) by `steps` ids, each the model's most likely next id given all
    before it: (N, steps) on the host. No teacher forcing: the model reads its own answers."""
    host = backend.host
    ids = host.asarray(prompts, dtype=host.int64)
    was_training = model.training
    model.eval()
    try:
        for _ in range(steps):
            logits = model(backend.to_device(ids)).data[:, -1]  # (N, classes)
            ids = host.concatenate((ids, backend.to_host(logits.argmax(axis=-1))[:, None].astype(host.int64)), axis=1)
    finally:
        model.train(was_training)
    return ids[:, ids.shape[1] - steps:]


def generate(model: SequenceToSequence, start_ids, length: int, seed: int | None = 0,
             temperature: float = 1.0, context: int = 64) -> list[int]:
    """Sample `length` ids from a trained id-input model, each conditioned on the last `context`.

    The model is run on the recent window (not a carried state), so any recurrent cell works, and
    a transformer too (the window never exceeds its `context`).
    Sampling happens on the host from the last step's softmax (temperature < 1 sharpens it);
    the last step's logits are the only data copied off the device per step.
    """
    if not start_ids:
        raise ValueError("generation needs at least one starting id")
    host = backend.host
    rng = host.random.default_rng(seed)
    ids = list(start_ids)
    was_training = model.training
    model.eval()
    try:
        for _ in range(length):
            window = backend.to_device(host.asarray([ids[-min(context, getattr(model, "context", context)):]],
                                                    dtype=host.int64))  # (1, t)
            logits = backend.to_host(model(window).data[0, -1]).astype(host.float64)  # (V,)
            scaled = (logits - logits.max()) / temperature
            probs = host.exp(scaled) / host.exp(scaled).sum()
            ids.append(int(rng.choice(len(probs), p=probs)))
    finally:
        model.train(was_training)
    return ids[len(start_ids):]
