"""The op table: every gate gradtutor knows, each defined exactly once.

A record holds the forward rule and the vector-Jacobian product (the downstream gradient of each
input given the upstream gradient); its words (formula, local gradients, the gate pattern) are
data, in texts/<lang>.toml. The engines call `forward` and `vjp`; the tracer calls `vjp` again to
show the arithmetic; the renderers print `symbol` and the words; the op tests sample `sample` and
check `vjp` against central differences. Nothing else knows how an op differentiates.

    table.py      the Op record, OPS, register, the Scalar namespace, the words' accessors
    scalar.py     the teaching gates, on numbers and arrays alike (+ − × ÷, exp, tanh, relu …)
    tensor.py     array-only ops (matmul, reshape, indexing, reductions, softmax, masks, losses)
    nn.py         fused layer ops (linear, conv2d, pooling, normalisation, dropout, embedding, attention)
    recurrent.py  fused sequence ops (rnn, lstm, gru)

Importing the package loads every op module, so the table is complete whatever is imported
first. The signatures every op follows are in table.py.
"""

from gradtutor.ops.table import FANOUT, OPS, Op, Pattern, Scalar, UnknownOp, language, languages, lookup, register
from gradtutor.ops.scalar import ADD, DIV, EXP, LOG, MAX, MIN, MUL, NEG, POW, RELU, SIGMOID, SQRT, SUB, TANH
from gradtutor.ops.tensor import (
    AMAX, CONCATENATE, ELU, GETITEM, LEAKY_RELU, LOG_SOFTMAX, MASK, MATMUL, MEAN, MSE, RESHAPE, SOFTMAX,
    SOFTMAX_CROSS_ENTROPY, STACK, SUM, TRANSPOSE,
)
from gradtutor.ops.nn import (
    ATTENTION, AVG_POOL2D, BATCH_NORM, CONV2D, DROPOUT, EMBEDDING, LAYER_NORM, LINEAR, MAX_POOL2D,
)
from gradtutor.ops.recurrent import GRU, LSTM, RNN

__all__ = [
    "FANOUT", "OPS", "Op", "Pattern", "Scalar", "UnknownOp", "language", "languages", "lookup", "register",
    "ADD", "DIV", "EXP", "LOG", "MAX", "MIN", "MUL", "NEG", "POW", "RELU", "SIGMOID", "SQRT", "SUB", "TANH",
    "AMAX", "CONCATENATE", "ELU", "GETITEM", "LEAKY_RELU", "LOG_SOFTMAX", "MASK", "MATMUL", "MEAN", "MSE",
    "RESHAPE", "SOFTMAX", "SOFTMAX_CROSS_ENTROPY", "STACK", "SUM", "TRANSPOSE",
    "ATTENTION", "AVG_POOL2D", "BATCH_NORM", "CONV2D", "DROPOUT", "EMBEDDING", "LAYER_NORM", "LINEAR", "MAX_POOL2D",
    "GRU", "LSTM", "RNN",
]
