"""The output layer, chosen by a small integer, and what every loss needs before an example.

Each loss (``loss_negative``, ``loss_softmax``, ``loss_hierarchical``) scores the target
against the output matrix, updates those output rows and returns the hidden vector's
step; the architectures (``cbow``, ``skipgram``) form the hidden vector and send that
step back to input rows. ``embed.kernels.batch.train_batch`` chooses the loss by
``kind`` and calls it by name rather than receiving a function, which keeps Numba's
on-disk cache valid.

The functions called per example take the arrays they use, not the run's ``Plan`` or
the worker's state: an array taken out of a named tuple inside the hot loop costs a
reference count up and down each time, which made skip-gram and CBOW 10-15% slower
(measured).
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from .loss_negative import draw_noise
from .prefetch import prefetch_row
from .private_rows import private_row

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
def prepare(kind, target, w_out, private, noise_table, points, lengths, noise_state, noise, slot):
    """Before an example that predicts ``target``: draw its noise words into
    ``noise[slot]`` and start loading the output rows it will touch (its target and
    noise words, or the nodes of its Huffman path), so that memory latency overlaps the
    example before."""
    if kind == NEGATIVE:
        prefetch_row(w_out, private_row(private, target))
        for k in range(noise.shape[1]):
            noise[slot, k] = draw_noise(noise_state, noise_table)
            prefetch_row(w_out, private_row(private, noise[slot, k]))
    elif kind == HIERARCHICAL:
        for k in range(lengths[target]):
            prefetch_row(w_out, private_row(private, points[target, k]))


def empty_tables() -> Tables:
    """Placeholders of the right types for the tables a loss does not use."""
    return Tables(
        noise=np.zeros(1, np.uint64),
        codes=np.zeros((1, 1), np.uint8),
        points=np.zeros((1, 1), np.int32),
        lengths=np.zeros(1, np.int32),
    )
