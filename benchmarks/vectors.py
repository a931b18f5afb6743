"""Vectors side: load, query and evaluate, embed beside gensim in one run.

    python benchmarks/vectors.py

A 100-dimensional word2vec binary file of 70,000 words (the Google analogy words first,
then fillers, random values) is loaded by both; then one most_similar over all words
(median of 200 queries, after the normalised matrix exists) and the full Google analogy
evaluation restricted to 30,000 words. Targets (issue 4): load < 1 s, most_similar
< 5 ms, evaluation < 10 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, table  # noqa: E402


def timed(function, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies
    from embed.vectors.formats import save_word2vec_format
    from embed.vectors import Vectors

    questions = bundled("questions-words.txt")
    words: list[str] = []
    seen: set[str] = set()
    for line in open(questions):
        if not line.startswith(":"):
            for word in line.lower().split():
                if word not in seen:
                    seen.add(word)
                    words.append(word)
    words += [f"filler{i}" for i in range(70_000 - len(words))]
    matrix = np.random.default_rng(0).normal(size=(len(words), 100)).astype(np.float32)
    rows = [["operation", "embed", "gensim", "gensim/embed"]]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "vectors.bin")
        save_word2vec_format(path, words, matrix)
        ours_load, vectors = timed(lambda: Vectors.load_word2vec_format(path), 3)
        vectors.normed
        queries = [words[i] for i in range(0, 2000, 10)]
        ours_query = statistics.median(timed(lambda w=w: vectors.most_similar(w, topn=10))[0] for w in queries)
        ours_eval, result = timed(lambda: evaluate_word_analogies(vectors, questions, restrict_vocab=30_000))
        figures = {"load": ours_load, "query": ours_query, "evaluate": ours_eval}
        theirs = {}
        try:
            from gensim.models import KeyedVectors

            theirs["load"], kv = timed(lambda: KeyedVectors.load_word2vec_format(path, binary=True), 3)
            kv.fill_norms()
            theirs["query"] = statistics.median(timed(lambda w=w: kv.most_similar(w, topn=10))[0] for w in queries)
            theirs["evaluate"], (score, _) = timed(lambda: kv.evaluate_word_analogies(questions, restrict_vocab=30_000))
            assert abs(score - result.accuracy) < 1e-9, (score, result.accuracy)
        except ImportError:
            pass
    names = {"load": "load 70k x 100 binary (s)", "query": "most_similar, 70k words (ms)", "evaluate": "Google analogies, restrict 30k (s)"}
    for key, label in names.items():
        scale = 1000 if key == "query" else 1
        other = theirs.get(key)
        rows.append([label, f"{scale * figures[key]:.3f}", f"{scale * other:.3f}" if other else "-",
                     f"{other / figures[key]:.1f}" if other else "-"])
    print(machine())
    print(f"analogy accuracy (random vectors, both tools): {100 * result.accuracy:.2f}% of {result.total.answered}")
    print(table(rows))


if __name__ == "__main__":
    main()
