"""What an example costs on one thread with every row in cache (kernels and their driver
alone, not a whole process): ``embed.kernels.piece.train_piece`` on a Zipf-distributed
text of 1M tokens over 2,000 words, whose two matrices (1.8 MB) fit in L2, so that
neither memory latency nor a second thread counts.

    python benchmarks/example_cost.py
    PYTHONPATH=/path/to/older/checkout python benchmarks/example_cost.py   # before/after

Prints, for CBOW and skip-gram with negative sampling and hierarchical softmax (d=100,
window 5, 5 negatives, sample 1e-3, embed's defaults), the best of 7 pieces: ns a token
of the text, and ns and cycles an example (a CBOW example, or one (context, centre)
pair of skip-gram) at the clock /proc/cpuinfo names.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, table  # noqa: E402
from flops import clock_ghz  # noqa: E402

import embed  # noqa: E402
from embed.kernels.densematrix import dense_rows  # noqa: E402
from embed.kernels.piece import Piece, new_worker, train_piece  # noqa: E402
from embed.text.vocab import Vocabulary  # noqa: E402
from embed.training.config import Config  # noqa: E402
from embed.training.tables import make_plan  # noqa: E402

WORDS, TOKENS, SENTENCE = 2_000, 1_000_000, 1_000
CONFIGS = [("cbow", "negative"), ("cbow", "hierarchical"), ("skipgram", "negative"), ("skipgram", "hierarchical")]


def zipf_text(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Word ids (0 the most frequent) and their counts."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, WORDS + 1)
    drawn = rng.choice(WORDS, size=TOKENS, p=weights / weights.sum())
    order = np.argsort(-np.bincount(drawn, minlength=WORDS), kind="stable")
    rank = np.empty(WORDS, np.int32)
    rank[order] = np.arange(WORDS, dtype=np.int32)
    ids = rank[drawn]
    return ids, np.bincount(ids, minlength=WORDS)


def cost(arch: str, loss: str, ids: np.ndarray, counts: np.ndarray, repeats: int = 7) -> tuple[float, int]:
    """(best seconds for the piece, examples in it)."""
    vocab = Vocabulary([f"w{i}" for i in range(WORDS)], counts)
    plan = make_plan(Config(arch=arch, loss=loss), vocab)
    rng = np.random.default_rng(1)
    w_in, w_out = dense_rows(WORDS, 100), dense_rows(WORDS, 100)
    w_in[:] = rng.uniform(-0.005, 0.005, w_in.shape)
    worker = new_worker(plan, WORDS, w_out.shape[1])
    offsets = np.append(np.arange(0, TOKENS, SENTENCE), TOKENS).astype(np.int64)
    best, examples = np.inf, 0
    for r in range(repeats + 1):  # the first loads (or compiles) the kernels
        started = time.perf_counter()
        outcome = train_piece(w_in, w_out, plan, worker, Piece(r, ids, offsets, 0.025, 0.025))
        if r:
            best, examples = min(best, time.perf_counter() - started), outcome.examples
    return best, examples


def main() -> None:
    print(machine())
    print(f"embed from {os.path.dirname(embed.__file__)}; {TOKENS:,} tokens over {WORDS:,} words, one thread, "
          "best of 7 pieces")
    ghz = clock_ghz()
    ids, counts = zipf_text()
    rows = [["configuration", "examples", "ns a token", "ns an example", f"cycles an example at {ghz:.1f} GHz"]]
    for arch, loss in CONFIGS:
        seconds, examples = cost(arch, loss, ids, counts)
        rows.append([f"{arch}-{loss}", f"{examples:,}", f"{seconds / TOKENS * 1e9:.0f}",
                     f"{seconds / examples * 1e9:.0f}", f"{seconds / examples * ghz * 1e9:.0f}"])
        print(" | ".join(rows[-1]), flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
