"""The binary logistic output that negative sampling and hierarchical softmax share
(fastText's ``binaryLogistic``): output rows against the batch's hidden vectors.

A batch here is one CBOW example, or the examples of one skip-gram window, which all
predict the same word; they share its output rows (target and noise words, or the nodes
of its Huffman path), so each row is read from memory once per window instead of once
per pair. Each row is updated once with the sum over the batch, and every hidden
vector's step is computed with the rows as they were before. For a batch of one this
is word2vec's per-pair update exactly.

The rows of one call are distinct, so no score depends on another's update: all the
dot products come first, then all the exps, then the updates. Independent of each
other, they overlap in the CPU instead of waiting on one another.

It is compiled once and called, not inlined into every loss: inlined, it tripled the
kernels' first-run compile time (from 15 to 52 seconds) for a few percent of speed.
"""

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from .private_rows import private_row
from .tally import settle
from .vector import FAST, axpy, axpy2, axpy4, dot, dot2, logistic_parts


_SETTLE_EVERY = 256  # pairs between settles: a product of 256 factors of at most 2 stays finite


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def score_to_gain(score, label, lr, saturation):
    """(1 + e, linear part of the loss, gain) of one pair: its loss is log(1 + e) + linear
    and its step lr (label - sigmoid(score)), or 0 beyond +-``saturation``."""
    e, positive = logistic_parts(score)
    linear = max(-score, 0.0) if label > 0.0 else max(score, 0.0)
    inside = -saturation < score < saturation
    gain = (np.float32(label) - positive) * np.float32(lr) if inside else np.float32(0.0)
    return 1.0 + e, linear, gain


# Without reference counts, as embed.kernels.batch.train_batch, which calls it (see there).
@njit(cache=True, nogil=True, fastmath=FAST, _nrt=False)
def logistic_block(count, hidden, w_out, private, rows, labels, size, lr, steps, gains, saturation):
    """Score the first ``count`` rows of ``hidden`` against the ``size`` distinct
    output rows ``rows[:size]`` with ``labels[:size]`` (1 or 0); add each hidden
    vector's step to its row of ``steps``; update the output rows; return the loss as
    (product, value), the loss being log(product) + value (see ``embed.kernels.tally``).

    ``private`` names the rows of ``w_out`` this worker keeps to itself (see
    ``embed.kernels.private_rows``); ``rows`` is rewritten with where each lives. ``gains`` is
    float32 scratch of at least ``count * size``. A pair whose score is beyond
    +-``saturation`` counts in the loss but is not updated, as gensim does (its sigmoid
    table ends at 6); ``inf`` applies the exact gradient everywhere."""
    # Loads and stores, not arithmetic, set the pace here: so each output row is read
    # once for two hidden vectors, and the updates below add four terms per load and
    # store of the row they change. The sums are the same, in the same order. With every
    # row in L1, a skip-gram window took 55-62 cycles a (row, context) pair against 70-73
    # one pair at a time (benchmarks/logistic_block.py); CBOW's one hidden vector, within
    # the noise.
    for r in range(size):
        rows[r] = private_row(private, rows[r])
        b = 0
        while b + 1 < count:
            gains[r * count + b], gains[r * count + b + 1] = dot2(w_out, rows[r], hidden, b, b + 1)
            b += 2
        if b < count:
            gains[r * count + b] = dot(hidden, b, w_out, rows[r])
    product = 1.0  # of the (1 + e) factors, each at most 2
    linear = 0.0
    factors = 0
    for r in range(size):
        for b in range(count):
            factor, term, gains[r * count + b] = score_to_gain(gains[r * count + b], labels[r], lr, saturation)
            product, linear = product * factor, linear + term
            factors += 1
            if factors == _SETTLE_EVERY:
                product, linear = settle(product, linear)
                factors = 0
    for b in range(count):
        r = 0
        while r + 3 < size:
            axpy4(gains[r * count + b], gains[(r + 1) * count + b], gains[(r + 2) * count + b],
                  gains[(r + 3) * count + b], w_out, rows[r], rows[r + 1], rows[r + 2], rows[r + 3], steps, b)
            r += 4
        while r < size:
            axpy(gains[r * count + b], w_out, rows[r], steps, b)
            r += 1
    for r in range(size):
        b = 0
        while b + 3 < count:
            axpy4(gains[r * count + b], gains[r * count + b + 1], gains[r * count + b + 2], gains[r * count + b + 3],
                  hidden, b, b + 1, b + 2, b + 3, w_out, rows[r])
            b += 4
        if b + 1 < count:
            axpy2(gains[r * count + b], gains[r * count + b + 1], hidden, b, b + 1, w_out, rows[r])
            b += 2
        if b < count:
            axpy(gains[r * count + b], hidden, b, w_out, rows[r])
    return settle(product, linear)
