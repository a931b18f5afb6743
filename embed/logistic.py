"""The binary logistic output that negative sampling and hierarchical softmax share
(fastText's ``binaryLogistic``): one output row against the batch's hidden vectors.

A batch here is the examples of one skip-gram window, which all predict the same word;
they share its output rows (target and noise words, or the nodes of its Huffman path),
so each row is read from memory once per window instead of once per pair. Rows are
visited in order and each is updated once with the sum over the batch; every hidden
vector's step is computed with the row as it was before that update. For a batch of
one this is word2vec's per-pair update exactly.

These two are compiled once and called, not inlined into every loss: inlined, they
tripled the kernels' first-run compile time (from 15 to 52 seconds) for a few percent
of speed.
"""

import numpy as np
from numba import njit

from .private_rows import private_row
from .tally import settle
from .vector import FAST, axpy, dot, logistic_parts


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


@njit(cache=True, nogil=True, fastmath=FAST)
def binary_logistic(count, hidden, w_out, hot, row, label, lr, steps, gains, saturation):
    """Score output row ``row`` against the first ``count`` rows of ``hidden`` with
    this label (1 or 0), add each hidden vector's step to its row of ``steps``, update
    the output row; return the loss as (product, value), the loss being
    log(product) + value (see ``embed.tally``). ``hot`` names the rows of ``w_out``
    this worker keeps private (see ``embed.private_rows``).
    ``gains`` is float32 scratch of at least the batch's length. A pair whose score is
    beyond +-``saturation`` counts in the loss but is not updated, as gensim does (its
    sigmoid table ends at 6); ``inf`` applies the exact gradient everywhere."""
    # In phases, so that the batch's dot products, and then its exps, are independent
    # of each other and overlap in the CPU instead of waiting on one another.
    row = private_row(hot, row)
    for b in range(count):
        gains[b] = dot(hidden, b, w_out, row)
    product = 1.0  # of the (1 + e) factors, each at most 2
    linear = 0.0
    for first in range(0, count, _SETTLE_EVERY):
        for b in range(first, min(count, first + _SETTLE_EVERY)):
            factor, term, gains[b] = score_to_gain(gains[b], label, lr, saturation)
            product, linear = product * factor, linear + term
        product, linear = settle(product, linear)
    for b in range(count):
        axpy(gains[b], w_out, row, steps, b)
    for b in range(count):
        axpy(gains[b], hidden, b, w_out, row)
    return product, linear


@njit(cache=True, nogil=True, fastmath=FAST)
def logistic_rows(hidden, b, w_out, hot, rows, labels, count, lr, steps, gains, saturation):
    """One hidden vector, row ``b`` of ``hidden``, against ``count`` distinct output rows
    ``rows[:count]`` with ``labels[:count]``: the same step as ``binary_logistic`` on
    each row in turn (a CBOW example, or a window of one pair). Rows being distinct,
    no score depends on another row's update, so all the dots come first and then
    all the exps, and they overlap in the CPU instead of waiting on one another.
    ``rows`` is rewritten with where each row lives for this worker (``hot``)."""
    for r in range(count):
        rows[r] = private_row(hot, rows[r])
        gains[r] = dot(hidden, b, w_out, rows[r])
    product = 1.0
    linear = 0.0
    for first in range(0, count, _SETTLE_EVERY):
        for r in range(first, min(count, first + _SETTLE_EVERY)):
            factor, term, gains[r] = score_to_gain(gains[r], labels[r], lr, saturation)
            product, linear = product * factor, linear + term
        product, linear = settle(product, linear)
    for r in range(count):
        axpy(gains[r], w_out, rows[r], steps, b)
    for r in range(count):
        axpy(gains[r], hidden, b, w_out, rows[r])
    return product, linear
