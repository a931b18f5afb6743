"""Shared pieces of the benchmark scripts: corpora, child processes, tables."""

from __future__ import annotations

import itertools
import json
import lzma
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# ../shared beside the repository; EMBED_WIKI overrides it (a copy of the repo elsewhere, say).
WIKI = os.environ.get("EMBED_WIKI") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "data", "wiki2015-17m.txt.xz")
)


def rate(function, flops: float, seconds: float = 2.0) -> float:
    """flops per second of ``function``, after one call to warm it up (and compile it)."""
    function()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        function()
        count += 1
    return flops * count / (time.perf_counter() - started)


def prefix_corpus(path: str, tokens: int | None, folder: str) -> str:
    """The corpus itself, or a file of its first ``tokens`` tokens (for quick runs)."""
    if tokens is None:
        return path
    out = os.path.join(folder, f"prefix-{tokens}.txt")
    if not os.path.exists(out):
        words = []
        with lzma.open(path, "rt") if path.endswith(".xz") else open(path) as f:
            while len(words) < tokens:
                block = f.read(1 << 20)
                if not block:
                    break
                words.extend(block.split())
        with open(out, "w") as f:
            f.write(" ".join(words[:tokens]) + "\n")
    return out


def plain_copy(corpus: str, out: str = "/tmp/wiki2015-17m.txt") -> str:
    """``corpus`` decompressed once (gensim's readers take plain files, and both tools
    then read the same bytes)."""
    import shutil

    if not corpus.endswith(".xz"):
        return corpus
    if not os.path.exists(out):
        with lzma.open(corpus, "rb") as src, open(out + ".part", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
        os.replace(out + ".part", out)
    return out


def gensim_sentences(path: str):
    """gensim's streaming reader for the file's form: ``Text8Corpus`` for one long line
    (``LineSentence`` would hold that whole line in memory), ``LineSentence`` for a
    sentence per line."""
    from gensim.models.word2vec import LineSentence, Text8Corpus

    with open(path, "rb") as f:
        one_line = b"\n" not in f.read(1 << 20).rstrip(b"\n")
    return Text8Corpus(path) if one_line else LineSentence(path, max_sentence_length=10_000)


def gensim_settings(config: str, workers: int, seed: int = 1) -> dict:
    """gensim's Word2Vec keyword arguments for ``config`` ("skipgram-negative", ...)
    with embed's defaults."""
    from embed import Config

    c = Config()
    arch, loss = config.split("-")
    hs = loss == "hierarchical"
    return dict(vector_size=c.dim, window=c.window, min_count=c.min_count, sample=c.sample,
                sg=int(arch == "skipgram"), hs=int(hs), negative=0 if hs else c.negative, cbow_mean=int(c.cbow_mean),
                alpha=c.alpha, min_alpha=c.min_alpha, workers=workers, seed=seed)


def run_child(args: list[str]) -> dict:
    """Run this folder's script in a fresh process; return its last JSON line and peak RSS."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"child {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    record = json.loads(result.stdout.strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: only trust it when it grew.
    record.setdefault("peak_rss_mb", after / 1024 if after > before else None)
    return record


def run_embed(args: list[str]) -> tuple[float, float, str]:
    """Seconds, peak RSS (MB) and standard output of one `embed ARGS...` process,
    timed from outside: the whole process a user runs."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "embed", *args], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own peak, not the largest child's so far
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"embed {' '.join(args)} failed with status {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024, output


def warm_up(config) -> None:
    """Train ``config`` briefly on a small plain-text file, so that Numba's one-time
    compilation (cached on disk afterwards, as gensim's Cython is compiled at install)
    is not timed. Reads the kernels from the cache when they are there already."""
    import tempfile

    from embed import Word2Vec

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "warm-up.txt")
        with open(path, "w") as f:
            f.write(" ".join(["the", "cat", "sat", "on", "a", "mat"] * 500) + "\n")
        quick = config.replace(epochs=2, min_count=1, workers=1, max_vocab=None)
        Word2Vec(quick).build_vocab(path).train(path, progress=False)


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    return f"{platform.node() or 'host'}, {os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


__all__ = ["WIKI", "gensim_sentences", "gensim_settings", "plain_copy", "prefix_corpus", "run_child", "peak_rss_mb", "machine", "table", "warm_up", "itertools"]
