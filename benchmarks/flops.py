"""How close to the machine: whole epochs' GFLOP/s against the cores' peak and NumPy.

    python benchmarks/flops.py                       # 3M tokens of wiki2015-17m, 2 workers
    python benchmarks/flops.py --tokens 1000000 --softmax-tokens 200000

Skip-gram with negative sampling. A trained pair costs 3 (k + 1) d multiply-adds in
the loss (k + 1 scores, k + 1 terms of the hidden vector's step, k + 1 output-row
updates) and d adds to send the step back to the input row; a multiply-add is 2 flops.
The rate is the epoch's pairs times that, over the epoch's training seconds (the
model's own clock: no start-up, no vocabulary). d is the model's d, not the padded row
the kernels compute with, so padding counts as waste.

The cores' peak is cores x 2 FMA pipes x 8 float32 lanes x 2 flops x clock (AVX2; a Zen
4 core runs AVX-512 as two 256-bit halves, so no more), at the clock /proc/cpuinfo
names. Cores that boost above it run faster; NumPy's 2048 x 2048 float32 matmul is
printed beside it as what the machine reaches in practice.

The full softmax (CBOW). An example costs three products of 2 V d flops each (scores,
the hidden vector's step, the output rows' update); a whole epoch's rate is its
examples times 6 V d over its training seconds, everything in the epoch included
(windows, subsampling, the softmax's exponentials, sending steps back). It is compared
with NumPy doing the same three products at the epoch's shapes (B = softmax_batch
examples against the V x d output matrix), into buffers, updating nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, plain_copy, prefix_corpus, rate, table  # noqa: E402



def clock_ghz() -> float:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                return float(line.split(":")[1]) / 1000
    raise SystemExit("no 'cpu MHz' line in /proc/cpuinfo")


def epoch(corpus: str, **settings) -> tuple[object, object]:
    """(model, its one epoch's statistics), kernels loaded before the clock starts."""
    from embed import Config, Word2Vec

    model = Word2Vec(Config(epochs=1, **settings)).build_vocab(corpus)
    model.train(corpus, progress=False)
    return model, model.history[-1]


def numpy_softmax_products(batch: int, size: int, dim: int) -> float:
    rng = np.random.default_rng(0)
    w_out = (rng.standard_normal((size, dim)) * 0.01).astype(np.float32)
    hidden = (rng.standard_normal((batch, dim)) * 0.1).astype(np.float32)
    errors = np.empty((batch, size), np.float32)
    steps = np.empty((batch, dim), np.float32)
    gradient = np.empty((size, dim), np.float32)

    def products():
        np.matmul(hidden, w_out.T, out=errors)
        np.matmul(errors, w_out, out=steps)
        np.matmul(errors.T, hidden, out=gradient)

    return rate(products, 6.0 * batch * size * dim)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--tokens", type=int, default=3_000_000, help="skip-gram's slice of the corpus")
    parser.add_argument("--softmax-tokens", type=int, default=500_000, help="the full softmax's slice")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="embed-flops-")
    plain = plain_copy(args.corpus)
    cores = os.cpu_count() or 1
    ghz = clock_ghz()
    peak = cores * 2 * 8 * 2 * ghz * 1e9
    square = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
    matmul = rate(lambda: square @ square, 2.0 * 2048**3)

    dim, negative = 100, 5
    _, stats = epoch(prefix_corpus(plain, args.tokens, folder), arch="skipgram", loss="negative", dim=dim,
                     negative=negative, workers=args.workers)
    pairs_per_second = stats.examples / stats.seconds
    skipgram = pairs_per_second * 2.0 * (3 * (negative + 1) * dim + dim)

    model, stats = epoch(prefix_corpus(plain, args.softmax_tokens, folder), arch="cbow", loss="softmax", dim=dim,
                         workers=args.workers)
    size, batch = len(model.vocab), model.config.softmax_batch
    softmax = stats.examples * 6.0 * size * dim / stats.seconds
    products = numpy_softmax_products(batch, size, dim)

    print(machine())
    print(f"{cores} cores at {ghz:.2f} GHz (/proc/cpuinfo): AVX2 FMA peak {peak / 1e9:.1f} GFLOP/s; "
          f"NumPy float32 2048x2048 matmul {matmul / 1e9:.1f} GFLOP/s")
    rows = [["what", "GFLOP/s", "of the AVX2 peak", "of NumPy"],
            [f"skip-gram NS, whole epoch ({args.tokens:,} tokens, {pairs_per_second / 1e6:.2f}M pairs/s)",
             f"{skipgram / 1e9:.1f}", f"{skipgram / peak:.0%}", f"{skipgram / matmul:.0%} of the 2048 matmul"],
            [f"CBOW full softmax, whole epoch (V={size:,}, B={batch}, {args.softmax_tokens:,} tokens)",
             f"{softmax / 1e9:.1f}", f"{softmax / peak:.0%}", f"{softmax / products:.0%} of the same products "
             f"({products / 1e9:.1f} GFLOP/s)"]]
    print(table(rows))


if __name__ == "__main__":
    main()
