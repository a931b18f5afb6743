"""What the models see: subsampled sentences and their context windows.

word2vec's dynamic window: every centre word draws its effective window b uniformly
from 1..window, so near words count more than far ones on average. The generators here
are for people who want to print what a model trains on; the kernels call the same
jitted draws (``reduced_window``, ``subsample_into``) in the same order, from the same
per-chunk state, so a generator given that state yields exactly the kernel's examples.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from .rng import below, make_state, uniform

WINDOW_STREAM = 0  # the rng stream that windows and subsampling draw from


@njit(cache=True, nogil=True, inline="always")
def reduced_window(state, window, shrink):
    """The window a centre word uses: drawn from 1..window (word2vec's), or the whole
    window without a draw where ``shrink`` is off (gensim's ``shrink_windows=False``)."""
    return 1 + below(state, window) if shrink else window


@njit(cache=True, nogil=True)
def subsample_into(sentence, keep_prob, state, out):
    """Copy the words of ``sentence`` that survive subsampling into ``out``; return how many."""
    kept = 0
    for word in sentence:
        p = keep_prob[word]
        if p < 1.0 and uniform(state) >= p:
            continue
        out[kept] = word
        kept += 1
    return kept


@njit(cache=True, nogil=True)
def sentence_buffer(offsets):
    """Room for the longest sentence of a chunk after subsampling."""
    longest = 0
    for s in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[s + 1] - offsets[s])
    return np.empty(longest, dtype=np.int32)


def _state(seed_or_state: int | np.ndarray) -> np.ndarray:
    if isinstance(seed_or_state, np.ndarray):
        return seed_or_state
    return make_state(seed_or_state, WINDOW_STREAM)


def subsample(sentence: Sequence[int], keep_prob: np.ndarray, state: int | np.ndarray = 1) -> np.ndarray:
    """The word ids of a sentence that survive subsampling.

    >>> subsample([0, 1, 2], np.array([1.0, 1.0, 1.0], dtype=np.float32)).tolist()
    [0, 1, 2]
    """
    ids = np.asarray(sentence, dtype=np.int32)
    out = np.empty_like(ids)
    kept = subsample_into(ids, np.asarray(keep_prob, dtype=np.float32), _state(state), out)
    return out[:kept]


def skipgram_pairs(
    sentence: Sequence[int], window: int = 5, state: int | np.ndarray = 1, shrink: bool = True
) -> Iterator[tuple[int, int]]:
    """(centre, context) pairs: skip-gram predicts each context word from the centre word.

    ``state`` is a seed or an rng state from ``embed.text.rng.make_state``.

    >>> list(skipgram_pairs([10, 11, 12], window=1))
    [(10, 11), (11, 10), (11, 12), (12, 11)]
    """
    state = _state(state)
    n = len(sentence)
    for i in range(n):
        b = reduced_window(state, window, shrink)
        for j in range(max(0, i - b), min(n, i + b + 1)):
            if j != i:
                yield int(sentence[i]), int(sentence[j])


def cbow_examples(
    sentence: Sequence[int], window: int = 5, state: int | np.ndarray = 1, shrink: bool = True
) -> Iterator[tuple[list[int], int]]:
    """(context bag, centre) examples: CBOW predicts the centre word from its context.

    >>> list(cbow_examples([10, 11, 12], window=1))
    [([11], 10), ([10, 12], 11), ([11], 12)]
    """
    state = _state(state)
    n = len(sentence)
    for i in range(n):
        b = reduced_window(state, window, shrink)
        context = [int(sentence[j]) for j in range(max(0, i - b), min(n, i + b + 1)) if j != i]
        if context:
            yield context, int(sentence[i])
