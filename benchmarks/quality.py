"""embed against gensim on one corpus, same settings, side by side in one run.

    python benchmarks/quality.py                      # wiki2015-17m, 5 epochs, 2 workers, 4 configurations
    python benchmarks/quality.py --tokens 1000000 --epochs 1     # a quick look

For skip-gram and CBOW with negative sampling and with hierarchical softmax it prints
words per second (corpus words in the vocabulary times epochs, over training time; embed
warms up first, so Numba's one-time compilation is not counted),
the embed/gensim ratio, each process's peak RSS up to the end of training, accuracy on questions-words restricted
to the 30,000 most frequent words, and WordSim-353 Spearman. Both tools' vectors are
scored by the same code (embed.evaluate, tested equal to gensim's). Each training runs in
its own process so that peak RSS is its own. gensim is an optional peer:
pip install 'embed[bench]'.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, peak_rss_mb, prefix_corpus, run_child, table, warm_up  # noqa: E402

CONFIGS = {
    "skipgram-negative": dict(arch="skipgram", loss="negative"),
    "cbow-negative": dict(arch="cbow", loss="negative"),
    "skipgram-hierarchical": dict(arch="skipgram", loss="hierarchical"),
    "cbow-hierarchical": dict(arch="cbow", loss="hierarchical"),
}


def scores(vectors) -> tuple[float, float]:
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    analogy = evaluate_word_analogies(vectors, bundled("questions-words.txt"), restrict_vocab=30_000)
    pairs = evaluate_word_pairs(vectors, bundled("wordsim353.tsv"))
    return analogy.accuracy, pairs.spearman


def train_embed(corpus: str, name: str, settings: dict) -> dict:
    from embed import Config, Word2Vec

    config = Config(**CONFIGS[name], **settings)
    warm_up(config)
    model = Word2Vec(config).build_vocab(corpus)
    started = time.perf_counter()
    model.train(corpus, progress=False)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()  # of training: evaluation below allocates score matrices
    words = sum(s.words for s in model.history)
    accuracy, spearman = scores(model.wv)
    return dict(words=words, seconds=seconds, accuracy=accuracy, spearman=spearman,
                losses=model.loss_history, epoch_seconds=[round(s.seconds, 2) for s in model.history],
                vocab=len(model.vocab), peak_rss_mb=peak)


def train_gensim(corpus: str, name: str, settings: dict) -> dict:
    from gensim.models import Word2Vec as GensimWord2Vec
    from gensim.models.word2vec import LineSentence

    from embed import Vectors

    config = CONFIGS[name]
    hs = config["loss"] == "hierarchical"
    sentences = LineSentence(corpus, max_sentence_length=10_000)
    model = GensimWord2Vec(
        vector_size=settings["dim"], window=settings["window"], min_count=settings["min_count"],
        sample=settings["sample"], sg=int(config["arch"] == "skipgram"), hs=int(hs),
        negative=0 if hs else settings["negative"], workers=settings["workers"], seed=settings["seed"],
        alpha=settings["alpha"], min_alpha=settings["min_alpha"],
    )
    model.build_vocab(sentences)
    started = time.perf_counter()
    trained, _ = model.train(sentences, total_examples=model.corpus_count, epochs=settings["epochs"])
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    words = settings["epochs"] * sum(int(model.wv.get_vecattr(w, "count")) for w in model.wv.index_to_key)
    vectors = Vectors(list(model.wv.index_to_key), model.wv.vectors)
    accuracy, spearman = scores(vectors)
    return dict(words=words, seconds=seconds, accuracy=accuracy, spearman=spearman, vocab=len(vectors),
                peak_rss_mb=peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--tokens", type=int, help="use only the corpus's first N tokens")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated subset of " + ", ".join(CONFIGS))
    parser.add_argument("--tools", default="embed,gensim")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1, help="both tools' seed (repeat with others to see the spread)")
    parser.add_argument("--child", nargs=3, metavar=("TOOL", "CONFIG", "CORPUS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings = dict(dim=args.dim, window=5, negative=5, min_count=5, sample=1e-3, epochs=args.epochs,
                    workers=args.workers, seed=args.seed, alpha=0.025, min_alpha=0.0001)
    if args.child:
        tool, name, corpus = args.child
        record = (train_embed if tool == "embed" else train_gensim)(corpus, name, settings)
        print(json.dumps(record))
        return

    with tempfile.TemporaryDirectory() as folder:
        corpus = prefix_corpus(args.corpus, args.tokens, folder)
        print(f"{machine()}\ncorpus {args.corpus}" + (f" (first {args.tokens:,} tokens)" if args.tokens else ""))
        print(f"settings: d={args.dim}, window 5, negative 5 / hs, sample 1e-3, min_count 5, "
              f"{args.epochs} epochs, {args.workers} workers, seed {args.seed}\n", flush=True)
        rows = [["configuration", "tool", "words/s", "embed/gensim", "peak RSS MB", "analogy %", "WS353 rho", "seconds"]]
        for name in args.configs.split(","):
            results = {}
            for tool in args.tools.split(","):
                base = [os.path.abspath(__file__), "--epochs", str(args.epochs), "--workers", str(args.workers),
                        "--dim", str(args.dim), "--seed", str(args.seed), "--child", tool, name, corpus]
                results[tool] = record = run_child(base)
                print(f"{name} {tool}: {json.dumps(record)}", flush=True)
            for tool, record in results.items():
                speed = record["words"] / record["seconds"]
                ratio = ""
                if tool == "embed" and "gensim" in results:
                    ratio = f"{speed / (results['gensim']['words'] / results['gensim']['seconds']):.2f}"
                rows.append([name, tool, f"{speed:,.0f}", ratio, f"{record['peak_rss_mb']:.0f}",
                             f"{100 * record['accuracy']:.1f}", f"{record['spearman']:.3f}", f"{record['seconds']:.0f}"])
        print()
        print(table(rows))


if __name__ == "__main__":
    main()
