"""Peak memory must not grow with the corpus: train on wiki2015-17m and on the same
corpus concatenated four times (68M tokens), each in its own process, and compare peak
RSS (issue 3: within 10%). Memory should depend on the vocabulary and the dimension
only, so the four-fold corpus is trained with four times the min_count: every count is
four times larger, which keeps exactly the same vocabulary.

    python benchmarks/memory.py [--arch cbow] [--epochs 2]
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, peak_rss_mb, run_child, table  # noqa: E402


def child(corpus: str, arch: str, epochs: int, min_count: int) -> None:
    from embed import Config, Word2Vec

    model = Word2Vec(Config(arch=arch, epochs=epochs, workers=2, min_count=min_count)).build_vocab(corpus)
    started = time.perf_counter()
    model.train(corpus, progress=False)
    words = sum(s.words for s in model.history)
    print(json.dumps(dict(words=words, seconds=time.perf_counter() - started, vocab=len(model.vocab),
                          peak_rss_mb=peak_rss_mb())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--arch", default="cbow", choices=["cbow", "skipgram"])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--min-count", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--child", metavar="CORPUS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.arch, args.epochs, args.min_count)
        return
    with tempfile.TemporaryDirectory() as folder:
        four = os.path.join(folder, "four-times.txt")
        with open(four, "wb") as out:
            for _ in range(4):
                with lzma.open(args.corpus) as source:
                    shutil.copyfileobj(source, out, 1 << 20)
                out.write(b"\n")
        rows = [["corpus", "words trained", "vocabulary", "peak RSS MB", "seconds"]]
        peaks = []
        for label, corpus, min_count in (("wiki2015-17m, min_count 5", args.corpus, 5),
                                         ("same, 4 times, min_count 20", four, 20)):
            record = run_child([os.path.abspath(__file__), "--arch", args.arch, "--epochs", str(args.epochs),
                                "--min-count", str(min_count), "--child", corpus])
            peaks.append(record["peak_rss_mb"])
            rows.append([label, f"{record['words']:,}", f"{record['vocab']:,}", f"{record['peak_rss_mb']:.0f}",
                         f"{record['seconds']:.0f}"])
    print(machine())
    print(f"{args.arch}, negative sampling, d=100, {args.epochs} epochs, 2 workers")
    print(table(rows))
    print(f"peak RSS ratio (4x / 1x): {peaks[1] / peaks[0]:.3f}")


if __name__ == "__main__":
    main()
