"""The sampling losses' shared update alone (kernel alone, not a whole process):
``embed.kernels.logistic.logistic_block`` scoring a batch of hidden vectors against
output rows, then updating both, with every row in L1 so that only the arithmetic and
the loads and stores count.

    python benchmarks/logistic_block.py
    PYTHONPATH=/path/to/older/checkout python benchmarks/logistic_block.py   # before/after

Shapes: a skip-gram window of 6 contexts against negative sampling's 6 rows (target and
5 noise words) or a Huffman path of 12 nodes; CBOW's one hidden vector against the same.
Prints nanoseconds a call and cycles a (row, hidden vector) pair at the clock
/proc/cpuinfo names.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
from numba import njit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, table  # noqa: E402

import embed  # noqa: E402
from embed.kernels.densematrix import dense_rows  # noqa: E402
from embed.kernels.logistic import logistic_block  # noqa: E402
from embed.kernels.private_rows import NO_PRIVATE_ROWS  # noqa: E402
from flops import clock_ghz  # noqa: E402

SHAPES = (("skip-gram window, negative sampling", 6, 6), ("skip-gram window, hierarchical softmax", 6, 12),
          ("CBOW, negative sampling", 1, 6), ("CBOW, hierarchical softmax", 1, 12))


@njit(nogil=True)
def _calls(n, count, size, hidden, w_out, private, first_rows, rows, labels, steps, gains):
    loss = 0.0
    for _ in range(n):
        rows[:size] = first_rows  # logistic_block rewrites them with where each row lives
        loss += logistic_block(count, hidden, w_out, private, rows, labels, size, 1e-4, steps, gains, np.inf)[1]
    return loss


def per_call(count: int, size: int, calls: int = 200_000, repeats: int = 5) -> float:
    rng = np.random.default_rng(0)
    w_out = dense_rows(70_000, 100)
    w_out[:] = rng.normal(0, 0.1, w_out.shape)
    hidden, steps = dense_rows(count, 100), dense_rows(count, 100)
    hidden[:] = rng.normal(0, 0.1, hidden.shape)
    first_rows = np.arange(size, dtype=np.int64) * 37
    rows, labels = first_rows.copy(), (np.arange(size) == 0).astype(np.float32)
    gains = np.zeros(count * size, np.float32)
    _calls(10, count, size, hidden, w_out, NO_PRIVATE_ROWS, first_rows, rows, labels, steps, gains)
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        _calls(calls, count, size, hidden, w_out, NO_PRIVATE_ROWS, first_rows, rows, labels, steps, gains)
        best = min(best, (time.perf_counter() - started) / calls)
    return best


def main() -> None:
    print(machine())
    print(f"embed from {os.path.dirname(embed.__file__)}; best of 5 runs of 200,000 calls; d=100")
    ghz = clock_ghz()
    rows = []
    for name, count, size in SHAPES:
        seconds = per_call(count, size)
        rows.append([name, f"{count} x {size}", f"{seconds * 1e9:,.0f}", f"{seconds * ghz * 1e9 / (count * size):.0f}"])
    print(table([["batch", "hidden vectors x rows", "ns a call", f"cycles a pair at {ghz:.1f} GHz"]] + rows))


if __name__ == "__main__":
    main()
