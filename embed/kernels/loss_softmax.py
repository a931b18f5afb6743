"""The exact softmax over the whole vocabulary with cross-entropy: the textbook model.

For a hidden vector h: p = softmax(U h), loss = -log p[target]. The gradient of the
scores is e = p - onehot(target), so U moves by -lr e h^T and h by -lr U^T e. It costs
O(V d) per example, so examples come in mini-batches of B and the three products
(scores, hidden steps, output step) are matrix multiplications: for B = 1 this is plain
per-example SGD, for B > 1 one SGD step on the batch's summed loss. The softmax passes
between the products use the inlined ``exp_negative``, which LLVM vectorises; with
libm's exp they took twice as long as the products.

An example may have several targets that share its softmax (skip-gram as derived: the
centre word's vector is the hidden layer, and each of its context words is a target of
the same distribution). Its loss is the sum of the targets' cross-entropies and its
score gradient ``n p - sum of onehot(target)``: one forward and one backward pass for
all of them, exactly the loss and gradients of n separate softmaxes at the same weights.
"""

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from .optimizer import is_plain, step_output_rows
from .tally import add_loss
from .vector import exp_negative

ROW_BLOCK = 2048  # output rows updated per product, to bound the temporary


@njit(cache=True, nogil=True)
def scratch_size(vocab_size, dim, batch):
    """Floats of scratch ``softmax_batch_step`` needs: the V x B scores and one block of
    output-row gradients (a fresh block each call would be an mmap and page faults)."""
    return vocab_size * batch + min(vocab_size, ROW_BLOCK) * dim


@njit(cache=True, nogil=True, _nrt=True)
def softmax_batch_step(hidden, targets, target_ends, w_out, lr, hidden_update, scratch, tally, optimizer):
    """One SGD step for rows ``hidden[b]`` (n x d); row b's targets are
    ``targets[target_ends[b - 1]:target_ends[b]]`` (from 0 for b = 0).

    Writes each row's step into ``hidden_update`` (n x d), computed with U as it was
    before the step, updates ``w_out`` in place (with ``optimizer``'s momentum and
    decay, if any), and adds the summed loss to ``tally``. ``scratch`` holds at least
    ``scratch_size(V, d, n)`` floats.
    """
    n = hidden.shape[0]
    size = w_out.shape[0]
    dim = w_out.shape[1]
    scores = scratch[: size * n].reshape(size, n)  # V x n: rows of U are read in order
    block = scratch[size * n: size * n + min(size, ROW_BLOCK) * dim].reshape(-1, dim)
    np.dot(w_out, hidden.T, scores)
    top = np.full(n, -np.inf, dtype=np.float32)
    for v in range(size):
        for b in range(n):
            if scores[v, b] > top[b]:
                top[b] = scores[v, b]
    total = np.zeros(n)
    for v in range(size):
        for b in range(n):
            total[b] += exp_negative(top[b] - scores[v, b])
    shift = (top + np.log(total)).astype(np.float32)  # log of each column's normaliser
    weight = np.empty(n, np.float32)  # -lr times each column's number of targets
    begin = 0
    for b in range(n):
        for t in range(begin, target_ends[b]):
            add_loss(tally, 1.0, shift[b] - scores[targets[t], b])
        weight[b] = np.float32(-lr) * np.float32(target_ends[b] - begin)
        begin = target_ends[b]
    for v in range(size):
        for b in range(n):
            scores[v, b] = weight[b] * exp_negative(shift[b] - scores[v, b])
    begin = 0
    for b in range(n):
        for t in range(begin, target_ends[b]):
            scores[targets[t], b] += lr  # scores now hold -lr (n p - sum of onehots)
        begin = target_ends[b]
    np.dot(scores.T, w_out, hidden_update)
    plain = is_plain(optimizer)
    for start in range(0, size, ROW_BLOCK):
        stop = min(size, start + ROW_BLOCK)
        gradient = block[: stop - start]
        np.dot(scores[start:stop], hidden, gradient)
        if plain:
            for v in range(stop - start):
                for k in range(dim):
                    w_out[start + v, k] += gradient[v, k]
        else:
            step_output_rows(w_out, start, gradient, lr, optimizer)
