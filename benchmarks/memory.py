"""Peak memory must not grow with the corpus: train on wiki2015-17m and on the same
corpus concatenated four times (68M tokens), each in its own process, and compare peak
RSS (issue 3: within 10%). Memory should depend on the vocabulary and the dimension
only, so the four-fold corpus is trained with four times the min_count: every count is
four times larger, which keeps exactly the same vocabulary.

    python benchmarks/memory.py [--arch cbow] [--epochs 2]
    python benchmarks/memory.py --breakdown [--arch cbow] [--loss negative]

``--breakdown`` says where one process's memory goes instead (issue 14): one epoch on
the corpus through the Python API (``build_vocab``, ``train``), with resident memory
after each step, split into private (anonymous) pages and pages mapped from files
(shared libraries), the weights' own bytes, LLVM's library before and after embed
releases its pages, and the peak during training.
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
from common import WIKI, machine, peak_rss_mb, plain_copy, run_child, table  # noqa: E402


def child(corpus: str, arch: str, epochs: int, min_count: int) -> None:
    from embed import Config, Word2Vec

    model = Word2Vec(Config(arch=arch, epochs=epochs, workers=2, min_count=min_count)).build_vocab(corpus)
    started = time.perf_counter()
    model.train(corpus, progress=False)
    words = sum(s.words for s in model.history)
    print(json.dumps(dict(words=words, seconds=time.perf_counter() - started, vocab=len(model.vocab),
                          peak_rss_mb=peak_rss_mb())))


def _resident() -> dict[str, float]:
    """MB resident now: private (anonymous) pages, pages mapped from files, their sum."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile", "VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) / 1024
    return fields


def _llvm_mb() -> float:
    from embed.memory import library_resident_bytes

    return library_resident_bytes() / 2**20


def breakdown_child(corpus: str, arch: str, loss: str) -> None:
    import importlib
    import threading

    steps = [("Python started", _resident())]
    importlib.import_module("numpy")
    steps.append(("NumPy imported", _resident()))
    importlib.import_module("numba")
    steps.append(("Numba imported", _resident()))
    import embed.memory
    from embed import Config, Word2Vec

    steps.append(("embed imported", _resident()))
    released = []
    release = embed.memory.release_compiler_pages

    def counted_release() -> int:
        before = _llvm_mb()
        freed = release()
        released.append((before, freed / 2**20))
        return freed

    import embed.text.plaintext
    import embed.training.threads
    import embed.training.word2vec

    for module in (embed.text.plaintext, embed.training.threads, embed.training.word2vec):
        module.release_compiler_pages = counted_release
    model = Word2Vec(Config(arch=arch, loss=loss, epochs=1, workers=2)).build_vocab(corpus)
    steps.append(("vocabulary counted, weights drawn", _resident()))
    peak: dict[str, float] = {}
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            now = _resident()
            if now["VmRSS"] > peak.get("VmRSS", 0):
                peak.update(now)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    model.train(corpus, progress=False)
    done.set()
    watcher.join()
    steps.append(("training, at its peak", peak))
    weights = model.weights.input.nbytes + model.weights.output.nbytes
    print(json.dumps(dict(steps=steps, released=released, llvm_end=_llvm_mb(), weights_mb=weights / 2**20,
                          shape=list(model.weights.input.shape), vocab=len(model.vocab), peak=_resident()["VmHWM"])))


def breakdown(corpus: str, arch: str, loss: str) -> None:
    record = run_child([os.path.abspath(__file__), "--arch", arch, "--loss", loss, "--breakdown-child", corpus])
    rows = [["step", "resident MB", "private (anonymous) MB", "mapped from files MB"]]
    for name, fields in record["steps"]:
        rows.append([name, f"{fields['VmRSS']:.0f}", f"{fields['RssAnon']:.0f}", f"{fields['RssFile']:.0f}"])
    print(machine())
    print(f"{arch}, {loss}, d=100, 1 epoch, 2 workers, {record['vocab']:,} words, through the Python API")
    print(table(rows))
    rows_, dim = record["shape"]
    print(f"the two weight matrices: {record['weights_mb']:.1f} MB ({rows_:,} rows of {dim} floats, padded from 100)")
    for before, freed in record["released"]:
        print(f"LLVM's library resident {before:.1f} MB; released {freed:.1f} MB")
    print(f"LLVM's library resident at the end: {record['llvm_end']:.1f} MB; peak RSS (VmHWM) {record['peak']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--arch", default="cbow", choices=["cbow", "skipgram"])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--min-count", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--loss", default="negative", choices=["negative", "hierarchical"])
    parser.add_argument("--breakdown", action="store_true", help="where one process's memory goes")
    parser.add_argument("--child", metavar="CORPUS", help=argparse.SUPPRESS)
    parser.add_argument("--breakdown-child", metavar="CORPUS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.breakdown_child:
        breakdown_child(args.breakdown_child, args.arch, args.loss)
        return
    if args.breakdown:
        breakdown(plain_copy(args.corpus), args.arch, args.loss)
        return
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
