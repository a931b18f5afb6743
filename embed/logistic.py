"""The binary logistic output that negative sampling and hierarchical softmax share
(fastText's ``binaryLogistic``): one output row against the batch's hidden vectors.

A batch here is the examples of one skip-gram window, which all predict the same word;
they share its output rows (target and noise words, or the nodes of its Huffman path),
so each row is read from memory once per window instead of once per pair. Rows are
visited in order and each is updated once with the sum over the batch; every hidden
vector's step is computed with the row as it was before that update. For a batch of
one this is word2vec's per-pair update exactly.
"""

from numba import njit

from .vector import FAST, axpy, dot, logistic_step


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def binary_logistic(hidden, row, label, lr, steps, gains):
    """Score ``row`` against each of ``hidden``'s rows with this label (1 or 0), add
    each hidden vector's step to ``steps``, update ``row``; return the summed loss.
    ``gains`` is float64 scratch of at least the batch's length."""
    loss = 0.0
    count = hidden.shape[0]
    for b in range(count):
        term, error = logistic_step(dot(hidden[b], row), label)
        loss += term
        gains[b] = error * lr
        axpy(gains[b], row, steps[b])
    for b in range(count):
        axpy(gains[b], hidden[b], row)
    return loss
