"""Tokenizer, corpus readers and vocabulary."""

import bz2
import gzip
import lzma

import numpy as np
import pytest

from embed.text import corpus as corpus_module
from embed.text.chunks import id_chunks
from embed.text.corpus import Corpus, CorpusWarning, ReadReport, read_sentences
from embed.errors import EmbedError
from embed.text.tokenizer import Tokenizer
from embed.text.vocab import Vocabulary


def test_tokenizer_keeps_unicode_letters_and_lowercases():
    assert Tokenizer().tokens("Zürich, Côte d'Ivoire 2015 São_Paulo") == ["zürich", "côte", "d", "ivoire", "são", "paulo"]
    assert Tokenizer(lowercase=False).tokens("Paris") == ["Paris"]
    assert Tokenizer(pattern=r"\S+").tokens("a-b c") == ["a-b", "c"]


@pytest.mark.parametrize("suffix,opener", [("", open), (".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)])
def test_compressed_files_read_like_plain_ones(tmp_path, suffix, opener):
    path = tmp_path / f"c.txt{suffix}"
    with opener(path, "wt", encoding="utf-8") as f:
        f.write("One two\n\nthree four five\r\nsix")
    assert list(read_sentences(path)) == [["one", "two"], ["three", "four", "five"], ["six"]]


def test_one_long_line_is_cut_without_losing_or_merging_tokens(tmp_path, monkeypatch):
    # Small blocks force tokens to straddle block and cut boundaries.
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 64)
    monkeypatch.setattr(corpus_module, "OPEN_LINE_CHARS", 50)
    rng = np.random.default_rng(1)
    words = ["w" + "x" * int(rng.integers(0, 12)) + str(i) for i in range(5000)]
    words = ["".join(c for c in w if c.isalpha()) or "a" for w in words]
    path = tmp_path / "text8"
    path.write_text(" ".join(words) + "\nlast line\n")
    report = ReadReport(str(path))
    sentences = list(read_sentences(path, Tokenizer(), max_sentence_length=333, report=report))
    assert [t for s in sentences for t in s] == words + ["last", "line"]
    assert all(len(s) == 333 for s in sentences[:-2])
    assert sentences[-1] == ["last", "line"]  # the next line is not merged into the long one
    assert report.cut_sentences == -(-5000 // 333) - 1  # the cuts of the long line, counted once each


def test_reader_memory_does_not_hold_the_whole_line(tmp_path, monkeypatch):
    seen = []
    original = Tokenizer.tokens

    def spy(self, text, report=None):
        seen.append(len(text))
        return original(self, text, report)

    monkeypatch.setattr(Tokenizer, "tokens", spy)
    path = tmp_path / "big"
    path.write_text("word " * 1_000_000)  # 5 MB, one line
    assert sum(len(s) for s in read_sentences(path)) == 1_000_000
    assert max(seen) < 2 * corpus_module.BLOCK_BYTES


def test_bad_files_give_clear_errors(tmp_path):
    with pytest.raises(EmbedError, match="no such file"):
        Corpus(tmp_path / "missing.txt")
    with pytest.raises(EmbedError, match="is a directory"):
        Corpus(tmp_path)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\u00e9 ok\n".encode("utf-8") + "na\u00efve".encode("latin-1"))
    with pytest.raises(EmbedError, match=r"latin1.txt: not valid UTF-8 at byte 11 \(byte 0xef\)"):
        list(read_sentences(bad, encoding_errors="strict"))
    with pytest.warns(CorpusWarning, match="latin1.txt: replaced 1 bytes that are not valid UTF-8, the first at byte 11"):
        assert list(read_sentences(bad)) == [["café", "ok"], ["na", "ve"]]
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(b"hello world\n" * 100)[:40])
    with pytest.raises(EmbedError, match="broken.gz"):
        list(read_sentences(broken))


def test_vocabulary_sorts_by_count_with_first_appearance_ties():
    vocab = Vocabulary.build([["b", "a", "c", "a"], ["c", "d", "b", "a"]], min_count=2)
    assert vocab.words == ["a", "b", "c"]
    assert vocab.counts.tolist() == [3, 2, 2]
    assert Vocabulary.build([["x", "y"]] * 3, min_count=1, max_vocab=1).words == ["x"]
    assert vocab.encode(["d", "c", "a"]).tolist() == [2, 0]


def test_vocabulary_errors_name_the_problem():
    with pytest.raises(EmbedError, match="no tokens found"):
        Vocabulary.build([[], []], source="empty.txt")
    with pytest.raises(EmbedError, match=r"no word occurs at least min_count=5 times .*most frequent occurs 2"):
        Vocabulary.build([["a", "a", "b"]], min_count=5)


def test_subsampling_probabilities_follow_word2vec():
    vocab = Vocabulary(["the", "rare"], [999_000, 1_000])
    keep = vocab.keep_probabilities(1e-3)
    f = 0.999
    assert keep[0] == pytest.approx((np.sqrt(f / 1e-3) + 1) * 1e-3 / f, rel=1e-6)
    assert keep[1] == 1.0
    assert vocab.keep_probabilities(0).tolist() == [1.0, 1.0]


def test_subsampling_draws_keep_each_word_at_word2vecs_rate():
    # word2vec.c: keep word w with probability (sqrt(f / t) + 1) * t / f, f its share of
    # the corpus and t the threshold; drawn here through the generator the kernels share.
    from scipy.stats import binomtest

    from embed.text.windows import subsample

    counts = np.array([600_000, 200_000, 50_000, 5_000, 500])
    vocab = Vocabulary([f"w{i}" for i in range(len(counts))], counts)
    share = counts / counts.sum()
    formula = np.minimum(1.0, (np.sqrt(share / 1e-3) + 1) * 1e-3 / share)
    keep = vocab.keep_probabilities(1e-3)
    np.testing.assert_allclose(keep, formula, rtol=1e-6)
    draws = 200_000
    sentence = np.repeat(np.arange(len(counts)), draws)
    kept = np.bincount(subsample(sentence, keep, state=3), minlength=len(counts))
    for word in range(len(counts)):
        if formula[word] == 1.0:
            assert kept[word] == draws
        else:
            assert binomtest(int(kept[word]), draws, formula[word]).pvalue > 1e-4, word
            assert binomtest(int(kept[word]), draws, formula[word] * 0.9).pvalue < 1e-6  # and it can tell 10% off


def test_reduced_windows_are_word2vecs_uniform_draws():
    # word2vec.c: b = next_random % window, so a centre's window reaches distance d with
    # probability (window - d + 1) / window: here counted over the pairs the generator
    # yields for centres far from the sentence's ends.
    from scipy.stats import chisquare

    from embed.text.windows import skipgram_pairs

    window, length = 5, 60_000
    sentence = np.arange(length)
    reach = np.zeros(window + 1, dtype=np.int64)
    for centre, context in skipgram_pairs(sentence, window=window, state=11):
        if window <= centre < length - window and context > centre:
            reach[context - centre] += 1
    centres = length - 2 * window
    expected = np.array([(window - d + 1) / window for d in range(1, window + 1)]) * centres
    assert chisquare(reach[1:], expected * reach[1:].sum() / expected.sum()).pvalue > 1e-3
    np.testing.assert_allclose(reach[1:] / centres, expected / centres, atol=0.01)
    off_by_one = np.array([(window - d) / window + 0.01 for d in range(1, window + 1)]) * centres  # b in 0..window-1
    assert chisquare(reach[1:], off_by_one * reach[1:].sum() / off_by_one.sum()).pvalue < 1e-6


def test_fixed_windows_reach_the_whole_window_and_draw_nothing():
    # gensim's shrink_windows=False: every centre sees all words within --window, and
    # the draws that a shrinking window would take are not taken (subsampling's come next).
    from embed.text.rng import make_state, uniform
    from embed.text.windows import cbow_examples

    sentence = list(range(12))
    examples = list(cbow_examples(sentence, 3, 4, shrink=False))
    assert examples == [([j for j in range(max(0, i - 3), min(12, i + 4)) if j != i], i) for i in range(12)]
    state = make_state(4)
    list(cbow_examples(sentence, 3, state, shrink=False))
    assert uniform(state) == uniform(make_state(4))


def test_max_final_vocab_raises_min_count_as_gensim_does():
    # gensim: sorted counts, descending; min_count = max(min_count, count of word N + 1 (0-based N) + 1).
    sentences = [["a"] * 9 + ["b"] * 7 + ["c"] * 7 + ["d"] * 7 + ["e"] * 3 + ["f"] * 2 + ["g"]]
    assert Vocabulary.build(sentences, min_count=1, max_final_vocab=3).words == ["a"]  # b, c, d tie at the cut
    assert Vocabulary.build(sentences, min_count=1, max_final_vocab=4).words == ["a", "b", "c", "d"]
    assert Vocabulary.build(sentences, min_count=1, max_final_vocab=5).words == ["a", "b", "c", "d", "e"]
    assert Vocabulary.build(sentences, min_count=5, max_final_vocab=6).words == ["a", "b", "c", "d"]
    assert Vocabulary.build(sentences, min_count=1, max_final_vocab=100).words == list("abcdefg")
    with pytest.raises(EmbedError, match=r"min_count=8 times, as max_final_vocab=1 raised it"):
        Vocabulary.build([["a"] * 7 + ["b"] * 7], min_count=1, max_final_vocab=1)
    try:
        from gensim.models import Word2Vec as GensimWord2Vec
    except ImportError:
        return
    for min_count, final in [(1, 3), (1, 4), (1, 5), (5, 6), (2, 3), (1, 100)]:
        peer = GensimWord2Vec(min_count=min_count, max_final_vocab=final)
        peer.build_vocab(sentences)
        ours = Vocabulary.build(sentences, min_count=min_count, max_final_vocab=final).words
        assert sorted(peer.wv.index_to_key) == ours, (min_count, final)


def test_chunks_keep_sentence_boundaries():
    vocab = Vocabulary(["a", "b", "c"], [3, 2, 1])
    chunks = list(id_chunks([["a", "b"], ["zzz"], ["c", "a", "b"], ["b"]], vocab, chunk_words=4))
    assert [(i.tolist(), o.tolist()) for i, o in chunks] == [([0, 1, 2, 0, 1], [0, 2, 5]), ([1], [0, 1])]


def test_long_tokens_are_capped_and_blankless_runs_do_not_fill_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 1000)
    monkeypatch.setattr(corpus_module, "OPEN_LINE_CHARS", 5000)
    path = tmp_path / "long.txt"
    path.write_text("short " + "x" * 200_000 + " after\nnext line\n")
    report = ReadReport(str(path))
    with pytest.warns(CorpusWarning, match="cut 1 tokens longer than the token length cap"):
        sentences = list(read_sentences(path, Tokenizer(max_token_length=100), report=report))
    assert sentences == [["short", "x" * 100, "after"], ["next", "line"]]
    assert report.dropped_characters > 190_000


def test_nul_bytes_and_mixed_line_endings(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"one\x00two\r\nthree\rfour\nfive")
    assert list(read_sentences(path)) == [["one", "two"], ["three", "four"], ["five"]]
