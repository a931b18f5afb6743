"""Learning phrases: embed's ``Phrases`` beside gensim 4's, each in a fresh process.

    python benchmarks/phrases.py [CORPUS] [--tokens 1000000] [--min-count 5] [--threshold 100] [--scoring npmi]

Both learn from the same file (default: wiki2015-17m.txt.xz, read compressed by both;
gensim through ``Text8Corpus`` for a one-line corpus, ``LineSentence`` otherwise) with
the same min_count and threshold. gensim's built-in "default" scorer multiplies by the
size of its table of words and pairs where word2phrase multiplies by the corpus's
tokens, so gensim is given ``embed.training.phrases.word2phrase_score`` (word2phrase's
formula in gensim's scorer signature); "npmi" is the same formula in both. The two
tokenise alike on text in text8's form (a-z and blanks): elsewhere embed's tokens are
runs of letters, lowercased, and gensim's the text between blanks, and the phrases
differ for that reason.

Printed: seconds to learn (timed inside the process, embed after an untimed warm-up
that loads its jitted kernels from Numba's cache) and for the whole process (timed from
outside: start-up, imports, learning), each process's peak RSS, the phrases each found,
their overlap with a few examples of each side, the largest relative score difference
on the phrases both found, and gensim's time over embed's. ``--tokens N`` runs on the
first N tokens (a plain file written once to the temporary folder).
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, prefix_corpus, table  # noqa: E402

_OPENERS = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}


def one_line(path: str) -> bool:
    """Whether the corpus is one long line (text8's form), from its first megabyte."""
    opener = _OPENERS.get(os.path.splitext(path)[1].lower(), open)
    with opener(path, "rb") as f:
        return b"\n" not in f.read(1 << 20).rstrip(b"\n")


def child_embed(corpus: str, min_count: int, threshold: float, scoring: str, out: str) -> dict:
    from embed.training.phrases import Phrases

    with tempfile.TemporaryDirectory() as folder:  # loads (or compiles) the kernels, untimed
        warm = os.path.join(folder, "warm.txt")
        with open(warm, "w") as f:
            f.write("new york is big\n" * 20)
        Phrases(min_count=1, threshold=0, scoring="default", passes=1).learn(warm)
    started = time.perf_counter()
    # One pass, as gensim's Phrases makes (embed's default is two).
    phrases = Phrases(min_count=min_count, threshold=threshold, scoring=scoring, passes=1).learn(corpus)
    seconds = time.perf_counter() - started
    found = phrases.export_phrases()
    with open(out, "w") as f:
        json.dump(found, f)
    return dict(seconds=seconds, phrases=len(found), tokens=phrases.stats[0].tokens, pairs=phrases.stats[0].pairs)


def child_gensim(corpus: str, min_count: int, threshold: float, scoring: str, out: str) -> dict:
    from gensim.models.phrases import Phrases
    from gensim.models.word2vec import LineSentence, Text8Corpus

    from embed.training.phrases import word2phrase_score

    sentences = Text8Corpus(corpus) if one_line(corpus) else LineSentence(corpus, max_sentence_length=10_000)
    scorer = word2phrase_score if scoring == "default" else "npmi"
    started = time.perf_counter()
    phrases = Phrases(sentences, min_count=min_count, threshold=threshold, scoring=scorer)
    seconds = time.perf_counter() - started
    found = phrases.export_phrases()
    with open(out, "w") as f:
        json.dump(found, f)
    return dict(seconds=seconds, phrases=len(found), tokens=phrases.corpus_word_count, pairs=None)


def run(tool: str, corpus: str, args: argparse.Namespace, out: str) -> dict:
    """One child process's record (with its own peak RSS, from getrusage inside it) and
    its whole wall time."""
    command = [sys.executable, os.path.abspath(__file__), corpus, "--child", tool, "--out", out,
               "--min-count", str(args.min_count), "--threshold", str(args.threshold), "--scoring", args.scoring]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{tool} failed:\n{stderr[-3000:]}")
    record = json.loads(stdout.strip().splitlines()[-1])
    record["process_seconds"] = wall
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", default=WIKI)
    parser.add_argument("--tokens", type=int, default=None, help="learn from the first N tokens only")
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=100.0)
    parser.add_argument("--scoring", choices=["default", "npmi"], default="default")
    parser.add_argument("--examples", type=int, default=5)
    parser.add_argument("--child", choices=["embed", "gensim"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = child_embed if args.child == "embed" else child_gensim
        record = work(args.corpus, args.min_count, args.threshold, args.scoring, args.out)
        import resource

        record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(record))
        return
    with tempfile.TemporaryDirectory() as folder:
        corpus = prefix_corpus(args.corpus, args.tokens, folder)
        records, found = {}, {}
        for tool in ("embed", "gensim"):
            out = os.path.join(folder, f"{tool}.json")
            records[tool] = run(tool, corpus, args, out)
            with open(out) as f:
                found[tool] = json.load(f)
    ours, theirs = found["embed"], found["gensim"]
    both = ours.keys() & theirs.keys()
    only_ours, only_theirs = sorted(ours.keys() - theirs.keys()), sorted(theirs.keys() - ours.keys())
    rows = [["", "learn s", "process s", "peak RSS MB", "tokens", "phrases"]]
    for tool, record in records.items():
        rows.append([tool, f"{record['seconds']:.2f}", f"{record['process_seconds']:.2f}",
                     f"{record['peak_rss_mb']:.0f}", f"{record['tokens']:,}", f"{record['phrases']:,}"])
    print(machine())
    print(f"{args.corpus}{'' if args.tokens is None else f', first {args.tokens:,} tokens'}: min_count "
          f"{args.min_count}, threshold {args.threshold}, scoring {args.scoring} (gensim: "
          f"{'word2phrase_score' if args.scoring == 'default' else 'npmi'})")
    print(table(rows))
    worst = max((abs(ours[k] - theirs[k]) / abs(theirs[k]) for k in both if theirs[k]), default=0.0)
    print(f"phrases found by both: {len(both):,}; largest relative score difference {worst:.1e}")
    print(f"only embed: {len(only_ours):,} {only_ours[:args.examples]}")
    print(f"only gensim: {len(only_theirs):,} {only_theirs[:args.examples]}")
    top = sorted(both, key=lambda k: -ours[k])[:args.examples]
    print(f"both, best scores: {top}")
    print(f"gensim / embed: learning {records['gensim']['seconds'] / records['embed']['seconds']:.1f}x, "
          f"whole process {records['gensim']['process_seconds'] / records['embed']['process_seconds']:.1f}x")


if __name__ == "__main__":
    main()
