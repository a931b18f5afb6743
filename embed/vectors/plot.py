"""PCA pictures of word vectors, above all the capital-country figure of Mikolov et al. 2013."""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ..errors import EmbedError, described, is_whole
from .atomic import atomic_write, check_writable
from .evaluate import check_vectors, read_analogies
from .word_vectors import Vectors, word_list, word_pairs

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

CAPITAL_SECTIONS = ("capital-common-countries", "capital-world")

# (capital, country), top to bottom as in Figure 2 of Mikolov, Sutskever, Chen, Corrado and
# Dean, "Distributed Representations of Words and Phrases and their Compositionality" (2013).
MIKOLOV_PAIRS: tuple[tuple[str, str], ...] = (
    ("beijing", "china"), ("moscow", "russia"), ("tokyo", "japan"), ("ankara", "turkey"),
    ("warsaw", "poland"), ("berlin", "germany"), ("paris", "france"), ("rome", "italy"),
    ("athens", "greece"), ("madrid", "spain"), ("lisbon", "portugal"),
)
# With fewer, the picture says little about a shared capital-country offset.
MIN_MIKOLOV_PAIRS = 4


@dataclass(frozen=True)
class Projection:
    """Words on their first two principal components, and the figure drawn from them.

    ``figure`` is the matplotlib Figure a plot function drew and saved (None from
    :func:`project`); it is laid out in pixels for its own dpi, so save it again at that
    dpi. ``note`` says what the plot did other than asked (see :func:`plot_capitals`).

    >>> v = Vectors(["a", "b", "c"], np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3]], dtype=np.float32))
    >>> p = project(v, ["a", "b", "c"])
    >>> p["b"].shape, p.figure is None, p.labels
    ((2,), True, [])
    """

    words: list[str]
    points: np.ndarray  # len(words) x 2, PCA coordinates
    explained: tuple[float, float]  # share of variance on each axis
    note: str = ""
    figure: Figure | None = field(default=None, repr=False, compare=False)

    def __getitem__(self, word: str) -> np.ndarray:
        return self.points[self.words.index(word)]

    @property
    def labels(self) -> list[Text]:
        """The word labels drawn on ``figure``, in the order of ``words`` (none without a figure)."""
        return [] if self.figure is None else list(self.figure.axes[0].texts)


def project(vectors: Vectors, words: Sequence[str]) -> Projection:
    """The words' vectors on their first two principal components.

    >>> v = Vectors(["a", "b", "c"], np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3]], dtype=np.float32))
    >>> project(v, ["a", "b", "c"]).points.shape
    (3, 2)
    """
    from sklearn.decomposition import PCA

    check_vectors(vectors, "a PCA plot")
    words = word_list(words, "a PCA plot")
    if len(words) < 3:
        raise EmbedError(f"a PCA plot needs at least 3 words, got {len(words)}")
    if vectors.dim < 2:  # scikit-learn's "n_components=2 must be between 0 and ..."
        raise EmbedError(f"a PCA plot needs vectors of at least 2 dimensions, these have {vectors.dim}")
    matrix = np.array([vectors[w] for w in words], dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(matrix).all(axis=1))
    if bad.size:  # scikit-learn's "Input X contains NaN"
        raise EmbedError(f"a PCA plot: the vector of {words[bad[0]]!r} has a value that is NaN or infinite")
    pca = PCA(n_components=2, random_state=0)
    points = pca.fit_transform(matrix)
    return Projection(words, points, tuple(float(x) for x in pca.explained_variance_ratio_))


def capital_pairs(
    vectors: Vectors, analogies: str | os.PathLike | None = None, max_pairs: int | None = 30
) -> list[tuple[str, str]]:
    """(capital, country) pairs from the capital sections of questions-words, both in the vocabulary.

    With ``max_pairs``, the pairs whose rarer word is most frequent are kept, so the
    picture shows the best-trained vectors.

    >>> v = Vectors(["paris", "france", "rome", "italy", "cat"], np.eye(5, dtype=np.float32))
    >>> capital_pairs(v, max_pairs=1)
    [('paris', 'france')]
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


def mikolov_pairs(vectors: Vectors) -> list[tuple[str, str]]:
    """The (capital, country) pairs of Mikolov et al. 2013's figure with both words in the vocabulary.

    >>> v = Vectors(["paris", "france", "rome", "italy", "cat"], np.eye(5, dtype=np.float32))
    >>> mikolov_pairs(v)
    [('paris', 'france'), ('rome', 'italy')]
    """
    return [(c, k) for c, k in MIKOLOV_PAIRS if c in vectors and k in vectors]


def plot_words(
    vectors: Vectors,
    words: Sequence[str],
    path: str | os.PathLike,
    colors: Sequence[str] | None = None,
    lines: Sequence[tuple[str, str]] = (),
    title: str = "",
) -> Projection:
    """Project ``words`` with PCA and save a labelled scatter plot, as PNG or as the
    name's ending says (``figure_format``: .pdf, .svg, ...).

    ``lines`` joins pairs of words; ``colors`` gives one colour per word. No two labels
    overlap: each sits beside its point where there is room, and one pushed away from a
    crowd gets a thin leader line back to its point. The returned Projection carries the
    figure (``projection.figure``, ``projection.labels``).

    >>> import tempfile
    >>> v = Vectors(["cat", "dog", "saw"], np.array([[1, 0, 0], [1, .2, 0], [0, 0, 1]], dtype=np.float32))
    >>> p = plot_words(v, ["cat", "dog", "saw"], os.path.join(tempfile.mkdtemp(), "w.png"))
    >>> [label.get_text() for label in p.labels]
    ['cat', 'dog', 'saw']
    """
    figure_format(path)  # before the projection's work
    return _draw(project(vectors, word_list(words, "plot_words")), path, colors, lines, title)


def plot_capitals(
    vectors: Vectors,
    path: str | os.PathLike,
    pairs: str | Sequence[tuple[str, str]] = "mikolov",
    max_pairs: int | None = 30,
    source: str = "",
) -> Projection:
    """The capital-country figure: countries in blue, capitals in red, each pair joined.

    ``pairs`` chooses the (capital, country) pairs:

    - ``"mikolov"`` (the default): those of Mikolov et al. 2013's figure (china-beijing,
      russia-moscow, ..., portugal-lisbon: ``MIKOLOV_PAIRS``) with both words in the
      vocabulary. If fewer than ``MIN_MIKOLOV_PAIRS`` (4) are, the plot draws the frequent
      pairs instead, and says so in a second line of its title and in ``Projection.note``;
    - ``"frequent"``: the ``max_pairs`` most frequent pairs of the capital sections of the
      bundled Google analogy set (:func:`capital_pairs`), the default before Mikolov's pairs;
    - a list of (capital, country) pairs.

    ``source`` names the corpus and model, for the title: "Countries (blue) and capitals
    (red), PCA of their vectors — <source>". The first principal component is turned so
    that countries lie left of capitals on average, as in Mikolov's figure. The returned
    Projection lists the countries, then the capitals, in the order of the pairs.

    >>> import tempfile
    >>> rng = np.random.default_rng(0)
    >>> words = [w for pair in MIKOLOV_PAIRS for w in pair]
    >>> v = Vectors(words, rng.normal(size=(len(words), 10)))
    >>> p = plot_capitals(v, os.path.join(tempfile.mkdtemp(), "c.png"), source="random vectors, d=10")
    >>> p.words[:3], len(p.words), p.note
    (['china', 'russia', 'japan'], 22, '')
    >>> p.figure.axes[0].get_title()
    'Countries (blue) and capitals (red), PCA of their vectors — random vectors, d=10'
    """
    figure_format(path)
    check_vectors(vectors, "plot_capitals")
    if max_pairs is not None and not is_whole(max_pairs):
        # 0 said "found 0 pairs in the vocabulary", of a vocabulary that has them.
        raise EmbedError(f"max_pairs must be a whole number >= 1, or None for every pair, got {max_pairs!r}")
    note = ""
    if isinstance(pairs, str):
        if pairs == "mikolov":
            chosen = mikolov_pairs(vectors)
            if len(chosen) < MIN_MIKOLOV_PAIRS:
                frequent = capital_pairs(vectors, max_pairs=max_pairs)
                note = (
                    f"only {len(chosen)} of the {len(MIKOLOV_PAIRS)} pairs of Mikolov et al. 2013 are in the "
                    f"vocabulary: the {len(frequent)} most frequent pairs of questions-words instead"
                )
                chosen = frequent
        elif pairs == "frequent":
            chosen = capital_pairs(vectors, max_pairs=max_pairs)
        else:
            raise EmbedError(
                f"pairs must be 'mikolov', 'frequent' or a list of (capital, country) pairs, got {pairs!r}"
            )
    else:
        # A pair given twice was drawn twice.
        chosen = list(dict.fromkeys(word_pairs(pairs, "pairs", "pairs must be (capital, country) pairs of two words each")))
    for capital, country in chosen:
        vectors.get_index(capital)
        vectors.get_index(country)
    if len(chosen) < 2:
        raise EmbedError(f"the capital-country plot needs at least 2 pairs in the vocabulary, found {len(chosen)}")
    countries = [k for _, k in chosen]
    capitals = [c for c, _ in chosen]
    projection = project(vectors, countries + capitals)
    half = len(countries)
    # PCA's signs are arbitrary; Mikolov's figure has the countries on the left.
    if projection.points[:half, 0].mean() > projection.points[half:, 0].mean():
        projection = replace(projection, points=projection.points * np.array([-1.0, 1.0]))
    title = "Countries (blue) and capitals (red), PCA of their vectors" + (f" — {source}" if source else "")
    title_lines = [title, f"({note})"] if note else [title]
    title = "\n".join(textwrap.fill(line, 100, break_on_hyphens=False) for line in title_lines)
    projection = replace(projection, note=note)
    return _draw(
        projection,
        path,
        colors=["tab:blue"] * half + ["tab:red"] * half,
        lines=[(k, c) for c, k in chosen],
        title=title,
    )


_FONT_SIZE = 9
_MARKER_HALF = 4.0  # pixels: half the side of the square a scatter marker (s=18 at 110 dpi) covers
_GAP = 4.0  # pixels between a point and a label beside it, enough to clear the marker
_PAD = 2.0  # pixels that must separate two labels, so that rounding never makes them touch
_LEADER = 2.5 * _GAP  # pixels from its point beyond which the eye may not pair a label with it


def _draw(
    projection: Projection,
    path: str | os.PathLike,
    colors: Sequence[str] | None,
    lines: Sequence[tuple[str, str]],
    title: str,
) -> Projection:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from matplotlib.colors import is_color_like

    words, points = projection.words, projection.points
    if isinstance(colors, str):  # taken letter by letter, and 'r' is a colour
        raise EmbedError(f"colors takes one colour per word, got the string {colors!r}: pass [{colors!r}] * "
                         f"{len(words)}")
    if colors is not None and not isinstance(colors, Iterable):
        raise EmbedError(f"colors takes one colour per word, got {described(colors)}")
    colors = list(colors) if colors is not None else ["tab:blue"] * len(words)
    if len(colors) != len(words):
        raise EmbedError(f"expected one colour per word ({len(words)}), got {len(colors)}")
    # Before drawing: matplotlib's own errors named neither the colour nor the word.
    bad = next((color for color in colors if not is_color_like(color)), None)
    if bad is not None:
        raise EmbedError(f"colors: {bad!r} is not a colour matplotlib knows (a name such as 'red' or 'tab:blue', "
                         "or '#1f77b4')")
    lines = word_pairs(lines, "lines", "lines are pairs of words")
    for pair in lines:
        unknown = next((word for word in pair if word not in words), None)
        if unknown is not None:
            raise EmbedError(f"lines: {unknown!r} is not one of the words plotted")
    figure = Figure(figsize=(10, 8), dpi=110)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    ends = np.array([(projection[a], projection[b]) for a, b in lines]).reshape(-1, 2, 2)
    for (x0, y0), (x1, y1) in ends:
        axes.plot([x0, x1], [y0, y1], color="0.6", linewidth=0.8, zorder=1)
    axes.scatter(points[:, 0], points[:, 1], c=colors, s=18, zorder=3)
    # Room around the points for the labels of those at the edge.
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    axes.set_xlim(low[0] - 0.12 * span[0], high[0] + 0.12 * span[0])
    axes.set_ylim(low[1] - 0.08 * span[1], high[1] + 0.08 * span[1])
    first, second = projection.explained
    axes.set_xlabel(f"PC 1 ({100 * first:.0f}% of variance)")
    axes.set_ylabel(f"PC 2 ({100 * second:.0f}% of variance)")
    if title:
        axes.set_title(title, fontsize=11)
    # The labels are placed in pixels, so the layout must be final before they are measured.
    figure.tight_layout()
    renderer = canvas.get_renderer()
    labels = [
        axes.text(x, y, word, fontsize=_FONT_SIZE, color=color, ha="left", va="bottom", zorder=4)
        for word, (x, y), color in zip(words, points, colors)
    ]
    sizes = np.array([[box.width, box.height] for box in (t.get_window_extent(renderer) for t in labels)])
    to_pixels, to_data = axes.transData, axes.transData.inverted()
    anchors = to_pixels.transform(points)
    segments = to_pixels.transform(ends.reshape(-1, 2)).reshape(-1, 2, 2)
    corners = _place_labels(anchors, sizes, axes.bbox.extents, segments)
    for label, anchor, corner, size, color in zip(labels, anchors, corners, sizes, colors):
        label.set_position(to_data.transform(corner))
        nearest = np.clip(anchor, corner, corner + size)
        if np.hypot(*(nearest - anchor)) > _LEADER:
            (x0, y0), (x1, y1) = to_data.transform(np.array([anchor, nearest]))
            axes.plot([x0, x1], [y0, y1], color=color, linewidth=0.5, alpha=0.6, zorder=2)
    save_figure(figure, path)
    return replace(projection, figure=figure)


def figure_format(path: str | os.PathLike) -> str:
    """The format a plot at ``path`` is written in, by its name's ending: PNG where it
    has none, else one matplotlib writes (pdf, svg, jpg, ...); checked before any work,
    with the output's path (PNG data went into a file named .pdf).

    >>> figure_format("capitals.png"), figure_format("capitals.PDF"), figure_format("capitals_v1.5")
    ('png', 'pdf', 'png')
    >>> figure_format("capitals.txt")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: capitals.txt: a plot is written as .avif, .eps, ..., .webp by its name's ending; not .txt
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    check_writable(path)
    name = os.fspath(path)
    ending = os.path.splitext(name)[1].lower().lstrip(".")
    if not any(letter.isalpha() for letter in ending):  # capitals_v1.5, loss.2024-01-01: no format named
        ending = ""
    # Not pgf (it needs xelatex, and failed after the drawing), nor raw or rgba (no image file).
    known = sorted(set(FigureCanvasAgg.get_supported_filetypes()) - {"pgf", "raw", "rgba"})
    if ending and ending not in known:
        raise EmbedError(f"{name}: a plot is written as {', '.join('.' + k for k in known)} by its name's "
                         f"ending; not .{ending}")
    return ending or "png"


def save_figure(figure: Figure, path: str | os.PathLike) -> None:
    """Write ``figure`` at its own dpi, as ``figure_format`` says, atomically: rendered
    in memory first, so a failed drawing leaves the old file whole.

    >>> save_figure(plot_words(v, words, "w.png").figure, "again.svg")  # doctest: +SKIP
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format=figure_format(path), dpi=figure.dpi)
    with atomic_write(path, "wb") as stream:
        stream.write(buffer.getvalue())


def _place_labels(
    anchors: np.ndarray, sizes: np.ndarray, frame: Sequence[float], segments: np.ndarray | None = None
) -> np.ndarray:
    """Lower-left corners, in pixels, for labels of ``sizes`` beside their ``anchors``, no two
    overlapping and all inside ``frame`` (x0, y0, x1, y1) where it has room.

    Greedy and deterministic: the most crowded labels choose first, each the cheapest spot on
    rings of growing distance around its point. A spot costs its ring, plus a little for being
    above or below rather than beside, plus some for covering another point, a pair's line or
    a leader line, or for a leader line of its own through a label; overlapping a label
    already placed or leaving the frame is all but forbidden.

    >>> _place_labels(np.array([[50.0, 50.0], [50.0, 50.0]]), np.array([[20.0, 10.0], [20.0, 10.0]]),
    ...               (0, 0, 100, 100)).round().tolist()
    [[54.0, 45.0], [26.0, 45.0]]
    """
    anchors = np.asarray(anchors, dtype=np.float64).reshape(-1, 2)
    sizes = np.asarray(sizes, dtype=np.float64).reshape(-1, 2)
    segments = np.zeros((0, 2, 2)) if segments is None else np.asarray(segments, dtype=np.float64).reshape(-1, 2, 2)
    x0, y0, x1, y1 = frame
    n = len(anchors)
    markers = np.hstack([anchors - _MARKER_HALF, anchors + _MARKER_HALF])
    near = (np.abs(anchors[:, None, :] - anchors[None, :, :]) < 60).all(axis=-1).sum(axis=1)
    step = max(0.6 * sizes[:, 1].max(initial=0.0), 1.0)
    last_ring = int(np.hypot(x1 - x0, y1 - y0) / step) + 1
    placed, placed_leaders = np.zeros((0, 4)), np.zeros((0, 2, 2))
    corners = np.zeros((n, 2))
    for i in sorted(range(n), key=lambda i: (-near[i], i)):
        (ax, ay), (w, h) = anchors[i], sizes[i]
        others = np.delete(markers, i, axis=0)
        best_cost, best, leader = np.inf, np.array([ax + _GAP, ay - h / 2]), None
        for ring in range(last_ring + 1):
            if ring >= best_cost:  # no spot further out can cost less
                break
            theta = 2 * np.pi * np.arange(8 * (ring + 1)) / (8 * (ring + 1))
            cos, sin = np.cos(theta), np.sin(theta)
            r = _GAP + ring * step
            # Slide the box so that its side or corner facing the point is r away: at ring 0 the
            # eight classic spots (right, above-right, above, ...), beyond them rings of those.
            left = ax + r * cos - w / 2 + w / 2 * np.clip(cos * np.sqrt(2), -1, 1)
            bottom = ay + r * sin - h / 2 + h / 2 * np.clip(sin * np.sqrt(2), -1, 1)
            boxes = np.stack([left, bottom, left + w, bottom + h], axis=1)
            outside = (left < x0 + _PAD) | (bottom < y0 + _PAD) | (left + w > x1 - _PAD) | (bottom + h > y1 - _PAD)
            nearest = np.clip(anchors[i], boxes[:, :2], boxes[:, 2:])
            leaders = np.stack([np.broadcast_to(anchors[i], nearest.shape), nearest], axis=1)
            drawn = np.hypot(*(nearest - anchors[i]).T) > _LEADER
            cost = (
                ring
                + 0.3 * np.abs(sin)
                + 1e3 * _overlaps(boxes, placed, _PAD).sum(axis=1)
                + 1e6 * outside
                + 3.0 * _overlaps(boxes, others, 0.0).sum(axis=1)
                + 2.0 * _crossings(boxes, np.concatenate([segments, placed_leaders])).sum(axis=1)
                + 2.0 * drawn * _crossings(placed, leaders).sum(axis=0)
            )
            k = int(np.argmin(cost))
            if cost[k] < best_cost:
                best_cost, best, leader = float(cost[k]), boxes[k, :2], leaders[k] if drawn[k] else None
        corners[i] = best
        placed = np.vstack([placed, [*best, best[0] + w, best[1] + h]])
        if leader is not None:
            placed_leaders = np.vstack([placed_leaders, leader[None]])
    return corners


def _overlaps(boxes: np.ndarray, others: np.ndarray, pad: float) -> np.ndarray:
    """boxes x others: whether each pair of (x0, y0, x1, y1) boxes comes closer than ``pad``."""
    b, o = boxes[:, None, :], others[None, :, :]
    return (
        (b[..., 0] < o[..., 2] + pad) & (o[..., 0] < b[..., 2] + pad)
        & (b[..., 1] < o[..., 3] + pad) & (o[..., 1] < b[..., 3] + pad)
    )


def _crossings(boxes: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """boxes x segments: whether each segment (start, end) passes through each box (Liang-Barsky clipping)."""
    if len(segments) == 0 or len(boxes) == 0:
        return np.zeros((len(boxes), len(segments)), dtype=bool)
    start, delta = segments[:, 0], segments[:, 1] - segments[:, 0]  # segments x 2
    low, high = boxes[:, None, :2], boxes[:, None, 2:]  # boxes x 1 x 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t0, t1 = (low - start) / delta, (high - start) / delta
    # A segment parallel to an axis is within that slab for every t, or for none.
    flat = np.broadcast_to(delta == 0, t0.shape)
    within = (start >= low) & (start <= high)
    enter = np.where(flat, np.where(within, -np.inf, np.inf), np.minimum(t0, t1)).max(axis=-1)
    leave = np.where(flat, np.where(within, np.inf, -np.inf), np.maximum(t0, t1)).min(axis=-1)
    return np.maximum(enter, 0.0) <= np.minimum(leave, 1.0)
