"""Vectors of Google News's size: 3,000,000 words of 300 dimensions in word2vec's binary
layout (random values, written once to the temporary folder, 3.6 GB), loaded by embed
and by gensim, each in a fresh process; then converted to embed's ``.vectors`` file and
opened memory-mapped, and one query run on the mapped matrix.

    python benchmarks/google_news.py [--words 3000000] [--dim 300]

Printed for each step: seconds inside the process, peak RSS of the process, and the
matrix's own size for scale (a loader needs at least that much memory).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, table  # noqa: E402

SCRIPT = os.path.abspath(__file__)


def write_binary(path: str, words: int, dim: int) -> None:
    """word2vec's binary layout, written a block of rows at a time."""
    rng = np.random.default_rng(0)
    with open(path + ".part", "wb") as f:
        f.write(f"{words} {dim}\n".encode())
        for start in range(0, words, 100_000):
            rows = rng.standard_normal((min(100_000, words - start), dim), dtype=np.float32)
            f.write(b"".join(f"w{start + i}_{(start + i) % 977}".encode() + b" " + row.tobytes() + b"\n"
                             for i, row in enumerate(rows)))
    os.replace(path + ".part", path)


def child(step: str, path: str, target: str) -> dict:
    started = time.perf_counter()
    extra = {}
    if step == "embed-load":
        from embed.vectors import Vectors

        vectors = Vectors.load_word2vec_format(path, binary=True)
        extra["words"] = len(vectors)
    elif step == "embed-limit":
        from embed.vectors import Vectors

        vectors = Vectors.load_word2vec_format(path, binary=True, limit=100_000)
        extra["words"] = len(vectors)
    elif step == "gensim-load":
        from gensim.models import KeyedVectors

        vectors = KeyedVectors.load_word2vec_format(path, binary=True)
        extra["words"] = len(vectors)
    elif step == "embed-convert":
        from embed.vectors import Vectors

        Vectors.load_word2vec_format(path, binary=True).save(target)
    elif step == "embed-mmap":
        from embed.vectors import Vectors

        vectors = Vectors.load(target, mmap="r")
        opened = time.perf_counter() - started
        query = time.perf_counter()
        nearest = vectors.most_similar(f"w12345_{12345 % 977}", topn=5)
        extra = dict(words=len(vectors), opened=round(opened, 3), query=round(time.perf_counter() - query, 2),
                     nearest=nearest[0][0])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(step=step, seconds=round(seconds, 2), peak_rss_mb=round(peak), **extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=3_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--folder", default="/tmp")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    path = os.path.join(args.folder, f"news-{args.words}x{args.dim}.bin")
    target = os.path.join(args.folder, f"news-{args.words}x{args.dim}.vectors")
    if not os.path.exists(path):
        write_binary(path, args.words, args.dim)
    matrix_mb = args.words * args.dim * 4 / 2**20
    print(f"# {machine()}; {path}: {os.path.getsize(path) / 2**30:.2f} GB, the matrix {matrix_mb:,.0f} MB")
    rows = [["step", "seconds", "peak RSS MB", "over the matrix MB", "notes"]]
    for step in ("embed-load", "gensim-load", "embed-limit", "embed-convert", "embed-mmap"):
        done = subprocess.run([sys.executable, SCRIPT, "--child", step, path, target], capture_output=True, text=True)
        if done.returncode:
            rows.append([step, "failed", "", "", done.stderr.strip().splitlines()[-1][:80]])
            continue
        record = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(record), flush=True)
        over = record["peak_rss_mb"] - (matrix_mb if step in ("embed-load", "gensim-load", "embed-convert") else 0)
        notes = {k: v for k, v in record.items() if k not in ("step", "seconds", "peak_rss_mb")}
        rows.append([step, f"{record['seconds']:.2f}", f"{record['peak_rss_mb']:,}", f"{over:,.0f}",
                     ", ".join(f"{k} {v}" for k, v in notes.items())])
    print(table(rows))


if __name__ == "__main__":
    main()
