"""Negative sampling: the target against ``negative`` noise words, each a logistic regression.

Loss for a hidden vector h, target o and noise words k: -log s(u_o.h) - sum_k log s(-u_k.h),
with s the sigmoid and u the output rows. Noise words come from the unigram distribution
raised to 0.75 (word2vec), drawn in O(1) from an alias table; a draw equal to the target
is skipped, as word2vec does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .rng import below, uniform
from .logistic import binary_logistic


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


def alias_table(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias method (Vose's construction): one uniform bucket, then a biased coin."""
    size = len(probabilities)
    scaled = np.asarray(probabilities, dtype=np.float64) * size
    accept = np.ones(size, dtype=np.float64)
    alias = np.arange(size, dtype=np.int32)
    small = [i for i in range(size) if scaled[i] < 1.0]
    large = [i for i in range(size) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] -= 1.0 - scaled[s]
        (small if scaled[g] < 1.0 else large).append(g)
    return accept, alias


@njit(cache=True, nogil=True, inline="always")
def draw_noise(state, accept, alias):
    bucket = below(state, accept.shape[0])
    return bucket if uniform(state) < accept[bucket] else alias[bucket]


@njit(cache=True, nogil=True, inline="always")
def negative_update(hidden, target, noise_words, w_out, lr, steps, gains, saturation=np.inf):
    """One SGD step of every row of ``hidden`` (a batch that predicts ``target``) on the
    target and the given noise words; returns the summed loss.

    Output rows are updated in place; each hidden vector's step (-lr times its
    gradient) is added to its row of ``steps``.
    """
    loss = binary_logistic(hidden, w_out[target], 1.0, lr, steps, gains, saturation)
    for k in range(noise_words.shape[0]):
        word = noise_words[k]
        if word != target:
            loss += binary_logistic(hidden, w_out[word], 0.0, lr, steps, gains, saturation)
    return loss
