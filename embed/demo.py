"""The demo: train on the bundled CIA World Factbook, query capitals and countries, draw the figure."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from .errors import EmbedError
from .training.config import Config
from .vectors.atomic import check_writable
from .vectors.word_vectors import Vectors

DEMO_CONFIG = Config(arch="skipgram", loss="negative", dim=100, window=5, epochs=10, min_count=5, seed=1)
SHOWN_WORDS = ("paris", "berlin", "tokyo", "france", "germany", "japan")
SHOWN_ANALOGIES = (
    ("france", "paris", "italy"),
    ("germany", "berlin", "japan"),
    ("spain", "madrid", "russia"),
    ("china", "beijing", "egypt"),
)


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


def run_demo(out_dir: str = ".", config: Config = DEMO_CONFIG, progress: bool = True) -> dict:
    """Train, print neighbours and analogies, write ``capitals.png`` and ``factbook.vec``.

    Returns the figures it printed, for tests and the README.
    """
    from .data import bundled as corpus_path
    from .vectors.plot import capital_pairs, plot_capitals
    from .training.word2vec import Word2Vec

    vectors_path = os.path.join(out_dir, "factbook.vec")
    plot_path = os.path.join(out_dir, "capitals.png")
    try:  # the outputs are checked before training, not after it
        os.makedirs(out_dir, exist_ok=True)
    except OSError as error:
        raise EmbedError(f"{out_dir}: cannot create the output folder: {error.strerror or error}") from None
    for path in (vectors_path, plot_path):
        check_writable(path)
    corpus = corpus_path("factbook.txt.xz")
    print(f"training {config.arch} with {config.loss} loss on the CIA World Factbook ({corpus})")
    started = time.perf_counter()
    model = Word2Vec(config).build_vocab(corpus).train(corpus, progress=progress)
    seconds = time.perf_counter() - started
    vectors = model.wv
    words = sum(stats.words for stats in model.history)
    print(f"trained {words:,} words ({len(vectors):,} in the vocabulary) in {seconds:.1f} s")

    print("\nnearest neighbours")
    for word in SHOWN_WORDS:
        if word in vectors:
            near = ", ".join(w for w, _ in vectors.most_similar(word, topn=8))
            print(f"  {word:<10} {near}")

    print("\nanalogies (a is to b as c is to ?)")
    for a, b, c in SHOWN_ANALOGIES:
        if all(w in vectors for w in (a, b, c)):
            answers = ", ".join(w for w, _ in vectors.most_similar(positive=[b, c], negative=[a], topn=3))
            print(f"  {b} - {a} + {c} -> {answers}")

    pairs = capital_pairs(vectors, max_pairs=None)
    capital_share, country_share = neighbour_shares(vectors, pairs)
    print(
        f"\nof the 10 nearest neighbours of {len(pairs)} capitals, {100 * capital_share:.0f}% are capitals; "
        f"of {len(pairs)} countries, {100 * country_share:.0f}% are countries"
    )
    vectors.save_word2vec_format(vectors_path)
    projection = plot_capitals(vectors, plot_path)
    print(f"wrote {vectors_path} and the capital-country plot {plot_path}")
    return {
        "seconds": seconds,
        "capital_share": capital_share,
        "country_share": country_share,
        "projection": projection,
        "vectors": vectors,
    }
