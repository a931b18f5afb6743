"""embed's accuracy on wiki2015-17m, for comparing two versions of embed (gensim's side
by side is in speed.py and workers.py).

    python benchmarks/accuracy.py cbow-negative cbow-hierarchical skipgram-negative

Each configuration trains with the defaults (d=100, window 5, 5 epochs) on 2 workers
with seed 1 and prints one JSON line: Google analogy accuracy restricted to the 30,000
most frequent words, WordSim-353 Spearman, the last epoch's loss and the seconds taken
(build_vocab, training and evaluation; not a speed benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+", metavar="ARCH-LOSS", help="e.g. skipgram-negative")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", default=WIKI)
    args = parser.parse_args()

    import embed
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    for name in args.configs:
        arch, loss = name.split("-")
        started = time.perf_counter()
        model = embed.train(args.corpus, arch=arch, loss=loss, workers=args.workers, seed=1, progress=False)
        vectors = model.wv
        analogy = evaluate_word_analogies(vectors, bundled("questions-words.txt"), restrict_vocab=30_000).accuracy
        spearman = evaluate_word_pairs(vectors, bundled("wordsim353.tsv")).spearman
        print(json.dumps(dict(config=name, workers=args.workers, analogy=round(100 * analogy, 2),
                              ws353=round(spearman, 4), loss=round(model.history[-1].loss, 4),
                              seconds=round(time.perf_counter() - started, 1))), flush=True)


if __name__ == "__main__":
    main()
