"""Queries, word2vec file formats and evaluation, checked against gensim where it applies."""

import numpy as np
import pytest

from embed.data import bundled as corpus_path
from embed.errors import EmbedError, UnknownWordError
from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs
from embed.vectors.formats import load_word2vec_format, save_word2vec_format
from embed.vectors import Vectors

gensim_models = pytest.importorskip("gensim.models")
KeyedVectors = gensim_models.KeyedVectors


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
    assert vectors.rank("w1", "w9") == kv.rank("w1", "w9")
    assert vectors.n_similarity(["w1", "w2"], ["w3"]) == pytest.approx(float(kv.n_similarity(["w1", "w2"], ["w3"])), abs=1e-6)
    np.testing.assert_allclose(vectors.distances("w1", ["w2", "w3"]), kv.distances("w1", ["w2", "w3"]), atol=1e-6)


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
def test_word2vec_formats_round_trip_both_ways_with_gensim(tmp_path, binary):
    vectors = random_vectors(["paris", "zürich", "côte", "a"], dim=5)
    ours = tmp_path / ("ours.bin" if binary else "ours.txt")
    vectors.save_word2vec_format(ours)
    loaded = Vectors.load_word2vec_format(ours)
    assert loaded.words == vectors.words
    if binary:
        np.testing.assert_array_equal(loaded.vectors, vectors.vectors)
    else:
        np.testing.assert_allclose(loaded.vectors, vectors.vectors, rtol=1e-7)
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
    pairs_vocab = Vectors(words + ["tiger", "love", "sex"], rng.normal(size=(len(words) + 3, 8)))
    for path in (corpus_path("wordsim353.tsv"), corpus_path("simlex999.txt")):
        ours = evaluate_word_pairs(pairs_vocab, path)
        pearson, spearman, oov = as_gensim(pairs_vocab).evaluate_word_pairs(path)
        assert ours.pearson == pytest.approx(pearson[0], abs=1e-6)
        assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
        assert ours.oov_ratio == pytest.approx(oov)
