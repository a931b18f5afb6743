"""Hierarchical softmax: the target's probability is a product of binary decisions along
its Huffman path (see ``embed.kernels.huffman``), one logistic regression per inner node.

At node n with turn c (0 or 1) the decision's loss is -log s((1 - 2c) u_n.h), as in
word2vec, where code 0 is the "positive" branch.
"""

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from .logistic import logistic_block
from .tally import add_loss


@njit(cache=True, nogil=True, inline="always")
def hierarchical_step(count, hidden, codes, points, word, length, w_out, private, lr, steps, gains, rows, labels, tally,
                      saturation=np.inf):
    """One SGD step of the first ``count`` rows of ``hidden`` (a batch that predicts
    ``word``) along the first ``length`` nodes of its path (``codes[word]``,
    ``points[word]``), adding the loss to ``tally``."""
    for k in range(length):  # the nodes of a path are distinct
        rows[k], labels[k] = points[word, k], 1.0 - codes[word, k]
    product, value = logistic_block(count, hidden, w_out, private, rows, labels, length, lr, steps, gains, saturation)
    add_loss(tally, product, value)
