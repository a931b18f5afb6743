"""Dense float32 vector primitives used by every loss and driver.

Reassociation lets LLVM vectorise the reductions; the flags stop short of fastmath's
no-NaN assumptions so that a diverging run still shows NaN instead of garbage. They are
inlined at Numba's level: as calls, each 100-float axpy cost three times as much
(measured), the call and its aliasing checks outweighing the arithmetic.
"""

import numpy as np
from numba import njit

FAST = {"reassoc", "contract", "nsz"}


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def dot(a, b):
    total = 0.0
    for k in range(a.shape[0]):
        total += a[k] * b[k]
    return total


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def axpy(scale, x, y):
    """y += scale * x, in float32: a float64 scale would widen every element."""
    s = np.float32(scale)
    for k in range(x.shape[0]):
        y[k] += s * x[k]


@njit(cache=True, nogil=True, inline="always")
def add(x, y):
    """y += x (an array expression here would go through NumPy's broadcasting machinery)."""
    for k in range(x.shape[0]):
        y[k] += x[k]


@njit(cache=True, nogil=True, inline="always")
def scale(factor, y):
    """y *= factor"""
    f = np.float32(factor)
    for k in range(y.shape[0]):
        y[k] *= f


@njit(cache=True, nogil=True, inline="always")
def zero(y):
    for k in range(y.shape[0]):
        y[k] = 0.0


@njit(cache=True, nogil=True, inline="always")
def copy(x, y):
    """y[:] = x"""
    for k in range(x.shape[0]):
        y[k] = x[k]


@njit(cache=True, nogil=True, inline="always")
def logistic_parts(score):
    """(e, s) with e = exp(-|score|) in (0, 1] and s = sigmoid(score), from one exp.

    The loss -log s(+-score) is log(1 + e) + max(-+score, 0); callers multiply the
    (1 + e) factors of a batch and take one log, since a log per term cost as much as
    the rest of the update."""
    if score >= 0.0:
        e = np.exp(-score)
        return e, 1.0 / (1.0 + e)
    e = np.exp(score)
    return e, e / (1.0 + e)
