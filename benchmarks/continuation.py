"""How much training on new text forgets: wiki2015-17m cut in two halves, a model
trained on the first half and continued on the second (``build_vocab(update=True)``,
then ``train``), against a model trained on both halves at once and against gensim's
``build_vocab(update=True)`` doing the same, side by side.

    python benchmarks/continuation.py [--config cbow-negative] [--epochs 5]

Each model is evaluated on questions-words (accuracy over the 30,000 most frequent
words, 3CosAdd) and WordSim-353 (Spearman). Both tools get the same settings (embed's
defaults, gensim's names for them), 2 workers and seed 1; each run is a fresh process.
An accuracy benchmark, not a speed one: the seconds are printed for scale only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, gensim_settings, machine, plain_copy, run_child, table  # noqa: E402

SCRIPT = os.path.abspath(__file__)


def halves(corpus: str, folder: str) -> tuple[str, str]:
    """The corpus's tokens cut in two files of equal token counts, in text8's form."""
    first, second = os.path.join(folder, "wiki-half-1.txt"), os.path.join(folder, "wiki-half-2.txt")
    if not (os.path.exists(first) and os.path.exists(second)):
        with open(plain_copy(corpus), encoding="utf-8") as f:
            tokens = f.read().split()
        middle = len(tokens) // 2
        for path, part in ((first, tokens[:middle]), (second, tokens[middle:])):
            with open(path + ".part", "w", encoding="utf-8") as f:
                f.write(" ".join(part) + "\n")
            os.replace(path + ".part", path)
    return first, second


def scores(vectors) -> dict:
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    analogy = evaluate_word_analogies(vectors, bundled("questions-words.txt"), restrict_vocab=30_000).accuracy
    return dict(analogy=round(100 * analogy, 2), ws353=round(evaluate_word_pairs(vectors, bundled("wordsim353.tsv"))
                                                             .spearman, 4))


def child(tool: str, plan: str, config: str, epochs: int, paths: list[str]) -> None:
    started = time.perf_counter()
    if tool == "embed":
        import embed

        arch, loss = config.split("-")
        model = embed.Word2Vec(embed.Config(arch=arch, loss=loss, epochs=epochs, workers=2, seed=1))
        model.build_vocab(paths[0]).train(paths[0], progress=False)
        if plan == "continued":
            model.build_vocab(paths[1], update=True).train(paths[1], progress=False)
        vectors, words = model.wv, len(model.vocab)
    else:
        from embed import Vectors
        from gensim.models import Word2Vec
        from gensim.models.word2vec import Text8Corpus

        model = Word2Vec(**gensim_settings(config, workers=2), epochs=epochs)
        model.build_vocab(Text8Corpus(paths[0]))
        model.train(Text8Corpus(paths[0]), total_examples=model.corpus_count, epochs=epochs)
        if plan == "continued":
            model.build_vocab(Text8Corpus(paths[1]), update=True)
            model.train(Text8Corpus(paths[1]), total_examples=model.corpus_count, epochs=epochs)
        vectors = Vectors(list(model.wv.index_to_key), model.wv.vectors)
        words = len(vectors)
    print(json.dumps(dict(tool=tool, plan=plan, words=words, seconds=round(time.perf_counter() - started, 1),
                          **scores(vectors))), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="cbow-negative", metavar="ARCH-LOSS")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--folder", default="/tmp")
    parser.add_argument("--tools", nargs="+", default=["embed", "gensim"])
    parser.add_argument("--child", nargs=3, metavar=("TOOL", "PLAN", "PATHS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tool, plan, paths = args.child
        child(tool, plan, args.config, args.epochs, paths.split(os.pathsep))
        return
    first, second = halves(args.corpus, args.folder)
    whole = plain_copy(args.corpus)
    plans = [("first half only", "trained", [first]), ("first half, then the second (update=True)", "continued",
                                                       [first, second]), ("both halves at once", "trained", [whole])]
    rows = [["tool", "training", "words", "analogy % (30k)", "WS-353", "seconds"]]
    print(f"# {machine()}; {args.config}, {args.epochs} epochs per call, 2 workers, seed 1", flush=True)
    for tool in args.tools:
        for label, plan, paths in plans:
            record = run_child([SCRIPT, "--config", args.config, "--epochs", str(args.epochs), "--child", tool, plan,
                                os.pathsep.join(paths)])
            print(json.dumps({**record, "training": label}), flush=True)
            rows.append([tool, label, f"{record['words']:,}", f"{record['analogy']:.2f}", f"{record['ws353']:.3f}",
                         f"{record['seconds']:.0f}"])
    print(table(rows))


if __name__ == "__main__":
    main()
