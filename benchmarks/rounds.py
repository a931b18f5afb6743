"""Training in rounds (issue 15): what the merge rule, the round length and the number of
shards cost in accuracy, and what the engine costs in speed, against Hogwild threads.

    python benchmarks/rounds.py accuracy --tokens 3000000 --epochs 3 --shards 2 4 8
    python benchmarks/rounds.py accuracy --merges row-average --round-words 50000 250000 1000000000
    python benchmarks/rounds.py speed --tokens 3000000

accuracy: for each configuration, one row for the thread engine (Hogwild, 2 workers) and
one per (shards, merge, round words) trained in rounds on 2 threads (``deterministic``);
round words beyond a shard's size give one round per epoch, Spark MLlib's once-per-pass
averaging when the merge is ``row-average``. Each row: training seconds (the model's
own clock), final loss, analogy accuracy (questions-words, 30,000 most frequent words)
and WordSim-353 Spearman.

speed: words/s of training alone for one process training one shard on one thread
(``--deterministic --workers 1 --shards 1``), ``--cluster local:2`` (two single-threaded
worker processes, 2 shards), and the thread engine with 2 threads; each run a fresh
``embed train`` process, its training time from its own report.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, plain_copy, prefix_corpus, table  # noqa: E402


def scores(model) -> tuple[float, float]:
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    wv = model.wv
    analogy = evaluate_word_analogies(wv, bundled("questions-words.txt"), restrict_vocab=30_000)
    return 100 * analogy.accuracy, evaluate_word_pairs(wv, bundled("wordsim353.tsv")).spearman


def accuracy(args, corpus: str) -> None:
    from embed import Config, Word2Vec

    rows = [["configuration", "engine", "shards", "merge", "round words", "train s", "loss", "analogy %", "WS353"]]
    for config_name in args.configs:
        arch, loss = config_name.split("-")
        base = Config(arch=arch, loss=loss, epochs=args.epochs, workers=2)
        runs = ([] if args.no_threads else [("threads", base)]) + [
            ("rounds", base.replace(deterministic=True, shards=shards, merge=merge, round_words=words))
            for shards in args.shards for merge in args.merges for words in args.round_words]
        for engine, config in runs:
            model = Word2Vec(config).build_vocab(corpus)
            model.train(corpus, progress=False)
            seconds = sum(h.seconds for h in model.history)
            analogy, ws = scores(model)
            shown = [config_name, engine] + ([str(config.shards), config.merge, f"{config.round_words:,}"]
                                             if engine == "rounds" else ["-", "-", "-"])
            rows.append(shown + [f"{seconds:.1f}", f"{model.history[-1].loss:.4f}", f"{analogy:.2f}", f"{ws:.3f}"])
            print(" | ".join(rows[-1]), flush=True)
    print()
    print(table(rows))


def speed(args, corpus: str) -> None:
    out = os.path.join(tempfile.mkdtemp(prefix="embed-rounds-"), "v.bin")
    rows = [["configuration", "run", "words/s (training)", "ratio to one process"]]
    for config_name in args.configs:
        arch, loss = config_name.split("-")
        common = ["--arch", arch, "--loss", loss, "--epochs", str(args.epochs)]
        runs = [("one process, one thread, 1 shard", ["--deterministic", "--workers", "1", "--shards", "1"]),
                ("--cluster local:2, 2 shards", ["--cluster", "local:2", "--shards", "2"]),
                ("--deterministic, 2 threads, 2 shards", ["--deterministic", "--workers", "2", "--shards", "2"]),
                ("threads (Hogwild), 2 workers", ["--workers", "2"])]
        first = None
        for label, extra in runs:
            result = subprocess.run([sys.executable, "-m", "embed", "train", corpus, "-o", out, "--quiet", *common,
                                     *extra], capture_output=True, text=True)
            if result.returncode:
                raise SystemExit(result.stderr)
            rate = float(re.search(r"\(([\d,]+) words/s\)", result.stdout).group(1).replace(",", ""))
            first = first or rate
            rows.append([config_name, label, f"{rate:,.0f}", f"{rate / first:.2f}"])
            print(" | ".join(rows[-1]), flush=True)
    print()
    print(table(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["accuracy", "speed"])
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--tokens", type=int, help="only the corpus's first N tokens")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--configs", nargs="+", default=["cbow-negative", "skipgram-negative"])
    parser.add_argument("--shards", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--merges", nargs="+", default=["hogwild", "sum", "average", "row-average"])
    parser.add_argument("--round-words", type=int, nargs="+", default=[100_000])
    parser.add_argument("--no-threads", action="store_true", help="accuracy: leave out the thread engine's row")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="embed-rounds-")
    corpus = prefix_corpus(plain_copy(args.corpus), args.tokens, folder)
    print(f"{machine()}; {corpus}, {args.epochs} epochs")
    (accuracy if args.what == "accuracy" else speed)(args, corpus)


if __name__ == "__main__":
    main()
