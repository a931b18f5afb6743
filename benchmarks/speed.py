"""What a user waits for: the whole `embed train` process against gensim's, side by side.

    python benchmarks/speed.py                                   # wiki2015-17m, 4 configurations, 5 and 1 epochs, 3 repeats
    python benchmarks/speed.py --tokens 3000000 --epochs 1       # small jobs: the first 3M tokens
    python benchmarks/speed.py --configs cbow-negative --epochs 5 --repeats 1

Each run is a fresh process, timed from its start to its exit: start-up, imports, the
vocabulary, training and writing the vectors (word2vec binary). embed runs its command,
`embed train CORPUS -o OUT.bin --arch A --loss L --epochs E --workers W`, with its progress
bar as a user has it; gensim runs a script that does what its users do:
`Word2Vec(vector_size=100, window=5, ...)`, `build_vocab`, `train`, `save_word2vec_format`,
reading the corpus with its streaming reader for the file's form (`Text8Corpus` for one
long line, `LineSentence` for a sentence per line). Both read the same decompressed copy
of the corpus, with embed's defaults (d=100, window 5, 5 negatives, sample 1e-3,
min_count 5, alpha 0.025). Numba's kernels are loaded from its on-disk cache, as after
any first run; the first run after installing compiles them (see the README).

For each configuration and epoch count it prints the median over repeats (embed and gensim
alternate) of: whole-process seconds and gensim/embed ratio; training alone (embed's own
report, gensim's `train` call) and its ratio; the vocabulary pass of each (embed: from
the start of the process to the start of training, so imports included; gensim:
`build_vocab` alone); embed's first epoch and later epochs in words/s; peak RSS of each
process (from the kernel's accounting of the child); analogy accuracy (questions-words,
30,000 most frequent words) and WordSim-353 Spearman of the written vectors, scored by
the same code for both. gensim is an optional peer: pip install 'embed[bench]'.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, gensim_sentences, gensim_settings, machine, plain_copy, prefix_corpus, table  # noqa: E402

CONFIGS = ("skipgram-negative", "cbow-negative", "skipgram-hierarchical", "cbow-hierarchical")


def run_embed(corpus: str, config: str, epochs: int, workers: int, out: str) -> dict:
    arch, loss = config.split("-")
    command = [sys.executable, "-m", "embed", "train", corpus, "-o", out, "--arch", arch, "--loss", loss,
               "--epochs", str(epochs), "--workers", str(workers)]
    seconds, rss, stdout = _timed_with_rusage(command)
    trained = re.search(r"trained [\d,]+ words in ([\d.]+) s", stdout)
    epoch_rates = [float(r.replace(",", "")) for r in re.findall(r"epoch \d+: loss .*?, ([\d,]+) words/s", stdout)]
    train_seconds = float(trained.group(1))
    return dict(whole=seconds, train=train_seconds, outside=seconds - train_seconds, rss=rss,
                first_epoch=epoch_rates[0] if epoch_rates else None,
                later_epochs=statistics.mean(epoch_rates[1:]) if len(epoch_rates) > 1 else None)


def run_gensim(corpus: str, config: str, epochs: int, workers: int, out: str) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--gensim-child", corpus, config, str(epochs),
               str(workers), out]
    seconds, rss, stdout = _timed_with_rusage(command)
    record = json.loads(stdout.strip().splitlines()[-1])
    return dict(whole=seconds, train=record["train"], outside=seconds - record["train"], vocab=record["vocab"],
                rss=rss)


def embed_vocab_child(corpus: str) -> None:
    """embed's vocabulary pass alone, as gensim's build_vocab is timed."""
    from embed import Config, Word2Vec

    model = Word2Vec(Config())
    started = time.perf_counter()
    model.build_vocab(corpus)
    print(json.dumps(dict(vocab=time.perf_counter() - started)))


def _timed_with_rusage(command: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of a fresh process; wait4 gives that child's
    own peak, not the largest of all children so far."""
    import threading

    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = [], []
    drains = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(child.stdout, stdout)),
              threading.Thread(target=lambda s, b: b.append(s.read()), args=(child.stderr, stderr))]
    for thread in drains:
        thread.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    for thread in drains:
        thread.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[0].decode()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout[0].decode()


def gensim_child(corpus: str, config: str, epochs: int, workers: int, out: str) -> None:
    """What a gensim user runs, timed inside for the vocabulary and training alone."""
    from gensim.models import Word2Vec

    sentences = gensim_sentences(corpus)
    model = Word2Vec(**gensim_settings(config, workers))
    started = time.perf_counter()
    model.build_vocab(sentences)
    vocab = time.perf_counter() - started
    started = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    train = time.perf_counter() - started
    model.wv.save_word2vec_format(out, binary=True)
    print(json.dumps(dict(vocab=vocab, train=train)))


def score_child(path: str) -> None:
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs
    from embed.vectors.word_vectors import Vectors

    vectors = Vectors.load_word2vec_format(path)
    analogy = evaluate_word_analogies(vectors, bundled("questions-words.txt"), restrict_vocab=30_000)
    print(json.dumps([100 * analogy.accuracy, evaluate_word_pairs(vectors, bundled("wordsim353.tsv")).spearman]))


def prepare_child(corpus: str, tokens: str, folder: str) -> None:
    print(json.dumps(plain_copy(corpus) if tokens == "all" else prefix_corpus(corpus, int(tokens), folder)))


def in_child(*args: str):
    """The last JSON line a child run of this script prints. The work that needs memory
    (scoring, preparing a corpus) runs there: a child's peak RSS counts the parent's
    (Linux carries the high-water mark across fork and exec), so this process stays small."""
    return json.loads(_timed_with_rusage([sys.executable, os.path.abspath(__file__), *args])[2].strip().splitlines()[-1])


def scores(path: str) -> tuple[float, float]:
    return tuple(in_child("--score-child", path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--tokens", type=int, help="only the corpus's first N tokens")
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--epochs", type=int, nargs="+", default=[5, 1])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-scores", action="store_true", help="skip scoring the vectors")
    parser.add_argument("--gensim-child", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--vocab-child", help=argparse.SUPPRESS)
    parser.add_argument("--score-child", help=argparse.SUPPRESS)
    parser.add_argument("--prepare-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.gensim_child:
        corpus, config, epochs, workers, out = args.gensim_child
        gensim_child(corpus, config, int(epochs), int(workers), out)
        return
    if args.vocab_child:
        embed_vocab_child(args.vocab_child)
        return
    if args.score_child:
        score_child(args.score_child)
        return
    if args.prepare_child:
        prepare_child(*args.prepare_child)
        return

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        corpus = in_child("--prepare-child", args.corpus, "all" if args.tokens is None else str(args.tokens), folder)
        print(f"{machine()}, commit {commit}")
        print(f"corpus {corpus} ({os.path.getsize(corpus) / 1e6:.0f} MB), {args.workers} workers, "
              f"median of {args.repeats} (whole process: start to exit)\n", flush=True)
        rows = [["configuration", "epochs", "whole s embed / gensim", "ratio", "training s embed / gensim", "ratio",
                 "outside training s embed / gensim", "embed epoch 1 / later, kw/s", "peak RSS MB embed / gensim",
                 "analogy % embed / gensim", "WS353 embed / gensim"]]
        gensim_vocabs = []
        for epochs in args.epochs:
            for config in args.configs:
                runs = {"embed": [], "gensim": []}
                quality = {}
                for _ in range(args.repeats):
                    for tool, run in (("embed", run_embed), ("gensim", run_gensim)):
                        out = os.path.join(folder, f"{tool}.bin")
                        runs[tool].append(run(corpus, config, epochs, args.workers, out))
                        if tool == "gensim":
                            gensim_vocabs.append(runs[tool][-1]["vocab"])
                        print(json.dumps(dict(tool=tool, config=config, epochs=epochs,
                                              **{k: (round(v, 2) if isinstance(v, float) else v)
                                                 for k, v in runs[tool][-1].items()})), flush=True)
                        if tool not in quality and not args.no_scores:
                            quality[tool] = scores(out)
                median = {tool: {key: statistics.median(r[key] for r in runs[tool]) for key in runs[tool][0]
                                 if runs[tool][0][key] is not None} for tool in runs}
                e, g = median["embed"], median["gensim"]
                rates = (f"{e['first_epoch'] / 1e3:,.0f} / {e['later_epochs'] / 1e3:,.0f}" if "later_epochs" in e
                         else f"{e.get('first_epoch', float('nan')) / 1e3:,.0f} / -")
                rows.append([
                    config, str(epochs), f"{e['whole']:.1f} / {g['whole']:.1f}", f"{g['whole'] / e['whole']:.2f}x",
                    f"{e['train']:.1f} / {g['train']:.1f}", f"{g['train'] / e['train']:.2f}x",
                    f"{e['outside']:.1f} / {g['outside']:.1f}", rates, f"{e['rss']:.0f} / {g['rss']:.0f}",
                    " / ".join(f"{quality[t][0]:.2f}" for t in runs) if quality else "-",
                    " / ".join(f"{quality[t][1]:.3f}" for t in runs) if quality else "-",
                ])
        embed_vocab = statistics.median(in_child("--vocab-child", corpus)["vocab"] for _ in range(args.repeats))
        gensim_vocab = statistics.median(gensim_vocabs)
        print()
        print(table(rows))
        print("\ntraining s: embed's own report, gensim's train call. outside training: the rest of the process "
              "(start-up, imports, vocabulary, writing).")
        print(f"vocabulary pass alone (median of {args.repeats}): embed build_vocab {embed_vocab:.2f} s, gensim "
              f"build_vocab {gensim_vocab:.2f} s: {gensim_vocab / embed_vocab:.2f}x")


if __name__ == "__main__":
    main()
