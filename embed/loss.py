"""The output layer, chosen by a small integer.

Each loss scores the target against the output matrix, updates those output rows and
returns the hidden vector's step; the architectures (``cbow``, ``skipgram``) form the
hidden vector and send that step back to input rows (through ``embed.batch``). The
drivers call ``loss_batch`` by name rather than receiving a function, which keeps
Numba's on-disk cache valid.
"""

import numpy as np
from numba import njit

from .loss_hierarchical import hierarchical_step
from .loss_negative import draw_noise, negative_update
from .loss_softmax import softmax_batch_step
from .prefetch import prefetch_row
from .private_rows import private_row
from .vector import zero

NEGATIVE = 0
SOFTMAX = 1
HIERARCHICAL = 2
KINDS = {"negative": NEGATIVE, "softmax": SOFTMAX, "hierarchical": HIERARCHICAL}


@njit(cache=True, nogil=True, inline="always")
def prepare(kind, target, w_out, hot, tables, noise_state, noise, slot):
    """Before an example that predicts ``target``: draw its noise words into ``noise[slot]`` and start loading
    the output rows it will touch, so that memory latency overlaps the example before."""
    if kind == NEGATIVE:
        prefetch_row(w_out, private_row(hot, target))
        for k in range(noise.shape[1]):
            noise[slot, k] = draw_noise(noise_state, tables[0])
            prefetch_row(w_out, private_row(hot, noise[slot, k]))
    elif kind == HIERARCHICAL:
        for k in range(tables[3][target]):
            prefetch_row(w_out, private_row(hot, tables[2][target, k]))


@njit(cache=True, nogil=True, inline="always")
def loss_batch(kind, count, hidden, targets, w_out, hot, lr, steps, tables, noise, slot, scratch, gains, rows, labels, tally,
               saturation):
    """Score the first ``count`` rows of ``hidden`` against ``targets``; write each
    row's step into ``steps``; add the summed loss to ``tally``. The full softmax takes
    any targets; the sampling losses take a batch that shares one target (a skip-gram
    window, or one CBOW example) and the noise words ``prepare`` drew into ``noise[slot]``.
    ``tables`` is (noise alias table, codes, points, lengths); unused ones may be empty.
    ``hot`` names the rows of ``w_out`` this worker keeps private (``embed.private_rows``)."""
    for b in range(count):
        zero(steps, b)
    target = targets[0]
    if kind == SOFTMAX:
        softmax_batch_step(hidden[:count], targets[:count], w_out, lr, steps[:count], scratch, tally)
    elif kind == NEGATIVE:
        negative_update(count, hidden, target, noise, slot, w_out, hot, lr, steps, gains, rows, labels, tally, saturation)
    else:
        codes, points, lengths = tables[1], tables[2], tables[3]
        hierarchical_step(count, hidden, codes, points, target, lengths[target], w_out, hot, lr, steps, gains, rows, labels,
                          tally, saturation)


def empty_tables():
    """Placeholders of the right types for the tables a loss does not use."""
    return (
        np.zeros(1, np.uint64),
        np.zeros((1, 1), np.uint8),
        np.zeros((1, 1), np.int32),
        np.zeros(1, np.int32),
    )
