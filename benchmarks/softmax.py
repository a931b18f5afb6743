"""Full softmax in mini-batches: how close it comes to NumPy's float32 matrix multiply.

    python benchmarks/softmax.py [--vocab 10000] [--dim 100] [--batches 32,128,512]

A batch of B examples costs three products of 2 B V d flops each (scores, hidden steps,
output step) plus V B exponentials. The kernel's rate, in those 6 B V d flops per second,
is printed beside NumPy's rate for the same three products (float32 matmul, same shapes)
and for one large square product. Issue 5 asks for at least half of NumPy's rate on a
10k-word vocabulary.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, rate, table  # noqa: E402



def main() -> None:
    from embed.kernels.loss_softmax import scratch_size, softmax_batch_step
    from embed.kernels.optimizer import NO_OPTIMIZER
    from embed.kernels.tally import new_tally

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", type=int, default=10_000)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--batches", default="32,128,512")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    size, dim = args.vocab, args.dim
    w_out = (rng.standard_normal((size, dim)) * 0.01).astype(np.float32)
    rows = [["batch B", "embed GFLOP/s", "NumPy same products GFLOP/s", "ratio"]]
    for batch in map(int, args.batches.split(",")):
        hidden = (rng.standard_normal((batch, dim)) * 0.1).astype(np.float32)
        targets = rng.integers(0, size, batch).astype(np.int32)
        steps = np.zeros((batch, dim), np.float32)
        scratch = np.empty(scratch_size(size, dim, batch), np.float32)
        flops = 6.0 * batch * size * dim
        tally = new_tally()
        ends = np.arange(1, batch + 1, dtype=np.int32)  # one target an example, as CBOW's
        ours = rate(lambda: softmax_batch_step(hidden, targets, ends, w_out, 1e-6, steps, scratch, tally, NO_OPTIMIZER),
                    flops)
        errors = np.empty((batch, size), np.float32)
        gradient = np.empty((size, dim), np.float32)

        def numpy_products():  # the three products alone, into buffers, nothing updated
            np.matmul(hidden, w_out.T, out=errors)
            np.matmul(errors, w_out, out=steps)
            np.matmul(errors.T, hidden, out=gradient)

        theirs = rate(numpy_products, flops)
        rows.append([str(batch), f"{ours / 1e9:.1f}", f"{theirs / 1e9:.1f}", f"{ours / theirs:.2f}"])
    square = rng.standard_normal((2048, 2048)).astype(np.float32)
    peak = rate(lambda: square @ square, 2.0 * 2048**3)
    print(machine())
    print(f"V={size}, d={dim}; NumPy float32 2048x2048 matmul: {peak / 1e9:.1f} GFLOP/s")
    print(table(rows))


if __name__ == "__main__":
    main()
