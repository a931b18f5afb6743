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
def batch_buffers(kind, w_out, negative, size, max_sources, path_length):
    """(hidden, steps, gains, targets, sources, source counts, loss scratch, noise draws,
    output rows, labels).

    Noise draws have two rows: the current example's, and the next one's, drawn early so
    that its rows can be prefetched. Output rows and labels hold a batch's rows for
    ``logistic_block``: its target and noise words, or the nodes of its Huffman path;
    gains hold a score per (example, row)."""
    dim = w_out.shape[1]
    rows = max(negative + 1, path_length)
    return (
        np.zeros((size, dim), dtype=np.float32),
        np.zeros((size, dim), dtype=np.float32),
        np.zeros(size * rows, dtype=np.float32),
        np.zeros(size, dtype=np.int32),
        np.zeros((size, max_sources), dtype=np.int32),
        np.zeros(size, dtype=np.int32),
        np.empty(scratch_size(w_out.shape[0], dim, size) if kind == SOFTMAX else 1, dtype=np.float32),
        np.empty((2, negative), dtype=np.int32),
        np.zeros(rows, dtype=np.int64),
        np.zeros(rows, dtype=np.float32),
    )


# Not inlined: the drivers call it from two or three places, and an inlined copy of
# all three losses at each doubled their compile time; a call per batch costs little.
@njit(cache=True, nogil=True, fastmath=FAST)
def train_batch(count, buffers, w_in, w_out, hot, kind, tables, lr, slot, tally, saturation):
    """Train on the first ``count`` examples of the batch, with noise row ``slot``;
    adds their summed loss to ``tally``."""
    hidden, steps, gains, targets, sources, source_counts, scratch, noise, rows, labels = buffers
    loss_batch(kind, count, hidden, targets, w_out, hot, lr, steps, tables, noise, slot, scratch, gains, rows, labels, tally,
               saturation)
    for b in range(count):
        for k in range(source_counts[b]):
            add(steps, b, w_in, sources[b, k])
