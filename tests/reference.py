"""Plain NumPy statements of each loss and its SGD step, in float64.

These are the specification the Numba kernels are tested against; each reference's
gradient is itself tested against finite differences of its loss.
"""

from __future__ import annotations

import numpy as np


def softplus(x):
    return np.logaddexp(0.0, x)


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# Each loss function takes the hidden vector h and the output matrix W and returns
# (loss, gradient wrt h, gradient wrt W).


def negative_loss(h, W, target, noise):
    noise = [k for k in noise if k != target]  # word2vec skips a noise draw equal to the target
    rows = [target] + noise
    labels = np.array([1.0] + [0.0] * len(noise))
    scores = W[rows] @ h
    loss = softplus(-scores[0]) + softplus(scores[1:]).sum()
    error = sigmoid(scores) - labels  # d loss / d score
    grad_W = np.zeros_like(W)
    np.add.at(grad_W, rows, error[:, None] * h[None, :])
    return loss, W[rows].T @ error, grad_W


def softmax_loss(h, W, target):
    scores = W @ h
    top = scores.max()
    log_z = top + np.log(np.exp(scores - top).sum())
    p = np.exp(scores - log_z)
    error = p.copy()
    error[target] -= 1.0
    return log_z - scores[target], W.T @ error, np.outer(error, h)


def shared_softmax_loss(h, W, targets):
    """Skip-gram's softmax as derived: one distribution for the centre word's vector h,
    every context word a target of it; the loss sums the targets' cross-entropies."""
    scores = W @ h
    top = scores.max()
    log_z = top + np.log(np.exp(scores - top).sum())
    p = np.exp(scores - log_z)
    error = len(targets) * p
    np.add.at(error, list(targets), -1.0)
    return len(targets) * log_z - scores[list(targets)].sum(), W.T @ error, np.outer(error, h)


def with_l2(loss_fn, l2):
    """``loss_fn`` plus the decay l2 / 2 (|h|^2 + |W|^2) of the rows it moves: every row of
    W (the full softmax moves them all) and h."""
    def penalised(h, W, *args):
        loss, grad_h, grad_W = loss_fn(h, W, *args)
        return loss + l2 / 2 * (h @ h + (W * W).sum()), grad_h + l2 * h, grad_W + l2 * W
    return penalised


def momentum_step(w, velocity, grad, lr, momentum):
    """Classical momentum: v = momentum v - lr grad; w += v. Returns (w, v)."""
    velocity = momentum * velocity - lr * grad
    return w + velocity, velocity


def hierarchical_loss(h, W, code, point):
    signs = 1.0 - 2.0 * np.asarray(code, dtype=np.float64)  # code 0 -> +1, code 1 -> -1
    scores = W[point] @ h
    loss = softplus(-signs * scores).sum()
    error = -signs * sigmoid(-signs * scores)
    grad_W = np.zeros_like(W)
    np.add.at(grad_W, point, error[:, None] * h[None, :])
    return loss, W[point].T @ error, grad_W


def negative_sequential_step(h, W, lr, target, noise):
    """word2vec's order: the target, then each noise draw, each seeing the rows as the
    terms before it left them (this matters only when a noise word is drawn twice);
    the hidden vector stays fixed and collects every term's step."""
    loss, step, W = sgd_step(negative_loss, h, W, lr, target, [])
    for k in noise:
        if k == target:
            continue
        score = W[k] @ h
        loss += softplus(score)
        error = sigmoid(score)
        step = step - lr * error * W[k]
        W = W.copy()
        W[k] -= lr * error * h
    return loss, step, W


def shared_rows_step(H, W, lr, rows, saturation=np.inf):
    """A batch of hidden vectors H (m x d) that predict one word, sharing its output rows
    ``rows`` = [(row, label), ...]: each row in order scores every hidden vector with the
    row as it stands, then moves once by the summed gradient. Returns (loss, steps, W).
    With distinct rows this is one SGD step on the batch's summed loss. A hidden vector
    whose score with a row is beyond +-saturation takes no part in that row's update."""
    W = W.copy()
    steps = np.zeros_like(H)
    loss = 0.0
    for row, label in rows:
        scores = H @ W[row]
        loss += softplus(-scores).sum() if label else softplus(scores).sum()
        error = sigmoid(scores) - label  # d loss / d score, per hidden vector
        error = np.where(np.abs(scores) < saturation, error, 0.0)
        steps -= lr * error[:, None] * W[row][None, :]
        W[row] -= lr * error @ H
    return loss, steps, W


def sgd_step(loss_fn, h, W, lr, *args):
    """One step: returns (loss, the step for h, the new W)."""
    loss, grad_h, grad_W = loss_fn(h, W, *args)
    return loss, -lr * grad_h, W - lr * grad_W
