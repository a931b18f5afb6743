"""The output layer, chosen by a small integer.

Each loss scores the target against the output matrix, updates those output rows and
returns the hidden vector's step; the architectures (``cbow``, ``skipgram``) form the
hidden vector and send that step back to input rows. The drivers call ``loss_step`` by
name rather than receiving a function, which keeps Numba's on-disk cache valid.
"""

import numpy as np
from numba import njit

from .loss_hierarchical import hierarchical_step
from .loss_negative import negative_step
from .loss_softmax import softmax_step

NEGATIVE = 0
SOFTMAX = 1
HIERARCHICAL = 2
KINDS = {"negative": NEGATIVE, "softmax": SOFTMAX, "hierarchical": HIERARCHICAL}


@njit(cache=True, nogil=True)
def loss_step(kind, hidden, target, w_out, lr, hidden_update, tables, noise_state, scratch, noise_words):
    """``tables`` is (accept, alias, codes, points, lengths); unused ones may be empty."""
    if kind == NEGATIVE:
        return negative_step(hidden, target, w_out, tables[0], tables[1], noise_state, noise_words, lr, hidden_update)
    if kind == SOFTMAX:
        return softmax_step(hidden, target, w_out, lr, hidden_update, scratch)
    return hierarchical_step(hidden, tables[2][target], tables[3][target], tables[4][target], w_out, lr, hidden_update)


@njit(cache=True, nogil=True)
def loss_buffers(kind, w_out, negative):
    """Per-call scratch: the hidden vector's step, softmax scores, noise draws."""
    hidden_update = np.zeros(w_out.shape[1], dtype=np.float32)
    scratch = np.empty(w_out.shape[0] if kind == SOFTMAX else 1, dtype=np.float32)
    return hidden_update, scratch, np.empty(negative, dtype=np.int32)


def empty_tables():
    """Placeholders of the right types for the tables a loss does not use."""
    return (
        np.ones(1, np.float64),
        np.zeros(1, np.int32),
        np.zeros((1, 1), np.uint8),
        np.zeros((1, 1), np.int32),
        np.zeros(1, np.int32),
    )
