"""The output layer, chosen by a small integer.

Each loss scores the target against the output matrix, updates those output rows and
returns the hidden vector's step; the architectures (``cbow``, ``skipgram``) form the
hidden vector and send that step back to input rows (through ``embed.kernels.batch``).
The drivers call ``loss_batch`` by name rather than receiving a function, which keeps
Numba's on-disk cache valid.
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

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


class Tables(NamedTuple):
    """What the losses look words up in; a loss that needs none of them gets ``empty_tables()``'s."""

    noise: np.ndarray  # negative sampling's alias table (embed.kernels.loss_negative)
    codes: np.ndarray  # hierarchical softmax: each word's turns from the root (embed.kernels.huffman)
    points: np.ndarray  # the inner nodes each word's path passes
    lengths: np.ndarray  # each word's path length


@njit(cache=True, nogil=True, inline="always")
def prepare(plan, target, w_out, worker, slot):
    """Before an example that predicts ``target``: draw its noise words into
    ``worker.batch.noise[slot]`` and start loading the output rows it will touch, so
    that memory latency overlaps the example before."""
    private, noise, tables = worker.private, worker.batch.noise, plan.tables
    if plan.kind == NEGATIVE:
        prefetch_row(w_out, private_row(private, target))
        for k in range(noise.shape[1]):
            noise[slot, k] = draw_noise(worker.noise_state, tables.noise)
            prefetch_row(w_out, private_row(private, noise[slot, k]))
    elif plan.kind == HIERARCHICAL:
        for k in range(tables.lengths[target]):
            prefetch_row(w_out, private_row(private, tables.points[target, k]))


@njit(cache=True, nogil=True, inline="always")
def loss_batch(count, batch, w_out, private, plan, lr, slot, tally):
    """Score the first ``count`` hidden vectors of ``batch`` against its targets; write
    each one's step into ``batch.steps``; add the summed loss to ``tally``. The full
    softmax takes any targets; the sampling losses take a batch that shares one target
    (a skip-gram window, or one CBOW example) and the noise words ``prepare`` drew into
    ``batch.noise[slot]``. ``private`` names the rows of ``w_out`` this
    worker keeps to itself (``embed.kernels.private_rows``)."""
    for b in range(count):
        zero(batch.steps, b)
    target = batch.targets[0]
    if plan.kind == SOFTMAX:
        softmax_batch_step(batch.hidden[:count], batch.targets[:count], w_out, lr, batch.steps[:count], batch.scratch,
                           tally)
    elif plan.kind == NEGATIVE:
        negative_update(count, batch, target, slot, w_out, private, lr, tally, plan.saturation)
    else:
        tables = plan.tables
        hierarchical_step(count, batch, tables.codes, tables.points, target, tables.lengths[target], w_out, private, lr,
                          tally, plan.saturation)


def empty_tables() -> Tables:
    """Placeholders of the right types for the tables a loss does not use."""
    return Tables(
        noise=np.zeros(1, np.uint64),
        codes=np.zeros((1, 1), np.uint8),
        points=np.zeros((1, 1), np.int32),
        lengths=np.zeros(1, np.int32),
    )
