"""Hierarchical softmax: the target's probability is a product of binary decisions along
its Huffman path (see ``embed.huffman``), one logistic regression per inner node.

At node n with turn c (0 or 1) the decision's loss is -log s((1 - 2c) u_n.h), as in
word2vec, where code 0 is the "positive" branch.
"""

from numba import njit

from .vector import axpy, dot, logistic_step


@njit(cache=True, nogil=True)
def hierarchical_step(hidden, code, point, length, w_out, lr, hidden_update):
    """One SGD step along the first ``length`` nodes of the path; returns the loss."""
    loss = 0.0
    for k in range(length):
        row = w_out[point[k]]
        term, error = logistic_step(dot(hidden, row), 1.0 - code[k])
        loss += term
        g = error * lr
        axpy(g, row, hidden_update)
        axpy(g, hidden, row)
    return loss
