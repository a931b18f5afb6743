"""The capital-country plot: Mikolov's pairs by default, labels that never overlap, a title
that names what drew it."""

import itertools
import os

import numpy as np
import pytest

from embed.cli import main
from embed.errors import EmbedError
from embed.vectors import Vectors
from embed.vectors import plot as plotting
from embed.vectors.plot import MIKOLOV_PAIRS, capital_pairs, plot_capitals, plot_words

def label_boxes(projection):
    """Every label's extent as Agg draws it, checked against the axes and the others."""
    renderer = projection.figure.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in projection.labels]
    assert [label.get_text() for label in projection.labels] == projection.words
    frame = projection.figure.axes[0].get_window_extent(renderer)
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    overlapping = [
        (projection.words[i], projection.words[j])
        for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2)
        if a.overlaps(b)
    ]
    assert overlapping == []
    return boxes


def mikolov_vectors(extra=(), dim=30, seed=0):
    """Each capital its country's vector plus one shared offset, as word2vec learns them."""
    rng = np.random.default_rng(seed)
    offset = rng.normal(size=dim)
    words, rows = [], []
    for capital, country in MIKOLOV_PAIRS:
        base = rng.normal(size=dim)
        words += [country, capital]
        rows += [base, base + 2 * offset + 0.3 * rng.normal(size=dim)]
    for word in extra:
        words.append(word)
        rows.append(rng.normal(size=dim))
    return Vectors(words, np.array(rows))


def test_the_default_is_mikolovs_figure_with_separate_labels(tmp_path):
    vectors = mikolov_vectors(extra=["london", "england", "cat"])
    projection = plot_capitals(vectors, tmp_path / "c.png", source="synthetic, d=30")
    assert (tmp_path / "c.png").stat().st_size > 20_000
    countries = [k for _, k in MIKOLOV_PAIRS]
    capitals = [c for c, _ in MIKOLOV_PAIRS]
    assert projection.words == countries + capitals and projection.note == ""
    axes = projection.figure.axes[0]
    assert axes.get_title() == "Countries (blue) and capitals (red), PCA of their vectors — synthetic, d=30"
    # Countries on the left, as in Mikolov's figure; blue and red; each pair joined.
    assert projection.points[:11, 0].mean() < projection.points[11:, 0].mean()
    colours = [label.get_color() for label in projection.labels]
    assert colours == ["tab:blue"] * 11 + ["tab:red"] * 11
    pair_lines = [line for line in axes.lines if line.get_color() == "0.6"]
    assert len(pair_lines) == 11
    ends = {tuple(np.round(np.column_stack(line.get_data()), 9).ravel()) for line in pair_lines}
    for country, capital in zip(countries, capitals):
        expected = tuple(np.round(np.concatenate([projection[country], projection[capital]]), 9))
        assert expected in ends
    label_boxes(projection)


def test_crowded_labels_are_pushed_apart_with_leader_lines(tmp_path):
    # Four words far out on two axes and eighteen within a hair of the middle: the eighteen
    # project to one pixel, and their labels must still not touch.
    rng = np.random.default_rng(1)
    words = [f"word{i:02d}" for i in range(22)]
    matrix = 1e-4 * rng.normal(size=(22, 5))
    matrix[:4, :2] = [[10, 0], [-10, 0], [0, 10], [0, -10]]
    vectors = Vectors(words, matrix)
    projection = plot_words(vectors, words, tmp_path / "w.png", lines=[("word00", "word01")], title="crowd")
    axes = projection.figure.axes[0]
    anchors = axes.transData.transform(projection.points)
    assert np.ptp(anchors[4:], axis=0).max() < 1.0  # the crowd really is on one spot
    boxes = label_boxes(projection)
    distances = [np.hypot(*(np.clip(a, [b.x0, b.y0], [b.x1, b.y1]) - a)) for a, b in zip(anchors, boxes)]
    assert max(distances) < 150  # pushed out of the crowd, not across the figure
    leaders = [line for line in axes.lines if line.get_color() != "0.6"]
    assert len(leaders) == sum(d > 10 for d in distances) >= 5
    # The same vectors give the same picture.
    again = plot_words(vectors, words, tmp_path / "w2.png", lines=[("word00", "word01")], title="crowd")
    assert [b.bounds for b in boxes] == [b.bounds for b in label_boxes(again)]
    assert [label.get_position() for label in again.labels] == [label.get_position() for label in projection.labels]


def test_frequent_pairs_when_mikolovs_are_missing_and_the_title_says_so(tmp_path):
    # Three of Mikolov's pairs and five others of questions-words.
    words = ["paris", "france", "rome", "italy", "berlin", "germany", "london", "england", "oslo", "norway",
             "cairo", "egypt", "havana", "cuba", "ottawa", "canada"]
    vectors = Vectors(words, np.random.default_rng(2).normal(size=(len(words), 12)))
    projection = plot_capitals(vectors, tmp_path / "c.png", max_pairs=6)
    assert projection.note.startswith("only 3 of the 11 pairs of Mikolov et al. 2013 are in the vocabulary")
    assert "the 6 most frequent pairs of questions-words instead" in projection.note
    title = projection.figure.axes[0].get_title().split("\n")
    assert " ".join(title[1:]) == f"({projection.note})"
    frequent = capital_pairs(vectors, max_pairs=6)
    assert projection.words == [k for _, k in frequent] + [c for c, _ in frequent]
    label_boxes(projection)

    asked = plot_capitals(vectors, tmp_path / "f.png", pairs="frequent", max_pairs=4)
    assert asked.note == "" and len(asked.words) == 8
    explicit = plot_capitals(vectors, tmp_path / "e.png", pairs=[("oslo", "norway"), ("cairo", "egypt")])
    assert explicit.words == ["norway", "egypt", "oslo", "cairo"]
    with pytest.raises(EmbedError, match="pairs must be 'mikolov', 'frequent' or a list"):
        plot_capitals(vectors, tmp_path / "x.png", pairs="gensim")
    with pytest.raises(KeyError, match="atlantis"):
        plot_capitals(vectors, tmp_path / "x.png", pairs=[("oslo", "norway"), ("atlantis", "egypt")])


def test_the_command_line_chooses_pairs_and_names_the_source(tmp_path, capsys, monkeypatch):
    drawn = []

    def spy(*args, **kwargs):
        drawn.append(plot_capitals(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(plotting, "plot_capitals", spy)
    vectors = mikolov_vectors(extra=["london", "england", "oslo", "norway", "cairo", "egypt"])
    vectors.save_word2vec_format(tmp_path / "fb.vec")
    assert main(["plot", str(tmp_path / "fb.vec"), "-o", str(tmp_path / "a.png")]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {tmp_path / 'a.png'} (11 capital-country pairs)"
    assert drawn[-1].figure.axes[0].get_title().endswith("PCA of their vectors — fb.vec")
    assert main(["plot", str(tmp_path / "fb.vec"), "-o", str(tmp_path / "b.png"), "--pairs", "frequent",
                 "--max-pairs", "3", "--title", "Factbook, skip-gram, d=30"]) == 0
    assert "(3 capital-country pairs)" in capsys.readouterr().out
    assert drawn[-1].figure.axes[0].get_title().endswith("PCA of their vectors — Factbook, skip-gram, d=30")

    few = Vectors(["paris", "france", "oslo", "norway", "cairo", "egypt"], np.eye(6))
    few.save_word2vec_format(tmp_path / "few.vec")
    assert main(["plot", str(tmp_path / "few.vec"), "-o", str(tmp_path / "c.png"), "--title", ""]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("note: only 1 of the 11 pairs of Mikolov et al. 2013") and "(3 capital-country" in out[1]
    title = drawn[-1].figure.axes[0].get_title()
    assert title.startswith("Countries (blue) and capitals (red), PCA of their vectors\n(only 1 of")


def test_the_format_follows_the_name_and_bad_plot_input_is_one_line_before_drawing(tmp_path, capsys):
    vectors = mikolov_vectors()
    # PNG data went into a file named .pdf.
    for name, starts in (("c.pdf", b"%PDF"), ("c.svg", b"<?xml"), ("c.png", b"\x89PNG"), ("c", b"\x89PNG"),
                         ("c_v1.5", b"\x89PNG")):  # an ending without a letter names no format
        plot_capitals(vectors, tmp_path / name)
        assert (tmp_path / name).read_bytes().startswith(starts)
    vectors.save_word2vec_format(tmp_path / "v.vec")
    assert main(["plot", str(tmp_path / "v.vec"), "-o", str(tmp_path / "cmd.svg")]) == 0
    assert (tmp_path / "cmd.svg").read_bytes().startswith(b"<?xml")
    before = sorted(os.listdir(tmp_path))
    assert main(["plot", str(tmp_path / "v.vec"), "-o", str(tmp_path / "c.txt")]) == 1
    assert capsys.readouterr().err.startswith(f"embed: error: {tmp_path / 'c.txt'}: a plot is written as .avif")
    words = ["paris", "france", "rome"]
    for call, message in (
            (lambda: plot_capitals(vectors, tmp_path / "c.txt"), "c.txt: a plot is written as .avif, "),
            (lambda: plot_words(vectors, words, tmp_path / "w.doc"), "w.doc: a plot is written as"),
            # pgf needs xelatex, and failed after the drawing with matplotlib's RuntimeError.
            (lambda: plot_words(vectors, words, tmp_path / "w.pgf"), "w.pgf: a plot is written as"),
            # 0 said the vocabulary had no pairs.
            (lambda: plot_capitals(vectors, tmp_path / "m.png", max_pairs=0),
             "max_pairs must be a whole number >= 1, or None for every pair, got 0"),
            # matplotlib's own errors named neither the colour nor the word.
            (lambda: plot_words(vectors, words, tmp_path / "w.png", colors=["red", "notacolour", "blue"]),
             "colors: 'notacolour' is not a colour matplotlib knows"),
            (lambda: plot_words(vectors, words, tmp_path / "w.png", colors="red"),
             "colors takes one colour per word, got the string 'red': pass ['red'] * 3"),
            (lambda: plot_words(vectors, words, tmp_path / "w.png", lines=[("paris", "berlin")]),
             "lines: 'berlin' is not one of the words plotted"),
            (lambda: plot_words(vectors, words, tmp_path / "w.png", lines=[("paris",)]),
             "lines are pairs of words, got ('paris',) as item 1"),
    ):
        with pytest.raises(EmbedError) as caught:
            call()
        assert message in str(caught.value)
    assert sorted(os.listdir(tmp_path)) == before


def test_lines_colors_and_pairs_of_the_wrong_kind_are_one_line(tmp_path):
    # Each was Python's "'int' object is not iterable"; a pair given twice was drawn twice.
    vectors = mikolov_vectors()
    words = ["paris", "france", "rome"]
    for call, message in (
            (lambda: plot_words(vectors, words, tmp_path / "w.png", lines=5), "lines takes a list of words, got int 5"),
            (lambda: plot_words(vectors, words, tmp_path / "w.png", lines=[5]), "lines are pairs of words, got 5 as item 1"),
            (lambda: plot_words(vectors, words, tmp_path / "w.png", colors=5), "colors takes one colour per word, got int 5"),
            (lambda: plot_capitals(vectors, tmp_path / "c.png", pairs=[5, 6]),
             "pairs must be (capital, country) pairs of two words each, got 5 as item 1"),
            # NumPy arrays of two columns were refused, after a pandas frame's .values, say.
            (lambda: plot_words(vectors, words, tmp_path / "w.png", lines=np.array([["paris", "rome"]])), None),
            (lambda: plot_capitals(vectors, tmp_path / "c.png", pairs=np.array([["paris", "france"], ["rome", "italy"]])),
             None),
    ):
        if message is None:
            call()
            continue
        with pytest.raises(EmbedError) as caught:
            call()
        assert str(caught.value) == message
    twice = plot_capitals(vectors, tmp_path / "c.png", pairs=[("paris", "france"), ("rome", "italy")] * 2)
    assert twice.words == ["france", "italy", "paris", "rome"]
