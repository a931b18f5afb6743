"""What phrase tokens (new_york) do to the vectors of wiki2015-17m: CBOW with negative
sampling (embed's defaults, 5 epochs, 2 workers, seed 1) on the text as it is and on the
text with the phrases of ``embed phrases`` joined (two passes, min_count 5, threshold
100), each evaluated on questions-words (accuracy over the 30,000 most frequent words,
per section) and WordSim-353, with the neighbours of a few phrase tokens.

    python benchmarks/phrases_accuracy.py

questions-words has single words only (Mikolov's phrase analogies are not in
../shared/data), so the sections show what joining costs or gains the words it keeps;
the neighbours show what the phrase tokens learnt. An accuracy benchmark, not a speed one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WIKI, machine, plain_copy, table  # noqa: E402

PHRASE_TOKENS = ["new_york", "united_states", "los_angeles", "world_war", "prime_minister", "san_francisco"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=WIKI)
    parser.add_argument("--folder", default="/tmp")
    args = parser.parse_args()
    import embed
    from embed.data import bundled
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    plain = plain_copy(args.corpus)
    joined = os.path.join(args.folder, "wiki-phrases.txt")
    command = [sys.executable, "-m", "embed", "phrases", plain, "-o", joined]
    print(f"# {machine()}\n$ embed phrases {plain} -o {joined}", flush=True)
    print(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip(), flush=True)
    rows = [["text", "words", "analogy % (30k)", "semantic", "syntactic", "WS-353"]]
    sections = {}
    for label, corpus, pattern in [("as it is", plain, None), ("phrases joined", joined, r"\S+")]:
        fields = dict(workers=2, seed=1) | ({"token_pattern": pattern} if pattern else {})
        model = embed.train(corpus, progress=False, **fields)
        vectors = model.wv
        result = evaluate_word_analogies(vectors, bundled("questions-words.txt"), restrict_vocab=30_000)
        spearman = evaluate_word_pairs(vectors, bundled("wordsim353.tsv")).spearman
        rows.append([label, f"{len(vectors):,}", f"{100 * result.accuracy:.2f}", f"{100 * result.semantic.accuracy:.2f}",
                     f"{100 * result.syntactic.accuracy:.2f}", f"{spearman:.3f}"])
        sections[label] = {s.name: (100 * s.accuracy, s.answered) for s in result.sections}
        if pattern:
            for token in PHRASE_TOKENS:
                if token in vectors:
                    print(f"{token}: {', '.join(w for w, _ in vectors.most_similar(token, topn=6))}", flush=True)
    print(table(rows))
    names = list(sections["as it is"])
    print(table([["section", "as it is", "phrases joined"]] + [
        [name, *(f"{sections[label][name][0]:.1f}% of {sections[label][name][1]}" for label in sections)]
        for name in names]))


if __name__ == "__main__":
    main()
