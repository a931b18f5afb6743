"""A batch of training examples between an architecture and a loss.

The architectures (``cbow``, ``skipgram``) fill it with hidden vectors, their targets
and the input rows each hidden vector came from; ``train_batch`` lets the loss score and
update the output rows, then sends each hidden vector's step back to its input rows.
The sampling losses take one skip-gram window (all its pairs predict the centre word)
or one CBOW example; the full softmax takes ``softmax_batch`` examples at a time so that
its cost is matrix products.
"""

import numpy as np
from numba import njit

from .loss import SOFTMAX, loss_batch
from .loss_softmax import scratch_size
from .vector import FAST, add


@njit(cache=True, nogil=True)
def batch_buffers(kind, w_out, negative, size, max_sources):
    """(hidden, steps, gains, targets, sources, source counts, loss scratch, noise draws).

    Noise draws have two rows: the current example's, and the next one's, drawn early so
    that its rows can be prefetched."""
    dim = w_out.shape[1]
    return (
        np.zeros((size, dim), dtype=np.float32),
        np.zeros((size, dim), dtype=np.float32),
        np.zeros(size, dtype=np.float32),
        np.zeros(size, dtype=np.int32),
        np.zeros((size, max_sources), dtype=np.int32),
        np.zeros(size, dtype=np.int32),
        np.empty(scratch_size(w_out.shape[0], dim, size) if kind == SOFTMAX else 1, dtype=np.float32),
        np.empty((2, negative), dtype=np.int32),
    )


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def train_batch(count, buffers, w_in, w_out, kind, tables, lr, slot, tally, saturation):
    """Train on the first ``count`` examples of the batch, with noise row ``slot``;
    adds their summed loss to ``tally``."""
    hidden, steps, gains, targets, sources, source_counts, scratch, noise = buffers
    loss_batch(kind, count, hidden, targets, w_out, lr, steps, tables, noise, slot, scratch, gains, tally, saturation)
    for b in range(count):
        for k in range(source_counts[b]):
            add(steps, b, w_in, sources[b, k])
