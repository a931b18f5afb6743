"""Dense float32 vector primitives used by every loss and driver.

Each vector is a row named by its matrix and index, never a view such as ``w_in[i]``:
Numba counts references for every view it makes, a call and an atomic add on a counter
that the worker threads share, and the hot loops need not pay for that.
Reassociation lets LLVM vectorise the reductions; the flags stop short of fastmath's
no-NaN assumptions so that a diverging run still shows NaN instead of garbage. They are
inlined at Numba's level: as calls, each 100-float axpy cost three times as much
(measured), the call and its aliasing checks outweighing the arithmetic.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

FAST = {"reassoc", "contract", "nsz"}


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def dot(a, i, b, j):
    """a[i] . b[j]"""
    # A float32 sum: a float64 one converts every product and halves the vector width.
    total = np.float32(0.0)
    for k in range(a.shape[1]):
        total += a[i, k] * b[j, k]
    return total


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def axpy(scale, x, i, y, j):
    """y[j] += scale * x[i], in float32: a float64 scale would widen every element."""
    s = np.float32(scale)
    for k in range(x.shape[1]):
        y[j, k] += s * x[i, k]


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def dot2(a, i, b, j0, j1):
    """(a[i] . b[j0], a[i] . b[j1]), each summed as ``dot`` sums it, reading a[i] once."""
    total0 = np.float32(0.0)
    total1 = np.float32(0.0)
    for k in range(a.shape[1]):
        x = a[i, k]
        total0 += x * b[j0, k]
        total1 += x * b[j1, k]
    return total0, total1


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def axpy2(scale0, scale1, x, i0, i1, y, j):
    """y[j] += scale0 * x[i0], then y[j] += scale1 * x[i1]: the same sums as two axpys,
    with y[j] loaded and stored once."""
    s0, s1 = np.float32(scale0), np.float32(scale1)
    for k in range(x.shape[1]):
        y[j, k] = (y[j, k] + s0 * x[i0, k]) + s1 * x[i1, k]


@njit(cache=True, nogil=True, fastmath=FAST, inline="always")
def axpy4(scale0, scale1, scale2, scale3, x, i0, i1, i2, i3, y, j):
    """Four axpys into y[j] in order, with y[j] loaded and stored once."""
    s0, s1, s2, s3 = np.float32(scale0), np.float32(scale1), np.float32(scale2), np.float32(scale3)
    for k in range(x.shape[1]):
        y[j, k] = (((y[j, k] + s0 * x[i0, k]) + s1 * x[i1, k]) + s2 * x[i2, k]) + s3 * x[i3, k]


@njit(cache=True, nogil=True, inline="always")
def add(x, i, y, j):
    """y[j] += x[i]"""
    for k in range(x.shape[1]):
        y[j, k] += x[i, k]


@njit(cache=True, nogil=True, inline="always")
def scale(factor, y, j):
    """y[j] *= factor"""
    f = np.float32(factor)
    for k in range(y.shape[1]):
        y[j, k] *= f


@njit(cache=True, nogil=True, inline="always")
def zero(y, j):
    """y[j] = 0"""
    for k in range(y.shape[1]):
        y[j, k] = 0.0


@njit(cache=True, nogil=True, inline="always")
def copy(x, i, y, j):
    """y[j] = x[i]"""
    for k in range(x.shape[1]):
        y[j, k] = x[i, k]


@intrinsic
def float32_from_bits(typingctx, bits):
    """The float32 whose IEEE bits are the int32 ``bits`` (a bitcast, no conversion)."""
    if not isinstance(bits, types.Integer) or bits.bitwidth != 32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(bits), codegen


_LOG2E = np.float32(1.4426950408889634)
_LN2_HIGH = np.float32(0.693359375)  # few mantissa bits: n * _LN2_HIGH is exact
_LN2_LOW = np.float32(-2.12194440e-4)
_EXP_LIMIT = np.float32(87.0)  # exp(-87) is near float32's smallest normal number


@njit(cache=True, nogil=True, inline="always")
def exp_negative(x):
    """exp(-x) for x >= 0, in float32, within 4e-7 relative error; 0 beyond x = 87.

    libm's exp is a call: LLVM cannot vectorise a loop around it and spills every vector
    register across it, which cost more than the arithmetic of a logistic update. This
    is exp(-x) = 2**-n exp(r) with n = round(x / ln 2), r = n ln 2 - x in [-0.35, 0.35]
    (ln 2 split in two so that r is exact) and a degree-6 Taylor polynomial for exp(r).
    """
    x = np.float32(x)
    if x > _EXP_LIMIT:
        return np.float32(0.0)
    n = np.int32(x * _LOG2E + np.float32(0.5))
    m = np.float32(n)
    r = (m * _LN2_HIGH - x) + m * _LN2_LOW
    # Estrin's scheme: a dependency chain of 4 multiply-adds instead of Horner's 7.
    r2 = r * r
    low = np.float32(1.0) + r
    middle = np.float32(0.5) + r * np.float32(1.0 / 6.0)
    high = np.float32(1.0 / 24.0) + r * np.float32(1.0 / 120.0) + r2 * np.float32(1.0 / 720.0)
    p = low + r2 * (middle + r2 * high)
    return p * float32_from_bits(np.int32((127 - n) << 23))


@njit(cache=True, nogil=True, inline="always")
def logistic_parts(score):
    """(e, s) with e = exp(-|score|) in (0, 1] and s = sigmoid(score), from one exp.

    The loss -log s(+-score) is log(1 + e) + max(-+score, 0); callers multiply the
    (1 + e) factors of a batch and take one log, since a log per term cost as much as
    the rest of the update."""
    e = exp_negative(abs(score))
    s = np.float32(1.0) / (np.float32(1.0) + e)
    return e, (s if score >= 0.0 else e * s)
