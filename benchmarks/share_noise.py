"""Skip-gram with a window's noise words shared (the default, Ji et al. 2016) against
word2vec's pair-by-pair steps (--no-share-noise), side by side in one run.

    python benchmarks/share_noise.py                      # wiki2015-17m, 5 epochs, 2 workers
    python benchmarks/share_noise.py --tokens 2000000 --epochs 1 --repeats 1   # a quick look

Each run is the whole process a user runs, `embed train CORPUS -o OUT.bin --arch
skipgram` in a fresh process (start-up, vocabulary, training, writing), timed from
outside, with its peak RSS. The two settings alternate, so that a change in the
machine's load falls on both. Then each run's vectors are scored: questions-words
restricted to the 30,000 most frequent words (all, semantic and syntactic sections) and
WordSim-353 Spearman. The Numba kernels are compiled before the first timed run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, prefix_corpus, run_embed, table  # noqa: E402

SETTINGS = {"shared": [], "pair by pair": ["--no-share-noise"]}


def train(corpus: str, out: str, extra: list[str], epochs: int, workers: int) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `embed train` process."""
    seconds, peak, _ = run_embed(["train", corpus, "-o", out, "--arch", "skipgram", "--seed", "1", "--epochs",
                                  str(epochs), "--workers", str(workers), "--quiet", *extra])
    return seconds, peak


def scores(path: str) -> dict[str, float]:
    from embed import load_vectors
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    vectors = load_vectors(path)
    result = evaluate_word_analogies(vectors, bundled("questions-words.txt"), restrict_vocab=30_000)
    syntactic = [s for s in result.sections if s.name.startswith("gram")]
    semantic = [s for s in result.sections if not s.name.startswith("gram")]

    def accuracy(sections) -> float:
        answered = sum(len(s.correct) + len(s.incorrect) for s in sections)
        return 100 * sum(len(s.correct) for s in sections) / max(answered, 1)

    return dict(all=accuracy(syntactic + semantic), semantic=accuracy(semantic), syntactic=accuracy(syntactic),
                ws353=evaluate_word_pairs(vectors, bundled("wordsim353.tsv")).spearman)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--tokens", type=int, help="train on the first N tokens only")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        corpus = prefix_corpus(args.corpus, args.tokens, folder)
        warm = os.path.join(folder, "warm.txt")
        with open(warm, "w") as f:
            f.write(" ".join(["the", "cat", "sat", "on", "a", "mat"] * 500) + "\n")
        train(warm, os.path.join(folder, "warm.bin"), ["--min-count", "1"], 1, 1)  # compiles, not timed
        runs: dict[str, list[tuple[float, float, dict]]] = {name: [] for name in SETTINGS}
        for repeat in range(args.repeats):
            for name, extra in SETTINGS.items():
                out = os.path.join(folder, f"v{repeat}.bin")
                seconds, peak = train(corpus, out, extra, args.epochs, args.workers)
                runs[name].append((seconds, peak, scores(out)))
                print(f"{name}, run {repeat + 1}: {seconds:.1f} s, {runs[name][-1][2]}", flush=True)

    print(f"\n{machine()}; {args.corpus if args.tokens is None else f'first {args.tokens:,} tokens'}, skip-gram, "
          f"negative sampling, d=100, window 5, {args.epochs} epochs, {args.workers} workers, seed 1; "
          f"whole process, median of {args.repeats}\n")
    rows = [["", "seconds", "peak RSS MB", "analogies %", "semantic %", "syntactic %", "WS-353"]]
    medians = {}
    for name, found in runs.items():
        medians[name] = statistics.median(s for s, _, _ in found)
        mean = {key: statistics.mean(r[key] for _, _, r in found) for key in found[0][2]}
        rows.append([name, f"{medians[name]:.1f}", f"{max(p for _, p, _ in found):.0f}", f"{mean['all']:.2f}",
                     f"{mean['semantic']:.2f}", f"{mean['syntactic']:.2f}", f"{mean['ws353']:.3f}"])
    print(table(rows))
    print(f"\npair by pair takes {medians['pair by pair'] / medians['shared']:.2f}x the time of shared")


if __name__ == "__main__":
    main()
