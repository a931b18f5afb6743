"""The weight matrices as the kernels see them: rows padded to whole 64-byte cache lines.

At d = 100 a row is 400 bytes. The vector loops over it end in a ragged tail, and most
rows start partway into a cache line, so loads straddle lines. Padding each row with
zeros to a multiple of 16 floats (112 for d = 100), with the matrix starting on a line,
made the kernels 6-10% faster with one thread on the first 3M words of wiki2015-17m
(CBOW with negative sampling unchanged), although they now do 12% more arithmetic.

The pad stays zero through training: every update to an input row is a sum of output
rows times numbers, and every update to an output row a sum of input rows times
numbers, so a column that starts at zero everywhere stays so. Users see only the
``rows x dim`` view (``Word2Vec.w_in``, ``w_out``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

LINE_BYTES = 64
LINE_FLOATS = LINE_BYTES // 4


def padded_width(dim: int) -> int:
    """Floats per stored row: ``dim`` rounded up to whole cache lines.

    >>> padded_width(100), padded_width(16), padded_width(1)
    (112, 16, 16)
    """
    return -(-dim // LINE_FLOATS) * LINE_FLOATS


def aligned_zeros(shape: int | tuple[int, ...], dtype=np.float32) -> np.ndarray:
    """Zeros on cache lines of their own. NumPy's small arrays start wherever malloc
    puts them, 16-byte aligned and beside other objects, so row loads straddle lines and
    other threads' writes to a shared line evict a random state drawn from at every
    step. Aligning a worker's buffers took skip-gram from 1.36 to 1.09 times the older
    code's epoch time (best of four, one worker; the rest of the gap was the cost named
    in embed.kernels.loss).

    >>> aligned_zeros((3, 16)).ctypes.data % LINE_BYTES
    0
    """
    dtype = np.dtype(dtype)
    size = int(np.prod(shape)) * dtype.itemsize
    owned = -(-size // LINE_BYTES) * LINE_BYTES
    flat = np.zeros(owned + LINE_BYTES, dtype=np.uint8)
    start = -flat.ctypes.data % LINE_BYTES
    return flat[start : start + size].view(dtype).reshape(shape)


def dense_matrix(values: np.ndarray, spare_rows: int = 0) -> np.ndarray:
    """A new float32 matrix that starts on a cache line, with rows of
    ``padded_width(dim)`` floats, ``values`` in its top-left corner and ``spare_rows``
    zero rows below them. The caller keeps ``matrix[:rows, :dim]`` as the user's view.

    >>> matrix = dense_matrix(np.ones((3, 5), np.float32), spare_rows=2)
    >>> matrix.shape, matrix.ctypes.data % LINE_BYTES, float(matrix.sum())
    ((5, 16), 0, 15.0)
    """
    rows, dim = values.shape
    matrix = dense_rows(rows + spare_rows, dim)
    matrix[:rows, :dim] = values
    return matrix


def dense_rows(rows: int, dim: int) -> np.ndarray:
    """A zero float32 matrix of ``rows`` rows of ``padded_width(dim)`` floats that
    starts on a cache line.

    >>> dense_rows(3, 5).shape
    (3, 16)
    """
    width = padded_width(dim)
    size = rows * width
    flat = np.zeros(size + LINE_FLOATS, dtype=np.float32)
    start = (-flat.ctypes.data % LINE_BYTES) // 4
    return flat[start : start + size].reshape(rows, width)


def row_changes(before: np.ndarray, after: np.ndarray, spare: np.ndarray | None = None,
                width: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(rows, deltas): the rows where ``after`` differs from ``before`` (same shapes), in
    order, and ``after - before`` on those rows, in their first ``width`` columns (0:
    all). The others are the pad, zero in both: leaving them out makes a change at d =
    100 a tenth smaller to send. The deltas are written into the top of ``spare`` (a
    matrix of ``before``'s rows and ``width`` columns) where one is given. Fresh deltas
    cost the page faults of a new block each time: in rounds of 100,000 words of CBOW
    on wiki2015-17m, 21 ms a round against 11 ms into a block used before. Without
    ``spare``, the deltas are the top of a block of ``before``'s size, of which only
    the pages written are ever mapped.

    >>> rows, deltas = row_changes(np.zeros((3, 2), np.float32), np.array([[0, 0], [1, 2], [0, 0]], np.float32))
    >>> rows.tolist(), deltas.tolist()
    ([1], [[1.0, 2.0]])
    >>> row_changes(np.zeros((3, 2), np.float32), np.array([[0, 0], [1, 0], [0, 0]], np.float32), width=1)[1].tolist()
    [[1.0]]
    """
    width = width or before.shape[1]
    deltas = np.empty((before.shape[0], width), before.dtype) if spare is None else spare
    if deltas.shape != (before.shape[0], width):
        raise ValueError(f"spare deltas of shape {deltas.shape}, for {before.shape[0]} rows of {width} columns")
    changed = np.empty(before.shape[0], np.int64)
    count = changes_into(before, after, changed, deltas)
    return changed[:count].copy(), deltas[:count]


@njit(cache=True, nogil=True)
def changes_into(before, after, changed, deltas):
    """Write the numbers of the rows where ``after`` differs from ``before`` in their
    first ``deltas.shape[1]`` columns to the top of ``changed``, in order, and ``after -
    before`` there to the top of ``deltas``; return how many. One pass over both
    matrices, where a compare and then a gather read them twice: at a full merge of the
    defaults' cycles (CBOW, wiki2015-17m, fresh deltas) 37 ms against 43 ms, most of it
    the fresh block's page faults. Every row's difference is written where the next
    changed row goes, so that the loop vectorises; a row that did not change is written
    over by the next."""
    count = 0
    for r in range(before.shape[0]):
        differ = False
        for k in range(deltas.shape[1]):
            deltas[count, k] = after[r, k] - before[r, k]
            differ |= before[r, k] != after[r, k]
        changed[count] = r
        count += differ
    return count


@njit(cache=True, nogil=True)
def add_scaled_rows(matrix, rows, deltas, factors):
    """``matrix[rows[i]] += factors[rows[i]] * deltas[i]`` for every i, in one pass: the
    ``frequency`` merge of a change. NumPy's ``matrix[rows] += factors[rows] * deltas``
    gathers, multiplies, adds and scatters in four passes over temporaries as large as
    the change: in a probe of 1M-word CBOW rounds on 2 cores, a worker merged a round's
    two changes in 0.09-0.31 s that way and in 0.01-0.03 s here. The arithmetic (a
    float32 product, then a float32 sum) is the same, bit for bit."""
    for i in range(rows.shape[0]):
        r = rows[i]
        f = factors[r]
        for k in range(deltas.shape[1]):  # a change may leave out the pad
            matrix[r, k] += f * deltas[i, k]
