"""Negative sampling: the target against ``negative`` noise words, each a logistic regression.

Loss for a hidden vector h, target o and noise words k: -log s(u_o.h) - sum_k log s(-u_k.h),
with s the sigmoid and u the output rows. Noise words come from the unigram distribution
raised to 0.75 (word2vec), drawn in O(1) from an alias table; a draw equal to the target
is skipped, as word2vec does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from ..text.rng import next_u64
from .logistic import logistic_block
from .tally import add_loss, settle


ALIAS_BITS = 31  # below them the alias word, above them a 33-bit threshold (2**32 = always accept)
ALIAS_MASK = (1 << ALIAS_BITS) - 1
_ALIAS_MASK = np.uint64(ALIAS_MASK)
_LOW32 = np.uint64(0xFFFFFFFF)


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


def alias_table(probabilities: np.ndarray) -> np.ndarray:
    """Walker's alias method (Vose's construction): one uniform bucket, then a biased coin.

    Each bucket is one uint64, its acceptance threshold (out of 2**32) above
    ``ALIAS_BITS`` bits of alias, so a draw reads one 8-byte entry: a 70k-word table
    stays in L2, where separate accept and alias arrays cost two cache misses a draw.

    >>> table = alias_table(np.array([0.5, 0.25, 0.25]))
    >>> [int(t >> ALIAS_BITS) / 2**32 for t in table], [int(t & ALIAS_MASK) for t in table]
    ([1.0, 0.75, 0.75], [0, 0, 0])
    """
    size = len(probabilities)
    if size >= 1 << ALIAS_BITS:
        raise ValueError(f"alias table: {size} words is more than {1 << ALIAS_BITS}")
    scaled = np.asarray(probabilities, dtype=np.float64) * size
    accept = np.ones(size, dtype=np.float64)
    alias = np.arange(size, dtype=np.uint64)
    small = [i for i in range(size) if scaled[i] < 1.0]
    large = [i for i in range(size) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] -= 1.0 - scaled[s]
        (small if scaled[g] < 1.0 else large).append(g)
    threshold = np.minimum(np.floor(accept * 2.0**32), 2.0**32).astype(np.uint64)
    return (threshold << np.uint64(ALIAS_BITS)) | alias


@njit(cache=True, nogil=True, inline="always")
def draw_noise(state, table):
    """One noise word: the high 32 random bits pick a bucket (multiply-shift), the low
    32 bits are the coin against the bucket's threshold."""
    bits = next_u64(state)
    bucket = ((bits >> np.uint64(32)) * np.uint64(table.shape[0])) >> np.uint64(32)
    entry = table[bucket]
    if (bits & _LOW32) < (entry >> np.uint64(ALIAS_BITS)):
        return np.int64(bucket)
    return np.int64(entry & _ALIAS_MASK)


@njit(cache=True, nogil=True, inline="always")
def negative_update(count, hidden, target, noise, slot, w_out, private, lr, steps, gains, rows, labels, tally,
                    saturation=np.inf):
    """One SGD step of the first ``count`` rows of ``hidden`` (a batch that predicts
    ``target``) on the target and the noise words ``noise[slot]``, adding the loss to ``tally``.

    Output rows are updated in place (``private``: see ``embed.kernels.private_rows``); each hidden
    vector's step (-lr times its gradient) is added to its row of ``steps``. ``rows``
    and ``labels`` are scratch of at least ``negative + 1``, ``gains`` of that times
    the batch's length.
    """
    picked, distinct = target_and_noise(target, noise, slot, rows, labels)
    if distinct:
        product, value = logistic_block(count, hidden, w_out, private, rows, labels, picked, lr, steps, gains, saturation)
    else:  # a repeated noise word's second update must see its first: one row at a time
        product, value = 1.0, 0.0
        for r in range(picked):
            p, v = logistic_block(count, hidden, w_out, private, rows[r:], labels[r:], 1, lr, steps, gains, saturation)
            product, value = settle(product * p, value + v)
    add_loss(tally, product, value)


@njit(cache=True, nogil=True, inline="always")
def target_and_noise(target, noise, slot, rows, labels):
    """Fill ``rows`` and ``labels`` with the target (label 1) and the noise words of
    ``noise[slot]`` other than the target (label 0); return how many, and whether
    they are distinct."""
    rows[0], labels[0] = target, 1.0
    picked = 1
    distinct = True
    for k in range(noise.shape[1]):
        word = noise[slot, k]
        if word == target:
            continue
        for r in range(1, picked):
            distinct = distinct and rows[r] != word
        rows[picked], labels[picked] = word, 0.0
        picked += 1
    return picked, distinct
