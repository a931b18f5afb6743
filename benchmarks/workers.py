"""Accuracy against the number of training threads, on wiki2015-17m (quality only).

    python benchmarks/workers.py cbow-hierarchical --workers 1 2 4 8 --gensim

Each configuration trains with the defaults (d=100, window 5, 5 epochs) and seed 1 once
per worker count, each run in a fresh process, and prints one JSON line: questions-words
accuracy restricted to the 30,000 most frequent words (overall, semantic, syntactic),
WordSim-353 Spearman and the last epoch's mean loss. With --gensim, gensim's Word2Vec
trains with the same settings at the same worker counts (streaming Text8Corpus over a
decompressed copy of the corpus) and is scored by the same embed code. gensim's loss is
null: its running loss is a float32 total that concurrent jobs overwrite, so it is not
comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, gensim_sentences, gensim_settings, plain_copy, run_child  # noqa: E402

def scores(vectors) -> dict:
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    analogy = evaluate_word_analogies(vectors, bundled("questions-words.txt"), restrict_vocab=30_000)
    return dict(
        analogy=round(100 * analogy.accuracy, 2),
        semantic=round(100 * analogy.semantic.accuracy, 2),
        syntactic=round(100 * analogy.syntactic.accuracy, 2),
        ws353=round(evaluate_word_pairs(vectors, bundled("wordsim353.tsv")).spearman, 4),
        sections={s.name: round(100 * s.accuracy, 2) for s in analogy.sections},
    )


def train(tool: str, name: str, workers: int, seed: int, corpus: str) -> dict:
    """Train one run in this process and score it; ``corpus`` is plain text for gensim."""
    import embed

    arch, loss = name.split("-")
    record = dict(tool=tool, config=name, workers=workers, seed=seed)
    if tool == "embed":
        model = embed.train(corpus, arch=arch, loss=loss, workers=workers, seed=seed, progress=False)
        return record | scores(model.wv) | dict(loss=round(model.history[-1].loss, 4))

    from gensim.models import Word2Vec as GensimWord2Vec

    model = GensimWord2Vec(gensim_sentences(corpus), epochs=embed.Config().epochs,
                           **gensim_settings(name, workers, seed))
    vectors = embed.Vectors(list(model.wv.index_to_key), model.wv.vectors)
    return record | scores(vectors) | dict(loss=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", metavar="ARCH-LOSS", help="e.g. cbow-hierarchical")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gensim", action="store_true", help="also train gensim at each worker count")
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--child", nargs=5, metavar=("TOOL", "CONFIG", "WORKERS", "SEED", "CORPUS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, name, workers, seed, corpus = args.child
        print(json.dumps(train(tool, name, int(workers), int(seed), corpus)))
        return
    if not args.configs:
        parser.error("name at least one configuration, e.g. cbow-hierarchical")

    tools = {"embed": args.corpus} | ({"gensim": plain_copy(args.corpus)} if args.gensim else {})
    for name in args.configs:
        for workers in args.workers:
            for tool, corpus in tools.items():
                record = run_child([os.path.abspath(__file__), "--child", tool, name, str(workers),
                                    str(args.seed), corpus])
                record.pop("sections")
                record.pop("peak_rss_mb")
                print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
