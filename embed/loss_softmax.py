"""The exact softmax over the whole vocabulary with cross-entropy: the textbook model.

p = softmax(U h), loss = -log p[target]; the gradient of the scores is p - onehot(target),
so each output row v moves by -lr (p_v - [v = target]) h and the hidden vector by
-lr U^T (p - onehot). It costs O(V d) per example: the reference for correctness.
"""

import numpy as np
from numba import njit

from .vector import axpy, dot


@njit(cache=True, nogil=True)
def softmax_step(hidden, target, w_out, lr, hidden_update, scores):
    """One SGD step; ``scores`` is scratch space of length V. Returns the loss."""
    size = w_out.shape[0]
    top = -np.inf
    for v in range(size):
        s = dot(hidden, w_out[v])
        scores[v] = s
        if s > top:
            top = s
    total = 0.0
    for v in range(size):
        total += np.exp(scores[v] - top)
    log_total = np.log(total)
    loss = log_total + top - scores[target]
    for v in range(size):
        g = -np.exp(scores[v] - top - log_total) * lr
        if v == target:
            g += lr
        axpy(g, w_out[v], hidden_update)
        axpy(g, hidden, w_out[v])
    return loss
