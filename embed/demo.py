"""The demo: train on the bundled CIA World Factbook (or text8, or any corpus), say how
many capital-country analogies come out right, show neighbours, analogies and where the
expected answers rank, and draw Mikolov's capital-country figure and the loss curve."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from .errors import EmbedError
from .training.config import Config
from .vectors.atomic import check_writable
from .vectors.word_vectors import Vectors

# Chosen by measurement on the Factbook (capital sections of questions-words, every
# question whose four words are in the vocabulary, one run each; `python
# benchmarks/textbook.py demo-settings`, README "The demo's figures"): with 10 epochs,
# window 5 answers 2% of them by 3CosMul, window 10 7%, window 20 15% and window 30 20%;
# subsampling at 1e-4 and 30 epochs (about 45 s on 2 cores) take window 20 to 34%, and
# window 30 no further. 3CosMul beats 3CosAdd by 5-10 points throughout. The Factbook
# is list-like: an entry names a country's capital many words from the country's name.
FACTBOOK_CONFIG = Config(arch="skipgram", loss="negative", dim=100, window=20, epochs=30, sample=1e-4, min_count=5,
                         seed=1)
FACTBOOK_METHOD = "3cosmul"
# A text8-like corpus (17M tokens of running text): word2vec's usual skip-gram.
TEXT_CONFIG = Config(arch="skipgram", loss="negative", dim=100, window=5, epochs=5, min_count=5, sample=1e-4, seed=1)
TEXT_METHOD = "3cosadd"
SHOWN_WORDS = ("paris", "berlin", "tokyo", "france", "germany", "japan")
SHOWN_ANALOGIES = (  # a, b, c, expected: a is to b as c is to expected
    ("france", "paris", "italy", "rome"),
    ("germany", "berlin", "japan", "tokyo"),
    ("spain", "madrid", "russia", "moscow"),
    ("china", "beijing", "egypt", "cairo"),
    ("lisbon", "portugal", "beijing", "china"),
)
CAPITAL_SECTIONS = ("capital-common-countries", "capital-world")


def neighbour_shares(vectors: Vectors, pairs: Sequence[tuple[str, str]], topn: int = 10) -> tuple[float, float]:
    """Mean share of capitals among capitals' neighbours, and of countries among countries'.

    >>> v = Vectors(["a", "b", "x", "y"], np.array([[1, 0], [1, .1], [0, 1], [.1, 1]], dtype=np.float32))
    >>> neighbour_shares(v, [("a", "x"), ("b", "y")], topn=1)
    (1.0, 1.0)
    """
    capitals = {c for c, _ in pairs}
    countries = {k for _, k in pairs}

    def share(words: set[str]) -> float:
        found = [np.mean([w in words for w, _ in vectors.most_similar(word, topn=topn)]) for word in sorted(words)]
        return float(np.mean(found))

    return share(capitals), share(countries)


def analogy_accuracy(vectors: Vectors, method: str) -> dict[str, tuple[int, int, int]]:
    """(right, asked, in the sections) for questions-words' capital sections ("capitals")
    and for all its sections ("all"): every question whose four words are in the
    vocabulary is asked.

    >>> v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    >>> analogy_accuracy(v, "3cosadd")["capitals"]
    (0, 0, 5030)
    """
    from .data import bundled
    from .vectors.evaluate import evaluate_word_analogies

    result = evaluate_word_analogies(vectors, bundled("questions-words.txt"), restrict_vocab=None, method=method)

    def tally(sections) -> tuple[int, int, int]:
        asked = sum(s.answered for s in sections)
        return sum(len(s.correct) for s in sections), asked, asked + sum(s.skipped for s in sections)

    return {"capitals": tally([s for s in result.sections if s.name in CAPITAL_SECTIONS]),
            "all": tally(result.sections)}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def _corpus(corpus: str | None, progress: bool) -> tuple[str, str, Config, str]:
    """(path, name, settings, analogy method) of the demo's corpus."""
    from .data import bundled

    if corpus in (None, "factbook"):
        return bundled("factbook.txt.xz"), "the CIA World Factbook", FACTBOOK_CONFIG, FACTBOOK_METHOD
    if corpus == "text8":
        from .download import download

        return download("text8", progress=progress), "text8", TEXT_CONFIG, TEXT_METHOD
    if os.path.isdir(corpus):  # it said "no such corpus file" of a folder that is there
        raise EmbedError(f"{corpus}: is a directory; --corpus takes one file (factbook, text8 or a file's path)")
    if not os.path.isfile(corpus):
        raise EmbedError(f"{corpus}: no such corpus file (--corpus takes factbook, text8 or a file's path)")
    return corpus, os.path.basename(corpus), TEXT_CONFIG, TEXT_METHOD


def run_demo(out_dir: str = ".", config: Config | None = None, progress: bool = True, corpus: str | None = None,
             method: str | None = None) -> dict:
    """Train on ``corpus`` (the bundled Factbook by default; "text8" downloads it; or a
    path), print what the vectors learnt and write ``NAME.vec``, ``capitals.png`` and
    ``loss.png`` to ``out_dir``. Returns the figures it printed, for tests and the README.

    >>> run_demo("demo-output")  # doctest: +SKIP
    """
    from .training.loss_curve import plot_loss
    from .training.word2vec import Word2Vec
    from .vectors.plot import capital_pairs, plot_capitals

    path, name, default_config, default_method = _corpus(corpus, progress)
    config = config or default_config
    method = method or default_method
    stem = "factbook" if corpus in (None, "factbook") else os.path.basename(path).split(".")[0] or "vectors"
    vectors_path, plot_path, loss_path = (os.path.join(out_dir, f) for f in (f"{stem}.vec", "capitals.png", "loss.png"))
    try:  # the outputs are checked before training, not after it
        os.makedirs(out_dir, exist_ok=True)
    except OSError as error:
        raise EmbedError(f"{out_dir}: cannot create the output folder: {error.strerror or error}") from None
    for output in (vectors_path, plot_path, loss_path):
        check_writable(output, inputs=(path,))
    arch = {"skipgram": "skip-gram", "cbow": "CBOW"}[config.arch]
    loss = {"negative": "negative sampling", "softmax": "the full softmax", "hierarchical": "hierarchical softmax"}
    print(f"training {arch} with {loss[config.loss]}, d={config.dim}, window {config.window}, {config.epochs} epochs "
          f"on {name} ({path})")
    started = time.perf_counter()
    model = Word2Vec(config).build_vocab(path).train(path, progress=progress)
    seconds = time.perf_counter() - started
    vectors = model.wv
    words = sum(stats.words for stats in model.history)
    print(f"trained {words:,} words ({len(vectors):,} in the vocabulary) in {seconds:.1f} s")

    accuracy = analogy_accuracy(vectors, method)
    right, asked, questions = accuracy["capitals"]
    share = right / asked if asked else float("nan")
    if asked:
        every_right, every_asked, every = accuracy["all"]
        print(f"\ncapital-country analogies right: {right:,} of {asked:,} ({100 * share:.1f}%) by {method}; asked: "
              f"the questions of questions-words' capital sections whose four words are in the vocabulary "
              f"({asked:,} of {questions:,}). All sections: {every_right:,} of {every_asked:,} "
              f"({100 * every_right / every_asked:.1f}%; {every_asked:,} of {every:,} asked)")
    else:
        print(f"\nnone of the {questions:,} capital-country analogies of questions-words has its four words in the "
              "vocabulary")

    print("\nnearest neighbours")
    for word in SHOWN_WORDS:
        if word in vectors:
            near = ", ".join(w for w, _ in vectors.most_similar(word, topn=8))
            print(f"  {word:<10} {near}")

    from .vectors.evaluate import analogy_answers

    print(f"\nanalogies by {method} (a is to b as c is to ?), and where the expected answer ranks")
    for a, b, c, expected in SHOWN_ANALOGIES:
        if all(w in vectors for w in (a, b, c, expected)):
            answers, rank = analogy_answers(vectors, a, b, c, expected, method)
            verdict = "right" if rank == 1 else f"{expected} is {_ordinal(rank)}"
            print(f"  {b} - {a} + {c} -> {', '.join(answers)}  ({verdict})")

    pairs = capital_pairs(vectors, max_pairs=None)
    capital_share = country_share = float("nan")
    if pairs:
        capital_share, country_share = neighbour_shares(vectors, pairs)
        print(f"\nof the 10 nearest neighbours of {len(pairs)} capitals, {100 * capital_share:.0f}% are capitals; "
              f"of {len(pairs)} countries, {100 * country_share:.0f}% are countries")
    vectors.save_word2vec_format(vectors_path)
    plot_loss(model, loss_path, title=f"Training loss: {arch}, {loss[config.loss]}, on {name}")
    wrote = f"wrote {vectors_path} and the loss curve {loss_path}"
    projection = None
    try:
        projection = plot_capitals(vectors, plot_path, source=f"{name}, {arch}, {loss[config.loss]}, d={config.dim}")
        wrote += f", and the capital-country plot {plot_path}"
    except EmbedError as error:  # a corpus that names too few capitals: the rest of the demo still stands
        wrote += f"; no capital-country plot: {error}"
    print(wrote)
    return {
        "seconds": seconds,
        "capital_accuracy": share,
        "capital_questions": asked,
        "capital_share": capital_share,
        "country_share": country_share,
        "projection": projection,
        "vectors": vectors,
    }
