"""The exact softmax over the whole vocabulary with cross-entropy: the textbook model.

For a hidden vector h: p = softmax(U h), loss = -log p[target]. The gradient of the
scores is e = p - onehot(target), so U moves by -lr e h^T and h by -lr U^T e. It costs
O(V d) per example, so examples come in mini-batches of B and the three products
(scores, hidden steps, output step) are matrix multiplications: for B = 1 this is plain
per-example SGD, for B > 1 one SGD step on the batch's summed loss.
"""

import numpy as np
from numba import njit

ROW_BLOCK = 2048  # output rows updated per product, to bound the temporary


@njit(cache=True, nogil=True)
def softmax_batch_step(hidden, targets, w_out, lr, hidden_update, scratch):
    """One SGD step for rows ``hidden[b]`` (n x d) and ``targets[b]``.

    Writes each row's step into ``hidden_update`` (n x d), computed with U as it was
    before the step, updates ``w_out`` in place, and returns the summed loss.
    ``scratch`` holds at least V * n floats.
    """
    n = hidden.shape[0]
    size = w_out.shape[0]
    scores = scratch[: size * n].reshape(size, n)  # V x n: rows of U are read in order
    np.dot(w_out, hidden.T, scores)
    top = np.full(n, -np.inf)
    for v in range(size):
        for b in range(n):
            if scores[v, b] > top[b]:
                top[b] = scores[v, b]
    total = np.zeros(n)
    for v in range(size):
        for b in range(n):
            total[b] += np.exp(scores[v, b] - top[b])
    shift = top + np.log(total)  # log of each column's normaliser
    loss = 0.0
    for b in range(n):
        loss += shift[b] - scores[targets[b], b]
    for v in range(size):
        for b in range(n):
            scores[v, b] = -lr * np.exp(scores[v, b] - shift[b])
    for b in range(n):
        scores[targets[b], b] += lr  # scores now hold -lr (p - onehot)
    np.dot(scores.T, w_out, hidden_update)
    for start in range(0, size, ROW_BLOCK):
        stop = min(size, start + ROW_BLOCK)
        w_out[start:stop] += np.dot(scores[start:stop], hidden)
    return loss
