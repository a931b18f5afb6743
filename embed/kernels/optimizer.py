"""What the full softmax's SGD adds to a plain step: classical momentum and L2 weight decay.

For a step whose plain SGD change is ``-lr g`` (``g`` the loss's gradient), a row moves
by ``v = momentum v - lr (g + l2 w); w += v``. The velocity of the output matrix is
dense: the full softmax gives every output row a gradient at every step, so a dense
velocity is exact classical momentum at no extra cost. The velocity of the input matrix
is kept per touched row, as sparse momentum is elsewhere (TensorFlow's sparse momentum
update, for one): a step moves and decays only the rows of its examples' words. A dense
input velocity would move every word's row at every step, a pass over all V x d input
floats a step that costs about as much as the step's three matrix products on small
batches, and moves rows the step never saw. L2 decays the rows a step moves, for the
same reason.

A batch is one step on its summed loss: a row that several of its examples share gets
their summed change and one update of its velocity.
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)


class Optimizer(NamedTuple):
    momentum: float  # 0: plain SGD
    l2: float  # 0: no weight decay
    velocity_in: np.ndarray  # rows x width of the input matrix (1 x 1 when momentum is 0)
    velocity_out: np.ndarray  # rows x width of the output matrix (1 x 1 when momentum is 0)


NO_OPTIMIZER = Optimizer(0.0, 0.0, np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32))


@njit(cache=True, nogil=True)
def is_plain(optimizer):
    return optimizer.momentum == 0.0 and optimizer.l2 == 0.0


@njit(cache=True, nogil=True)
def step_output_rows(w_out, first, changes, lr, optimizer):
    """Rows ``first..`` of ``w_out`` take their plain SGD ``changes`` (``-lr g``, a row
    each) with momentum and decay."""
    decay = np.float32(lr * optimizer.l2)
    momentum = np.float32(optimizer.momentum)
    velocity = optimizer.velocity_out
    for v in range(changes.shape[0]):
        row = first + v
        for k in range(changes.shape[1]):
            change = changes[v, k] - decay * w_out[row, k]
            if momentum != 0:
                change += momentum * velocity[row, k]
                velocity[row, k] = change
            w_out[row, k] += change


@njit(cache=True, nogil=True, _nrt=True)
def step_input_rows(count, steps, sources, source_counts, w_in, lr, optimizer):
    """Send examples ``0..count-1``'s hidden steps (``-lr g`` each) back to their input
    rows with momentum and decay: each distinct row once, with the sum of its steps."""
    rows = np.empty(count * sources.shape[1], np.int64)
    distinct = 0
    for b in range(count):
        for k in range(source_counts[b]):
            row = sources[b, k]
            seen = False
            for i in range(distinct):
                if rows[i] == row:
                    seen = True
                    break
            if not seen:
                rows[distinct] = row
                distinct += 1
    width = steps.shape[1]
    total = np.empty(width, np.float32)
    decay = np.float32(lr * optimizer.l2)
    momentum = np.float32(optimizer.momentum)
    velocity = optimizer.velocity_in
    for i in range(distinct):
        row = rows[i]
        total[:] = 0
        for b in range(count):
            for k in range(source_counts[b]):
                if sources[b, k] == row:
                    for j in range(width):
                        total[j] += steps[b, j]
        for j in range(width):
            change = total[j] - decay * w_in[row, j]
            if momentum != 0:
                change += momentum * velocity[row, j]
                velocity[row, j] = change
            w_in[row, j] += change
