"""Sequence to sequence: an encoder–decoder of two recurrent layers, and how it is scored.

The encoder reads the source ids and hands its last hidden state to the decoder as the decoder's
first state. The decoder writes one id per step, each step reading the id written before it (a
start token first). What it reads while it trains is the choice this module is about:

    teacher forcing   the right previous id, from the targets: all steps in one pass of the
                      fused recurrent op, and every step learns from a correct history
    free running      its own previous guess (the arg-max, which takes no gradient): the
                      history it will have at test time, mistakes included

At evaluation the decoder always runs free (greedy decoding): there are no targets to read. A
model trained only on right histories meets its own first mistake there, a history it never saw.

Free-running steps rerun the decoder over the ids written so far, as `models.generate` does, so
any cell works (the fused LSTM op returns hidden states, not its cell state): T steps cost
T(T + 1)/2 decoder steps, cheap at the lengths this model is for.
"""

from __future__ import annotations

from gradtutor import backend
from gradtutor.tensor import Tensor, concatenate
from gradtutor.train import layers as L


class EncoderDecoder(L.Module):
    """ids (N, T) in 0 … vocabulary−1 → logits (N, T', vocabulary), T' the target length.

    One embedding serves both sides (the same digits are read and written) and holds one more
    row, the decoder's start token. `model(source, targets)` in training mode reads the targets
    when `teacher_forcing` is on; `model(source)` decodes greedily for the source's length.
    """

    task = "classification"
    reads_targets = True  # the training loop passes the targets along (teacher forcing)

    def __init__(self, cell: str, vocabulary: int, hidden_size: int, embedding_dim: int = 16,
                 teacher_forcing: bool = True, init="xavier", seed: int | None = 0):
        super().__init__()
        rng = backend.host.random.default_rng(seed)
        self.start = vocabulary  # the start token's id
        self.embedding = L.Embedding(vocabulary + 1, embedding_dim, rng=rng)
        self.encoder = L.RECURRENT[cell](embedding_dim, hidden_size, init=init, rng=rng)
        self.decoder = L.RECURRENT[cell](embedding_dim, hidden_size, init=init, rng=rng)
        self.head = L.Linear(hidden_size, vocabulary, init="xavier", rng=rng)
        self.teacher_forcing = teacher_forcing
        self.cell = cell

    def encode(self, source):
        """The encoder's last hidden state (N, H): all the decoder knows of the source."""
        return self.encoder(self.embedding(source))[:, -1]

    def decode(self, inputs, state):
        """Logits (N, t, vocabulary) for decoder inputs (N, t) from the first state (N, H)."""
        return self.head(self.decoder(self.embedding(inputs), state))

    def _starts(self, rows: int):
        return backend.xp().full((rows, 1), self.start, dtype="int64")

    def forward(self, source, targets=None):
        source = source.data if isinstance(source, Tensor) else source
        state = self.encode(source)
        if targets is not None and self.training and self.teacher_forcing:
            xp = backend.xp()
            shifted = xp.concatenate((self._starts(len(targets)), xp.asarray(targets)[:, :-1].astype("int64")), axis=1)
            return self.decode(shifted, state)
        steps = source.shape[1] if targets is None else targets.shape[1]
        return self.greedy(state, steps)

    def greedy(self, state, steps: int):
        """Logits (N, steps, vocabulary), each step fed the arg-max of the step before."""
        xp = backend.xp()
        written = self._starts(state.shape[0])
        logits = []
        for _ in range(steps):
            last = self.decode(written, state)[:, -1:]  # (N, 1, V)
            logits.append(last)
            written = xp.concatenate((written, last.data.argmax(axis=-1).astype("int64")), axis=1)
        return concatenate(logits, axis=1)

    def cost(self, input_shape):
        """Encoder over the source, decoder over as many steps (rerun per step when free)."""
        (steps,) = input_shape
        embedded = self.embedding.cost(input_shape)
        encoder = self.encoder.cost(embedded.output_shape)
        decoder_steps = steps if self.teacher_forcing else steps * (steps + 1) // 2
        decoder = self.decoder.cost((decoder_steps, embedded.output_shape[1]))
        head = self.head.cost((decoder_steps, self.head.weight.shape[0]))
        return L.Cost(encoder.multiply_adds + decoder.multiply_adds + head.multiply_adds,
                      self.parameter_count(), (steps, self.head.weight.shape[1]),
                      encoder.time_steps + decoder.time_steps)


def sequence_accuracy(model: EncoderDecoder, data, batch_size: int = 256) -> float:
    """The fraction of sequences decoded greedily with every id right (eval mode)."""
    from gradtutor.train.datasets import Batches

    was_training = model.training
    model.eval()
    right = 0
    try:
        for source, targets in Batches(data.x, data.y, batch_size, shuffle=False):
            guesses = model(source).data.argmax(axis=-1)
            right += int((guesses == targets).all(axis=1).sum())
    finally:
        model.train(was_training)
    return right / len(data)
