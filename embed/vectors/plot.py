"""PCA pictures of word vectors, above all the capital-country figure of Mikolov et al. 2013."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import EmbedError
from .atomic import atomic_write
from .evaluate import read_analogies
from .word_vectors import Vectors

CAPITAL_SECTIONS = ("capital-common-countries", "capital-world")


@dataclass(frozen=True)
class Projection:
    words: list[str]
    points: np.ndarray  # len(words) x 2, PCA coordinates
    explained: tuple[float, float]  # share of variance on each axis

    def __getitem__(self, word: str) -> np.ndarray:
        return self.points[self.words.index(word)]


def project(vectors: Vectors, words: Sequence[str]) -> Projection:
    """The words' vectors on their first two principal components.

    >>> v = Vectors(["a", "b", "c"], np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3]], dtype=np.float32))
    >>> project(v, ["a", "b", "c"]).points.shape
    (3, 2)
    """
    from sklearn.decomposition import PCA

    words = list(words)
    if len(words) < 3:
        raise EmbedError(f"a PCA plot needs at least 3 words, got {len(words)}")
    matrix = np.array([vectors[w] for w in words], dtype=np.float64)
    pca = PCA(n_components=2, random_state=0)
    points = pca.fit_transform(matrix)
    return Projection(words, points, tuple(float(x) for x in pca.explained_variance_ratio_))


def capital_pairs(vectors: Vectors, analogies: str | os.PathLike | None = None, max_pairs: int | None = 30):
    """(capital, country) pairs from the capital sections of questions-words, both in the vocabulary.

    With ``max_pairs``, the pairs whose rarer word is most frequent are kept, so the
    picture shows the best-trained vectors.
    """
    from ..data import bundled as corpus_path

    pairs: dict[tuple[str, str], None] = {}
    for name, questions in read_analogies(analogies or corpus_path("questions-words.txt")):
        if name in CAPITAL_SECTIONS:
            for a, b, c, d in questions:
                pairs[(a.lower(), b.lower())] = None
                pairs[(c.lower(), d.lower())] = None
    known = [(c, k) for c, k in pairs if c in vectors and k in vectors]
    capitals = [c for c, _ in known]
    # A word may be the capital of one pair only; a country likewise (Google's set has none twice).
    known = [(c, k) for c, k in known if capitals.count(c) == 1]
    if max_pairs is not None:
        known.sort(key=lambda pair: max(vectors.get_index(pair[0]), vectors.get_index(pair[1])))
        known = known[:max_pairs]
    return known


def plot_words(
    vectors: Vectors,
    words: Sequence[str],
    path: str | os.PathLike,
    colors: Sequence[str] | None = None,
    lines: Sequence[tuple[str, str]] = (),
    title: str = "",
) -> Projection:
    """Project ``words`` with PCA and save a labelled scatter plot as PNG.

    ``lines`` joins pairs of words; ``colors`` gives one colour per word.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    projection = project(vectors, words)
    colors = list(colors) if colors is not None else ["tab:blue"] * len(words)
    figure = Figure(figsize=(10, 8), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for a, b in lines:
        (x0, y0), (x1, y1) = projection[a], projection[b]
        axes.plot([x0, x1], [y0, y1], color="0.6", linewidth=0.8, zorder=1)
    axes.scatter(projection.points[:, 0], projection.points[:, 1], c=colors, s=18, zorder=2)
    for word, (x, y), color in zip(projection.words, projection.points, colors):
        axes.annotate(word, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=8, color=color)
    first, second = projection.explained
    axes.set_xlabel(f"PC 1 ({100 * first:.0f}% of variance)")
    axes.set_ylabel(f"PC 2 ({100 * second:.0f}% of variance)")
    if title:
        axes.set_title(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    with atomic_write(path, "wb") as stream:
        stream.write(buffer.getvalue())
    return projection


def plot_capitals(
    vectors: Vectors,
    path: str | os.PathLike,
    pairs: Sequence[tuple[str, str]] | None = None,
    max_pairs: int | None = 30,
) -> Projection:
    """The capital-country figure: countries and capitals in two colours, each pair joined.

    ``pairs`` are (capital, country); by default they come from the capital sections of
    the bundled Google analogy set.
    """
    pairs = list(pairs) if pairs is not None else capital_pairs(vectors, max_pairs=max_pairs)
    for capital, country in pairs:
        vectors.get_index(capital)
        vectors.get_index(country)
    if len(pairs) < 2:
        raise EmbedError(f"the capital-country plot needs at least 2 pairs in the vocabulary, found {len(pairs)}")
    if vectors.dim < 2:
        raise EmbedError(f"a PCA plot needs vectors of at least 2 dimensions, these have {vectors.dim}")
    countries = [k for _, k in pairs]
    capitals = [c for c, _ in pairs]
    return plot_words(
        vectors,
        countries + capitals,
        path,
        colors=["tab:blue"] * len(countries) + ["tab:red"] * len(capitals),
        lines=pairs,
        title="Countries (blue) and capitals (red): PCA of their vectors",
    )
