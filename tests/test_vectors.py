"""Queries, word2vec file formats and evaluation: checked against plain NumPy and known
bytes always, and against gensim (an optional peer) where it is installed."""

import os
import re

import numpy as np
import pytest

import embed

from embed.data import bundled as corpus_path
from embed.errors import EmbedError, UnknownWordError
from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs, read_word_pairs
from embed.vectors.formats import load_word2vec_format, save_word2vec_format
from embed.plot import plot_words
from embed.vectors import Vectors

try:
    from gensim.models import KeyedVectors
except ImportError:  # the tests that compare with gensim skip; the others run
    KeyedVectors = None
needs_gensim = pytest.mark.skipif(KeyedVectors is None, reason="gensim, an optional peer, is not installed")


def random_vectors(words, dim=16, seed=0):
    return Vectors(words, np.random.default_rng(seed).normal(size=(len(words), dim)).astype(np.float32))


def as_gensim(vectors):
    kv = KeyedVectors(vectors.dim)
    kv.add_vectors(vectors.words, vectors.vectors)
    return kv


def analogy_vocabulary():
    words = []
    with open(corpus_path("questions-words.txt")) as f:
        for line in f:
            if not line.startswith(":"):
                for w in line.lower().split():
                    if w not in words:
                        words.append(w)
    return words


def test_queries_follow_the_cosine_definitions():
    vectors = random_vectors([f"w{i}" for i in range(300)])
    unit = vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    # most_similar: cosine with the normalised mean of unit positives and negated unit negatives.
    mean = (unit[1] + unit[2] - unit[3]) / 3
    scores = unit @ (mean / np.linalg.norm(mean))
    order = [i for i in np.argsort(-scores, kind="stable") if i not in (1, 2, 3)][:7]
    ours = vectors.most_similar(["w1", "w2"], ["w3"], topn=7)
    assert [w for w, _ in ours] == [f"w{i}" for i in order]
    np.testing.assert_allclose([s for _, s in ours], scores[order], atol=1e-5)
    # 3CosMul (Levy and Goldberg 2014): cosines shifted to [0, 1], b * c / (a + 0.000001).
    shifted = (unit @ unit.T + 1) / 2
    cosmul = shifted[1] * shifted[2] / (shifted[3] + 1e-6)
    best = [i for i in np.argsort(-cosmul, kind="stable") if i not in (1, 2, 3)][:5]
    assert [w for w, _ in vectors.most_similar_cosmul(["w1", "w2"], ["w3"], topn=5)] == [f"w{i}" for i in best]
    assert vectors.similarity("w5", "w6") == pytest.approx(float(unit[5] @ unit[6]), abs=1e-6)
    np.testing.assert_allclose(vectors.distances("w1", ["w2", "w3"]), 1 - unit[[2, 3]] @ unit[1], atol=1e-6)
    # rank_by_centrality: unit vectors dotted with their normalised mean, the most central first.
    mean = unit[[1, 2, 3]].mean(axis=0)
    central = unit[[1, 2, 3]] @ (mean / np.linalg.norm(mean))
    ranked = vectors.rank_by_centrality(["w1", "w2", "w3"])
    assert [w for _, w in ranked] == [f"w{i + 1}" for i in np.argsort(-central)]
    np.testing.assert_allclose([s for s, _ in ranked], np.sort(central)[::-1], atol=1e-6)
    with pytest.raises(UnknownWordError):
        vectors.rank_by_centrality(["w1", "zz"])  # gensim leaves it out, as doesnt_match does
    with pytest.raises(EmbedError, match="^rank_by_centrality needs at least one word$"):
        vectors.rank_by_centrality([])


@needs_gensim
def test_queries_equal_gensim():
    vectors = random_vectors([f"w{i}" for i in range(300)])
    kv = as_gensim(vectors)
    for positive, negative in [(["w1"], []), (["w1", "w2"], ["w3"]), ([], ["w4"])]:
        ours = vectors.most_similar(positive, negative, topn=7)
        theirs = kv.most_similar(positive=positive, negative=negative, topn=7)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    ours = vectors.most_similar_cosmul(["w1", "w2"], ["w3"], topn=5)
    theirs = kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    assert vectors.similarity("w5", "w6") == pytest.approx(float(kv.similarity("w5", "w6")), abs=1e-6)
    assert vectors.doesnt_match(["w1", "w2", "w3", "w4"]) == kv.doesnt_match(["w1", "w2", "w3", "w4"])
    for use_norm in (True, False):
        ours = vectors.rank_by_centrality(["w1", "w2", "w3", "w4", "w5"], use_norm=use_norm)
        theirs = kv.rank_by_centrality(["w1", "w2", "w3", "w4", "w5"], use_norm=use_norm)
        assert [w for _, w in ours] == [w for _, w in theirs]
        np.testing.assert_allclose([s for s, _ in ours], [s for s, _ in theirs], rtol=1e-5)
    assert vectors.rank("w1", "w9") == kv.rank("w1", "w9")
    assert vectors.n_similarity(["w1", "w2"], ["w3"]) == pytest.approx(float(kv.n_similarity(["w1", "w2"], ["w3"])), abs=1e-6)
    np.testing.assert_allclose(vectors.distances("w1", ["w2", "w3"]), kv.distances("w1", ["w2", "w3"]), atol=1e-6)


@needs_gensim
def test_gensims_keyedvectors_names_answer_as_gensim_does():
    vectors = random_vectors([f"w{i}" for i in range(200)])
    kv = as_gensim(vectors)
    assert vectors.index_to_key == kv.index_to_key and vectors.key_to_index == kv.key_to_index
    assert vectors.vector_size == kv.vector_size
    assert vectors.has_index_for("w3") == kv.has_index_for("w3") and vectors.has_index_for("zz") == kv.has_index_for("zz")
    np.testing.assert_array_equal(vectors.vectors, kv.vectors)
    for norm in (False, True):
        np.testing.assert_allclose(vectors.get_vector("w7", norm=norm), kv.get_vector("w7", norm=norm), rtol=1e-6)
    np.testing.assert_array_equal(vectors[["w1", "w2"]], kv[["w1", "w2"]])
    vectors.fill_norms()
    kv.fill_norms()
    np.testing.assert_allclose(vectors.norms, kv.norms, rtol=1e-6)
    np.testing.assert_allclose(vectors.get_normed_vectors(), kv.get_normed_vectors(), rtol=1e-5, atol=1e-7)
    ours, theirs = vectors.similar_by_word("w4", topn=5), kv.similar_by_word("w4", topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    assert vectors.closer_than("w1", "w9") == kv.closer_than("w1", "w9")
    assert vectors.most_similar_to_given("w1", ["w5", "w6", "w7"]) == kv.most_similar_to_given("w1", ["w5", "w6", "w7"])
    assert vectors.distance("w1", "w2") == pytest.approx(float(kv.distance("w1", "w2")), abs=1e-6)
    np.testing.assert_allclose(vectors.distances("w1"), kv.distances("w1"), atol=1e-6)
    raw = np.linspace(-1, 1, vectors.dim).astype(np.float32)
    for keys, weights, pre, post in [(["w1", "w2"], None, True, False), (["w1", "w2", "zz"], [2.0, -1.0, 5.0], True, True),
                                     (["w3", raw], [0.5, 1.5], False, False), (["w3", raw], None, True, True)]:
        np.testing.assert_allclose(
            vectors.get_mean_vector(keys, weights=weights, pre_normalize=pre, post_normalize=post),
            kv.get_mean_vector(keys, weights=weights, pre_normalize=pre, post_normalize=post), rtol=1e-5, atol=1e-6)
    with pytest.raises(UnknownWordError):
        vectors.get_mean_vector(["w1", "zz"], ignore_missing=False)
    with pytest.raises(KeyError):
        kv.get_mean_vector(["w1", "zz"], ignore_missing=False)
    assert vectors.similar_by_key("w4", topn=5) == ours
    for topn in (1, 10):
        assert vectors.relative_cosine_similarity("w1", "w2", topn=topn) == pytest.approx(
            kv.relative_cosine_similarity("w1", "w2", topn=topn), rel=1e-5)
    np.testing.assert_allclose(Vectors.cosine_similarities(raw, vectors.vectors[:20]),
                               KeyedVectors.cosine_similarities(raw, vectors.vectors[:20]), rtol=1e-5)
    counted = Vectors(vectors.words, vectors.vectors, counts=range(200, 0, -1))
    kv.set_vecattr("w3", "count", 197)
    assert counted.get_vecattr("w3", "count") == kv.get_vecattr("w3", "count") == 197


@needs_gensim
def test_vectors_for_all_cuts_the_vocabulary_as_gensims_does():
    vectors = Vectors([f"w{i}" for i in range(50)], np.random.default_rng(3).normal(size=(50, 8)).astype(np.float32),
                      counts=range(50, 0, -1))
    kv = as_gensim(vectors)
    for i in range(50):
        kv.set_vecattr(f"w{i}", "count", 50 - i)
    keys = ["w7", "zz", "w3", "w7", "w40"]
    for copy in (False, True):
        ours, theirs = vectors.vectors_for_all(keys, copy_vecattrs=copy), kv.vectors_for_all(keys, copy_vecattrs=copy)
        assert ours.index_to_key == theirs.index_to_key == ["w7", "w3", "w40"]
        np.testing.assert_array_equal(ours.vectors, theirs.vectors)
        if copy:
            assert [ours.get_vecattr(w, "count") for w in ours.words] == [theirs.get_vecattr(w, "count")
                                                                         for w in theirs.index_to_key]
    assert ours.most_similar("w7", topn=2) == vectors.vectors_for_all(["w7", "w3", "w40"]).most_similar("w7", topn=2)
    assert len(vectors.vectors_for_all(["zz"])) == 0
    with pytest.raises(EmbedError, match=r"^vectors_for_all: words are strings, got int 5 \(word 2\)$"):
        vectors.vectors_for_all(["w1", 5])  # gensim takes a number for a row
    with pytest.raises(EmbedError, match=r"^vectors_for_all takes a list of words, got the string 'w1': pass \['w1'\]$"):
        vectors.vectors_for_all("w1")


def test_a_mapped_vectors_file_answers_as_the_vectors_in_memory(tmp_path):
    vectors = Vectors([f"w{i}" for i in range(300)],
                      np.random.default_rng(1).normal(size=(300, 16)).astype(np.float32), np.arange(300, 0, -1))
    vectors.save(tmp_path / "v.vectors")
    mapped = Vectors.load(tmp_path / "v.vectors", mmap="r")
    # The file's pages, read-only, not a copy in memory.
    assert not mapped.vectors.flags.writeable and not mapped.vectors.flags.owndata
    assert mapped.counts.tolist() == vectors.counts.tolist()
    assert mapped.most_similar(["w1", "w2"], ["w3"], topn=7) == vectors.most_similar(["w1", "w2"], ["w3"], topn=7)
    assert mapped.most_similar_cosmul(["w1"], ["w3"], topn=5) == vectors.most_similar_cosmul(["w1"], ["w3"], topn=5)
    assert mapped.most_similar_batch([(["w4"], [])], restrict_vocab=100) == \
        vectors.most_similar_batch([(["w4"], [])], restrict_vocab=100)
    assert mapped.rank("w1", "w9") == vectors.rank("w1", "w9")
    assert mapped._normed is None  # no query made a normalised copy of the mapped matrix
    with pytest.raises(EmbedError, match="only a .vectors file can be memory-mapped"):
        vectors.save_word2vec_format(tmp_path / "v.vec")
        Vectors.load(tmp_path / "v.vec", mmap="r")


def test_words_of_a_vectors_file_are_found_by_bisection_as_by_the_dict(tmp_path):
    import unicodedata

    rng = np.random.default_rng(2)
    words = ["résumé", "zebra", "a", "ab", "b", "Été", "über", "z"] + [f"w{i}" for i in rng.permutation(500)]
    vectors = Vectors(words, rng.normal(size=(len(words), 4)).astype(np.float32))
    vectors.save(tmp_path / "v.vectors")
    for mmap in (None, "r"):
        loaded = Vectors.load(tmp_path / "v.vectors", mmap=mmap)
        assert loaded._index is None  # opening built no dict of the words
        assert [loaded.get_index(w) for w in words] == list(range(len(words)))
        assert loaded.get_index(unicodedata.normalize("NFD", "résumé")) == 0
        assert "zz" not in loaded and "" not in loaded and 3 not in loaded and "w499" in loaded
        with pytest.raises(UnknownWordError):
            loaded.get_index("aa")
        assert loaded.key_to_index == vectors.key_to_index
    limited = Vectors.load(tmp_path / "v.vectors", limit=5)
    assert [limited.get_index(w) for w in words[:5]] == list(range(5)) and "Été" not in limited


def test_inputs_never_come_back_and_batches_agree():
    vectors = random_vectors([f"w{i}" for i in range(50)])
    result = vectors.most_similar(["w1", "w2"], ["w3"], topn=49)
    assert not {"w1", "w2", "w3"} & {w for w, _ in result}
    assert len(result) == 47
    batch = vectors.most_similar_batch([(["w1", "w2"], ["w3"]), (["w7"], [])], topn=5)
    assert [w for w, _ in batch[0]] == [w for w, _ in result[:5]]
    assert [w for w, _ in batch[1]] == [w for w, _ in vectors.most_similar("w7", topn=5)]


def test_unknown_words_name_the_word_and_close_spellings():
    vectors = random_vectors(["paris", "france", "rome"])
    with pytest.raises(KeyError, match="'pariss' is not in the vocabulary; close spellings: paris"):
        vectors.most_similar("pariss")
    with pytest.raises(UnknownWordError, match="'zzz'"):
        vectors["zzz"]
    with pytest.raises(EmbedError, match="at least one"):
        vectors.most_similar([])
    with pytest.raises(EmbedError, match="word 'paris' appears twice in the query"):
        vectors.most_similar(["paris", "rome"], ["paris"])
    with pytest.raises(EmbedError, match="appears twice"):
        vectors.most_similar_cosmul(["rome", "rome"])
    with pytest.raises(UnknownWordError, match="'xx' is not in the vocabulary"):
        vectors.most_similar(["xx", "yy"])
    assert "paris" in vectors and "berlin" not in vectors and len(vectors) == 3


@pytest.mark.parametrize("binary", [True, False])
def test_word2vec_formats_round_trip_exactly(tmp_path, binary):
    vectors = random_vectors(["paris", "zürich", "côte", "a"], dim=5)
    ours = tmp_path / ("ours.bin" if binary else "ours.txt")
    vectors.save_word2vec_format(ours)
    loaded = Vectors.load_word2vec_format(ours)
    assert loaded.words == vectors.words
    np.testing.assert_array_equal(loaded.vectors, vectors.vectors)  # %.9g is exact for float32


def test_text_files_as_the_c_tool_and_gensim_write_them_are_read(tmp_path):
    # word2vec.c writes "%s " then "%lf " per value (a space before the newline);
    # gensim writes "%s %s" with repr-like floats; either may end lines with CRLF.
    path = tmp_path / "c.txt"
    path.write_bytes(b"2 3\nparis 0.100000 -2.500000 3.000000 \r\nrome 1e-05 0 -0.25\n")
    words, matrix = load_word2vec_format(path)
    assert words == ["paris", "rome"]
    np.testing.assert_array_equal(matrix, np.array([[0.1, -2.5, 3.0], [1e-05, 0, -0.25]], np.float32))


@needs_gensim
@pytest.mark.parametrize("binary", [True, False])
def test_word2vec_formats_round_trip_both_ways_with_gensim(tmp_path, binary):
    vectors = random_vectors(["paris", "zürich", "côte", "a"], dim=5)
    ours = tmp_path / ("ours.bin" if binary else "ours.txt")
    vectors.save_word2vec_format(ours)
    kv = KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert list(kv.index_to_key) == vectors.words
    np.testing.assert_allclose(kv.vectors, vectors.vectors, rtol=1e-6)
    theirs = tmp_path / "theirs"
    kv.save_word2vec_format(str(theirs), binary=binary)
    back = Vectors.load_word2vec_format(theirs, binary=binary)
    assert back.words == vectors.words
    np.testing.assert_allclose(back.vectors, vectors.vectors, rtol=1e-6)


def test_binary_file_is_byte_for_byte_the_c_tools_layout(tmp_path):
    # word2vec.c: fprintf("%lld %lld\n"), then per word fprintf("%s ", word),
    # fwrite(float32 x d), fprintf("\n").
    matrix = np.array([[1.0, -2.5], [0.25, 3.0]], dtype=np.float32)
    path = tmp_path / "known.bin"
    save_word2vec_format(path, ["köln", "b"], matrix)
    expected = b"2 2\n" + "köln ".encode() + matrix[0].astype("<f4").tobytes() + b"\n"
    expected += b"b " + matrix[1].astype("<f4").tobytes() + b"\n"
    assert path.read_bytes() == expected


def test_limit_and_malformed_files(tmp_path):
    vectors = random_vectors([f"w{i}" for i in range(10)], dim=4)
    good = tmp_path / "v.bin"
    vectors.save_word2vec_format(good)
    words, matrix = load_word2vec_format(good, limit=3)
    assert words == ["w0", "w1", "w2"] and matrix.shape == (3, 4)
    truncated = tmp_path / "t.bin"
    truncated.write_bytes(good.read_bytes()[:-10])
    with pytest.raises(EmbedError, match=r"t.bin: truncated at byte \d+"):
        load_word2vec_format(truncated)
    truncated.write_bytes(good.read_bytes()[:-30])  # shorter than any file of 10 such words: known at once
    with pytest.raises(EmbedError, match=r"t.bin: truncated: the header promises 10 words of dimension 4"):
        load_word2vec_format(truncated)
    text = tmp_path / "v.txt"
    text.write_text("2 3\na 1 2 3\nb 1 2\n")
    with pytest.raises(EmbedError, match=r"v.txt: line 3: expected a word and 3 numbers"):
        load_word2vec_format(text)
    text.write_text("3 3\na 1 2 3\n")
    with pytest.raises(EmbedError, match="line 3: file ends, but the header promises 3 words"):
        load_word2vec_format(text)
    latin = tmp_path / "latin.bin"
    latin.write_bytes(b"1 1\ncaf\xe9 " + np.float32(1).tobytes() + b"\n")
    with pytest.raises(EmbedError, match=r"latin.bin: byte 7: word 1 is not valid UTF-8"):
        load_word2vec_format(latin)
    assert load_word2vec_format(latin, unicode_errors="replace")[0] == ["caf\ufffd"]
    text.write_text("hello\n")
    with pytest.raises(EmbedError, match="line 1: expected a header"):
        load_word2vec_format(text)


def test_evaluation_counts_and_correlations_from_their_definitions(tmp_path):
    from scipy.stats import pearsonr, spearmanr

    # Four countries and capitals on two axes, so that capital - country is one offset.
    words = ["france", "paris", "italy", "rome", "spain", "madrid", "japan", "tokyo"]
    matrix = np.array([[i, 0] if k % 2 == 0 else [i, 1] for k, i in enumerate([1, 1, 2, 2, 3, 3, 4, 4])], np.float32)
    matrix += np.array([[0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0], [0.6, -0.6]], np.float32)
    vectors = Vectors(words, matrix + 5)
    questions = tmp_path / "q.txt"
    questions.write_text(": capitals\nfrance paris italy rome\nitaly rome spain madrid\nspain madrid japan tokyo\n"
                         "france paris atlantis x\n: other\nrome italy paris france\n")
    result = evaluate_word_analogies(vectors, questions)
    for section in result.sections:  # each answer from its definition: argmax cosine to b - a + c, a b c excluded
        for a, b, c, expected in section.correct + section.incorrect:
            unit = vectors.normed
            target = unit[vectors.get_index(b)] - unit[vectors.get_index(a)] + unit[vectors.get_index(c)]
            scores = unit @ target
            scores[[vectors.get_index(w) for w in (a, b, c)]] = -np.inf
            assert (words[int(np.argmax(scores))] == expected) == ((a, b, c, expected) in section.correct)
    assert result.total.answered == 4  # the question with unknown words is skipped
    pairs = tmp_path / "pairs.tsv"
    scored = [("france", "paris", 9.0), ("italy", "tokyo", 1.5), ("rome", "madrid", 6.0), ("spain", "x", 3.0),
              ("japan", "tokyo", 8.0)]
    pairs.write_text("# word1\tword2\tscore\n" + "".join(f"{a}\t{b}\t{v}\n" for a, b, v in scored))
    known = [(a, b, v) for a, b, v in scored if b != "x"]
    cosines = [vectors.similarity(a, b) for a, b, _ in known]
    ours = evaluate_word_pairs(vectors, pairs)
    assert ours.pairs == 4 and ours.oov_ratio == pytest.approx(20.0)
    assert ours.spearman == pytest.approx(spearmanr(cosines, [v for *_, v in known]).statistic, abs=1e-9)
    assert ours.pearson == pytest.approx(pearsonr(cosines, [v for *_, v in known]).statistic, abs=1e-6)


@needs_gensim
def test_evaluation_equals_gensim():
    words = analogy_vocabulary()
    rng = np.random.default_rng(4)
    # Structure so that some analogies are right: vector = word identity + shared offsets.
    base = rng.normal(size=(len(words), 24)).astype(np.float32)
    vectors = Vectors(words, base)
    kv = as_gensim(vectors)
    ours = evaluate_word_analogies(vectors, corpus_path("questions-words.txt"), restrict_vocab=600)
    assert vectors.evaluate_word_analogies(corpus_path("questions-words.txt"), restrict_vocab=600).accuracy == ours.accuracy
    score, sections = kv.evaluate_word_analogies(corpus_path("questions-words.txt"), restrict_vocab=600)
    assert ours.accuracy == pytest.approx(score)
    theirs = {s["section"]: (len(s["correct"]), len(s["incorrect"])) for s in sections}
    for section in ours.sections:
        assert (len(section.correct), len(section.incorrect)) == theirs[section.name]
    assert ours.total.answered == sum(theirs["Total accuracy"])
    # gensim's own unpacking of the result runs on ours, with the same figures.
    our_score, our_sections = ours
    assert our_score == pytest.approx(score)
    assert {s["section"]: (len(s["correct"]), len(s["incorrect"])) for s in our_sections} == theirs
    pairs_vocab = Vectors(words + ["tiger", "love", "sex"], rng.normal(size=(len(words) + 3, 8)))
    for path in (corpus_path("wordsim353.tsv"), corpus_path("simlex999.txt")):
        ours = evaluate_word_pairs(pairs_vocab, path)
        pearson, spearman, oov = as_gensim(pairs_vocab).evaluate_word_pairs(path)
        assert ours.pearson == pytest.approx(pearson[0], abs=1e-6)
        assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
        assert ours.oov_ratio == pytest.approx(oov)
        our_pearson, our_spearman, our_oov = ours
        assert our_pearson[0] == ours.pearson and our_spearman.statistic == ours.spearman and our_oov == ours.oov_ratio
        assert our_pearson.pvalue == pytest.approx(pearson[1], rel=1e-4)
        assert our_spearman[1] == pytest.approx(spearman.pvalue, rel=1e-4)
        # gensim's dummy4unknown scores a pair with an unknown word at similarity 0.
        ours = pairs_vocab.evaluate_word_pairs(path, dummy4unknown=True)
        pearson, spearman, oov = as_gensim(pairs_vocab).evaluate_word_pairs(path, dummy4unknown=True)
        assert (ours.pearson, ours.spearman) == pytest.approx((pearson[0], spearman[0]), abs=1e-6)
        assert ours.pairs == len(read_word_pairs(path)) and ours.oov_ratio == pytest.approx(oov)
    # ... and a question with an unknown word as answered wrong.
    ours = vectors.evaluate_word_analogies(corpus_path("questions-words.txt"), restrict_vocab=600, dummy4unknown=True)
    score, sections = kv.evaluate_word_analogies(corpus_path("questions-words.txt"), restrict_vocab=600,
                                                 dummy4unknown=True)
    _, our_sections = ours
    assert ours.accuracy == pytest.approx(score) and ours.total.skipped == 0
    assert {s["section"]: (len(s["correct"]), len(s["incorrect"])) for s in our_sections} == {
        s["section"]: (len(s["correct"]), len(s["incorrect"])) for s in sections}


@pytest.mark.parametrize("method,call", [
    ("n_similarity", lambda v: v.n_similarity("two", ["three"])),
    ("doesnt_match", lambda v: v.doesnt_match("two")),
    ("rank_by_centrality", lambda v: v.rank_by_centrality("two")),
    ("most_similar_to_given", lambda v: v.most_similar_to_given("one", "two")),
    ("distances", lambda v: v.distances("one", "two")),
    ("get_mean_vector", lambda v: v.get_mean_vector("two")),
    ("most_similar_batch", lambda v: v.most_similar_batch([("two", [])])),
    ("plot_words", lambda v: plot_words(v, "two", "never-written.png")),
])
def test_a_string_where_a_list_of_words_goes_is_refused(method, call):
    # Taken as a sequence, "two" was its letters: n_similarity("two", ...) answered 0.999
    # and doesnt_match("two") answered 'w', for letters that happen to be words.
    v = random_vectors(["one", "two", "three", "t", "w", "o"])
    with pytest.raises(EmbedError, match=rf"^{method} takes a list of words, got the string 'two': pass \['two'\]$"):
        call(v)


def test_a_query_item_that_is_neither_a_word_nor_a_finite_vector_is_refused():
    # A (word, weight) pair, gensim's form, ended in numpy's "could not convert string to
    # float"; a NaN vector ranked every word by NaN scores.
    v = random_vectors(["one", "two", "three"], dim=4)
    with pytest.raises(EmbedError, match=r"^a query takes words and vectors of 4 numbers, got \('two', 1\.0\)$"):
        v.most_similar([("two", 1.0)])
    for bad in (np.full(4, np.nan), np.array([1.0, np.inf, 0.0, 0.0])):
        with pytest.raises(EmbedError, match="^a query vector has a value that is NaN or infinite$"):
            v.similar_by_vector(bad)


@pytest.mark.parametrize("restrict_vocab", [0, -1, "x"])
def test_evaluation_refuses_a_restrict_vocab_the_queries_refuse(restrict_vocab):
    # 0 skipped every question and -1 dropped the last word, silently.
    v = random_vectors(["one", "two", "three"], dim=4)
    for evaluate, path in ((v.evaluate_word_analogies, "questions-words.txt"), (v.evaluate_word_pairs, "wordsim353.tsv")):
        with pytest.raises(EmbedError, match=rf"^restrict_vocab must be a number of words >= 1, got {restrict_vocab!r}$"):
            evaluate(corpus_path(path), restrict_vocab=restrict_vocab)
    with pytest.raises(EmbedError, match="^restrict_vocab must be a number of words >= 1"):
        v.most_similar("one", restrict_vocab=restrict_vocab)


def test_vectors_and_queries_built_from_what_is_not_words_and_numbers_are_one_line():
    v = random_vectors(["one", "two", "three"], dim=4)
    # gensim reads v[3] as row 3; here it ended in "'int' object is not iterable".
    with pytest.raises(EmbedError, match=r"^words are strings, got 1; row 1's vector is \.vectors\[1\]$"):
        v[1]
    with pytest.raises(EmbedError, match=r"^words are strings, got np.int64\(7\)$"):
        v[np.int64(7)]
    assert v[[]].shape == (0, 4) and np.array_equal(v[["two", "one"]], v.vectors[[1, 0]])
    # A vector of another size broke numpy's broadcast; None was "not iterable".
    with pytest.raises(EmbedError, match=r"^a query vector must have shape \(4,\), got \(3,\)$"):
        v.get_mean_vector(["one", np.ones(3)])
    with pytest.raises(EmbedError, match="^a query takes words and vectors of 4 numbers, got 5$"):
        v.get_mean_vector(["one", 5])  # was skipped as a missing word
    for method in (v.most_similar, v.most_similar_cosmul):
        with pytest.raises(EmbedError, match=rf"^{method.__name__} takes a word, a vector or a list of them, got NoneType None$"):
            method(None)
    # The constructor: numpy's messages, or counts taken as they came.
    for words, vectors, counts, message in (
            (["a", "b"], [["x", "y"], ["z", "w"]], None, "vectors must be a matrix of numbers, a row for each word: could not convert"),
            (["a", "b"], [[1.0, 2.0], [3.0]], None, "vectors must be a matrix of numbers, a row for each word: setting an array"),
            (["a", 2], np.eye(2), None, "words are strings, got int 2 (word 2)"),
            (["a", None], np.eye(2), None, "words are strings, got NoneType None (word 2)"),  # None passed the check
            ("ab", np.eye(2), None, "Vectors takes a list of words, got the string 'ab'"),
            (["a", "b"], np.eye(2), ["x", "y"], "counts must be whole numbers >= 0, one for each word, got 'x' for word 1"),
            (["a", "b"], np.eye(2), [np.nan, 1], "counts must be whole numbers >= 0, one for each word, got nan for word 1"),
            (["a", "b"], np.eye(2), np.array([1, 2**63], np.uint64),
             "counts must be whole numbers >= 0, one for each word, got 9223372036854775808 for word 2"),
            (["a", "b"], np.eye(2), [3, -1], "counts must be whole numbers >= 0, one for each word, got -1 for word 2"),
            (["a", "b"], np.eye(2), [3, 1.5], "counts must be whole numbers >= 0, one for each word, got 1.5 for word 2"),
            (["a", "b"], np.eye(2), [3], "counts must be whole numbers >= 0, one for each of the 2 words, got shape (1,)"),
    ):
        with pytest.raises(EmbedError, match="^" + re.escape(message)):
            Vectors(words, vectors, counts)
    assert Vectors(["a", "b"], np.eye(2), [3.0, np.uint8(1)]).counts.tolist() == [3, 1]


def test_numpy_integers_are_whole_numbers_and_other_misplaced_values_are_one_line(tmp_path):
    v = random_vectors(["one", "two", "three", "four"], dim=4)
    # NumPy integers were refused as "not an integer", by checks for int alone (Config took them).
    assert len(v.most_similar("one", topn=np.int64(2), restrict_vocab=np.int32(3))) == 2
    v.save_word2vec_format(tmp_path / "v.vec")
    assert len(Vectors.load(tmp_path / "v.vec", limit=np.int64(3))) == 3
    # A number where a list of words goes was "'int' object is not iterable".
    for call, method in ((lambda: v.distances("one", 5), "distances"), (lambda: v.doesnt_match(5), "doesnt_match"),
                         (lambda: v.n_similarity(["one"], 5), "n_similarity"), (lambda: Vectors(None, np.eye(2)), "Vectors")):
        with pytest.raises(EmbedError, match=rf"^{method} takes a list of words, got (int 5|NoneType None)$"):
            call()
    # A model where vectors go: "'Word2Vec' object has no attribute 'words'".
    model = embed.Word2Vec(embed.Config(dim=4, min_count=1)).build_vocab([["one", "two", "three"]])
    for call, method in ((lambda: evaluate_word_analogies(model, corpus_path("questions-words.txt")), "evaluate_word_analogies"),
                         (lambda: evaluate_word_pairs(model, corpus_path("wordsim353.tsv")), "evaluate_word_pairs"),
                         (lambda: plot_words(model, ["one", "two", "three"], tmp_path / "w.png"), "a PCA plot")):
        with pytest.raises(EmbedError, match=rf"^{method} takes an embed.Vectors, got Word2Vec .*: pass model.wv$"):
            call()
    with pytest.raises(EmbedError, match="reads one$"):
        evaluate_word_pairs(str(tmp_path / "v.vec"), corpus_path("wordsim353.tsv"))  # the arguments swapped
    # Every candidate a word of the query was an IndexError; a word given as a vector,
    # numpy's "could not convert"; malformed batches, "not enough values to unpack".
    with pytest.raises(EmbedError, match="^analogy: no answer: every word it may choose from is a word of the query itself$"):
        v.analogy("one", "two", "three", restrict_vocab=3)
    with pytest.raises(EmbedError, match=r"^similar_by_vector takes a vector of 4 numbers, got the string 'one': use similar_by_word\('one'\)$"):
        v.similar_by_vector("one")
    pairs = "most_similar_batch takes (positive words, negative words) pairs, got"
    for queries, message in (([("one",)], f"{pairs} ('one',) as item 1"), (["one"], f"{pairs} 'one' as item 1"),
                             ([([], [])], "most_similar_batch: query 1 has no words")):
        with pytest.raises(EmbedError, match="^" + re.escape(message) + "$"):
            v.most_similar_batch(queries)
    for weights in (["x", "y"], [np.nan, 1.0]):  # NaN gave a NaN vector
        with pytest.raises(EmbedError, match="^get_mean_vector: weights must be finite numbers, one for each key$"):
            v.get_mean_vector(["one", "two"], weights=weights)
    # An array of words as a query's side was numpy's "truth value of an array is ambiguous".
    assert v.most_similar_batch([(np.array(["one", "two"]), [])], topn=1)[0][0][0] in ("three", "four")
    with pytest.raises(EmbedError, match="^batch_size must be a whole number >= 1, got 0$"):
        evaluate_word_analogies(v, corpus_path("questions-words.txt"), batch_size=0)
    # scikit-learn's own errors for what PCA cannot take.
    flat = Vectors(["a", "b", "c"], np.ones((3, 1)))
    with pytest.raises(EmbedError, match="^a PCA plot needs vectors of at least 2 dimensions, these have 1$"):
        plot_words(flat, ["a", "b", "c"], tmp_path / "w.png")
    nan = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [np.nan, 1.0], [0.0, 1.0]]))
    with pytest.raises(EmbedError, match="^a PCA plot: the vector of 'b' has a value that is NaN or infinite$"):
        plot_words(nan, ["a", "b", "c"], tmp_path / "w.png")
    assert sorted(os.listdir(tmp_path)) == ["v.vec"]


def test_queries_on_vectors_that_are_not_finite_name_the_word():
    # Every score was NaN and the words came back ranked anyhow; the file readers refuse
    # such vectors, but a matrix built in memory, or a model whose training diverged, has them.
    nan = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [np.nan, 1.0], [0.0, np.inf]]))
    for query in (lambda: nan.most_similar("a"), lambda: nan.similarity("a", "c"), lambda: nan.get_normed_vectors()):
        with pytest.raises(EmbedError, match=r"^the vector of 'b' \(row 1\) has a value that is NaN or infinite \(2 "
                                             r"such words\); queries need finite vectors$"):
            query()
    huge = Vectors(["a", "b"], np.array([[1.0, 0.0], [3e19, 0.0]]))
    with pytest.raises(EmbedError, match=r"^the vector of 'b' \(row 1\) has values whose squares overflow float32"):
        huge.most_similar("a")
    fine = Vectors(["a", "b", "c"], np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    assert fine.most_similar("a", topn=1)[0][0] == "c"
    fine.vectors[1, 0] = np.nan  # a write after the first query: the norms are filled again on request
    with pytest.raises(EmbedError, match=r"^the vector of 'b' \(row 1\)"):
        fine.fill_norms(force=True)


def test_gensims_later_names_follow_their_definitions_and_refuse_what_they_cannot_answer():
    v = Vectors(["a", "b", "c", "d"], np.array([[1, 0], [1, 1], [0, 1], [-1, 0]], dtype=np.float32), counts=[9, 5, 3, 1])
    assert v.similar_by_key("a", topn=2) == v.similar_by_word("a", topn=2)
    near = v.most_similar("a", topn=2)  # b, then c
    assert v.relative_cosine_similarity("a", "c", topn=2) == pytest.approx(v.similarity("a", "c") / sum(s for _, s in near))
    assert v.get_vecattr("c", "count") == 3
    np.testing.assert_allclose(Vectors.cosine_similarities([3.0, 4.0], [[3, 4], [-4, 3], [0, 0], [6, 8]]), [1, 0, 0, 1])
    with pytest.raises(EmbedError, match=r"^get_vecattr: embed keeps one attribute a word, 'count'; got 'frequency'$"):
        v.get_vecattr("a", "frequency")
    with pytest.raises(UnknownWordError):
        v.get_vecattr("zz", "count")
    with pytest.raises(EmbedError, match=r"^get_vecattr: these vectors have no counts \(their file holds none\)"):
        Vectors(["a", "b"], np.eye(2)).get_vecattr("a", "count")
    with pytest.raises(EmbedError, match=r"^relative_cosine_similarity: the 1 nearest words of 'a' sum to a similarity "
                                         r"of 0"):
        Vectors(["a", "b"], np.eye(2)).relative_cosine_similarity("a", "b", topn=1)
    with pytest.raises(EmbedError, match=r"^cosine_similarities takes a vector of d numbers and a matrix of d columns, "
                                         r"got shapes \(3,\) and \(2, 2\)$"):
        Vectors.cosine_similarities([1, 2, 3], np.eye(2))
    with pytest.raises(EmbedError, match=r"^cosine_similarities takes a vector and a matrix of numbers"):
        Vectors.cosine_similarities(["x", "y"], np.eye(2))


@needs_gensim
def test_adding_words_answers_as_gensims_keyedvectors():
    base = random_vectors([f"w{i}" for i in range(40)], dim=8, seed=4)
    rng = np.random.default_rng(5)
    added = rng.normal(size=(3, 8)).astype(np.float32)
    ours, theirs = random_vectors(base.words, dim=8, seed=4), as_gensim(base)
    ours.most_similar("w1")  # norms filled before the change: they must not go stale
    for replace in (False, True):
        ours.add_vectors(["new1", "w3", f"new{2 + replace}"], added, replace=replace)
        theirs.add_vectors(["new1", "w3", f"new{2 + replace}"], added, replace=replace)
    ours["w5"], theirs["w5"] = added[0], added[0]
    with pytest.warns(UserWarning, match="grows by one each time"):  # gensim's, of the copy each call makes
        assert ours.add_vector("one", added[1]) == theirs.add_vector("one", added[1]) == 43
    assert ours.index_to_key == theirs.index_to_key and ours.key_to_index == theirs.key_to_index
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    for word in ("w1", "new1", "w5", "one"):
        assert [w for w, _ in ours.most_similar(word, topn=6)] == [w for w, _ in theirs.most_similar(word, topn=6)]
        np.testing.assert_allclose([s for _, s in ours.most_similar(word, topn=6)],
                                   [s for _, s in theirs.most_similar(word, topn=6)], rtol=1e-5)


def test_adding_words_keeps_counts_files_and_the_vocabulary_they_came_from(tmp_path):
    vectors = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), counts=[7, 5, 2])
    vectors.save(tmp_path / "v.vectors")
    for mmap in (None, "r"):
        loaded = Vectors.load(tmp_path / "v.vectors", mmap=mmap)
        loaded["b"] = [0, 0, 2]  # a mapped matrix is copied: the file stays as it was
        loaded.add_vectors("aa", [1, 1, 0])
        assert loaded.index_to_key == ["a", "b", "c", "aa"] and loaded.get_index("aa") == 3
        assert loaded.counts.tolist() == [7, 5, 2, 0] and loaded["b"].tolist() == [0, 0, 2]
        assert loaded.most_similar("aa", topn=1)[0][0] == "a"
    assert Vectors.load(tmp_path / "v.vectors")["b"].tolist() == [0, 1, 0]
    model = embed.Word2Vec(embed.Config(dim=4, min_count=1, workers=1)).build_vocab([["x", "y"]] * 3)
    model.wv.add_vector("z", np.zeros(4))
    assert model.vocab.words == ["x", "y"] and "z" in model.wv


@pytest.mark.parametrize("call, message", [
    (lambda v: v.add_vector("a", [1, 2]), r"^word 'a' is here already \(row 0\); vectors\['a'\] = vector replaces its "
                                          r"vector$"),
    (lambda v: v.add_vectors(["c", "c"], np.ones((2, 2))), r"^word 'c' appears twice among the words to add$"),
    (lambda v: v.add_vectors(["c", 3], np.ones((2, 2))), r"^words are strings, got int 3 \(word 2\)$"),
    (lambda v: v.add_vector(3, [1, 2]), r"^words are strings, got int 3$"),
    (lambda v: v.add_vectors(["c", "d"], np.ones((2, 3))), r"^add_vectors expected a 2 x 2 matrix for 2 words \(these "
                                                           r"vectors have d = 2\), got shape \(2, 3\)$"),
    (lambda v: v.add_vector("c", [1, 2, 3]), r"^add_vectors expected a vector of 2 numbers for 1 word \(these vectors "
                                             r"have d = 2\), got shape \(1, 3\)$"),
    (lambda v: v.add_vectors("c", ["x", "y"]), r"^add_vectors takes vectors of numbers, a row for each word: "),
    (lambda v: v.add_vectors("cd", [1, 2], replace="yes"), r"^replace must be True or False"),
])
def test_adding_words_refuses_in_one_line_and_leaves_the_vectors_as_they_were(call, message):
    v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(EmbedError, match=message):
        call(v)
    assert v.index_to_key == ["a", "b"] and v.vectors.tolist() == [[1, 0], [0, 1]] and v.key_to_index == {"a": 0, "b": 1}


def test_word_movers_distance_is_the_cheapest_matching_of_equal_bags_and_leaves_out_unknown_words():
    from itertools import permutations

    rng = np.random.default_rng(6)
    vectors = random_vectors([f"w{i}" for i in range(30)], dim=6, seed=6)
    for size in (2, 3, 5):
        first, second = (list(rng.choice(vectors.words, size, replace=False)) for _ in range(2))
        for norm in (False, True):
            rows = (vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True) if norm else vectors.vectors
                    ).astype(np.float64)
            cost = [[np.linalg.norm(rows[vectors.get_index(a)] - rows[vectors.get_index(b)]) for b in second]
                    for a in first]
            # Bags of equal size and equal shares: some cheapest transport is a matching (Birkhoff).
            best = min(sum(cost[i][j] for i, j in enumerate(order)) for order in permutations(range(size))) / size
            assert vectors.wmdistance(first + ["unknown"], second, norm=norm) == pytest.approx(best, rel=1e-7)
            assert vectors.wmdistance(second, first, norm=norm) == pytest.approx(best, rel=1e-7)
    one, many = "w1", ["w2", "w3", "w3", "w4"]
    expected = np.mean([np.linalg.norm(vectors[one].astype(np.float64) - vectors[w]) for w in many])
    assert vectors.wmdistance([one], many, norm=False) == pytest.approx(expected, rel=1e-12)
    assert vectors.wmdistance(["w5", "w6", "w5"], ["w6", "w5", "w5"]) == pytest.approx(0, abs=1e-12)
    assert vectors.wmdistance(["unknown"], ["w1"]) == vectors.wmdistance([], ["w1"]) == float("inf")


@needs_gensim
def test_word_movers_distance_equals_gensims():
    pytest.importorskip("ot", reason="gensim's wmdistance needs POT, which the test extras install")
    rng = np.random.default_rng(7)
    vectors = random_vectors([f"w{i}" for i in range(200)], dim=12, seed=7)
    kv = as_gensim(vectors)
    for _ in range(6):
        first = list(rng.choice(vectors.words, rng.integers(1, 30))) + ["unknown"]
        second = list(rng.choice(vectors.words, rng.integers(1, 30)))
        for norm in (True, False):
            assert vectors.wmdistance(first, second, norm=norm) == pytest.approx(kv.wmdistance(first, second, norm=norm),
                                                                                  rel=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda v: v.wmdistance("a b", ["a"]), r"^wmdistance takes a list of words, got the string 'a b': pass \['a b'\]$"),
    (lambda v: v.wmdistance(["a"], ["b", None]), r"^wmdistance: tokens are strings, got NoneType None \(token 2 of document 2\)$"),
    (lambda v: v.wmdistance(["a"], ["b"], norm="no"), r"^norm must be True or False"),
])
def test_word_movers_distance_refuses_what_is_not_two_lists_of_tokens(call, message):
    with pytest.raises(EmbedError, match=message):
        call(Vectors(["a", "b"], np.eye(2, dtype=np.float32)))


@needs_gensim
def test_counts_set_sorted_and_vectors_normalised_in_place_as_gensims():
    vectors = Vectors(["a", "b", "c", "d"], np.random.default_rng(9).normal(size=(4, 5)).astype(np.float32) * 3,
                      counts=[2, 7, 2, 9])
    kv = as_gensim(vectors)
    for word, count in zip(vectors.words, vectors.counts.tolist()):
        kv.set_vecattr(word, "count", count)
    vectors.set_vecattr("c", "count", 8)
    kv.set_vecattr("c", "count", 8)
    vectors.sort_by_descending_frequency()
    kv.sort_by_descending_frequency()
    assert vectors.index_to_key == kv.index_to_key == ["d", "c", "b", "a"]
    np.testing.assert_array_equal(vectors.vectors, kv.vectors)
    assert vectors.most_similar("a", topn=2)[0][0] == kv.most_similar("a", topn=2)[0][0]
    vectors.unit_normalize_all()
    kv.unit_normalize_all()
    np.testing.assert_allclose(vectors.vectors, kv.vectors, rtol=1e-6)
    np.testing.assert_allclose(vectors.norms, 1, rtol=1e-6)
    ours, theirs = vectors.most_similar("a", topn=3), kv.most_similar("a", topn=3)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], rel=1e-5)


def test_gensims_older_names_and_misplaced_counts_say_where_embed_keeps_them():
    vectors = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    for name, hint in (("vocab", "gensim 4 replaced it with key_to_index"), ("index2word", "gensim 4 renamed it "
                       "index_to_key"), ("init_sims", "unit_normalize_all()"), ("wv", "these are the vectors already")):
        with pytest.raises(AttributeError, match=rf"^'Vectors' object has no attribute '{name}'; .*{re.escape(hint)}"):
            getattr(vectors, name)
    with pytest.raises(AttributeError, match=r"^'Vectors' object has no attribute 'nothing'$"):
        vectors.nothing
    with pytest.raises(EmbedError, match=r"^set_vecattr: a count is a whole number >= 0, got int -3 for 'a'$"):
        vectors.set_vecattr("a", "count", -3)
    with pytest.raises(EmbedError, match=r"^set_vecattr: embed keeps one attribute a word, 'count'; got 'rank'$"):
        vectors.set_vecattr("a", "rank", 1)
    with pytest.raises(EmbedError, match=r"^sort_by_descending_frequency: these vectors have no counts"):
        vectors.sort_by_descending_frequency()
    vectors.set_vecattr("b", "count", 3)
    assert vectors.counts.tolist() == [0, 3]
