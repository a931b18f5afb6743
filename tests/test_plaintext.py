"""The byte path for plain text gives exactly the chunks of the general reader."""

import os
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embed import Config, EmbedError, Word2Vec
from embed.text.chunks import id_chunks
from embed.text.corpus import ReadReport, read_sentences
from embed.text.plaintext import PlainCounts, VocabularyHash, count_plain, plain_id_chunks, provisional_chunks
from embed.text.tokenizer import Tokenizer
from embed.text.vocab import Vocabulary

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
VOCAB = Vocabulary(["the", "a", "of", "B", "cat", "bb", "ab"], [9, 8, 7, 6, 5, 4, 3])


def both_paths(path, lowercase, max_sentence_length, chunk_words, block_bytes):
    general = id_chunks(read_sentences(path, Tokenizer(lowercase=lowercase), max_sentence_length), VOCAB, chunk_words)
    table = VocabularyHash(VOCAB, lowercase)
    plain = plain_id_chunks(path, table, max_sentence_length, chunk_words, block_bytes)
    return [(i.tolist(), o.tolist()) for i, o in general], [(i.tolist(), o.tolist()) for i, o in plain]


tokens = st.sampled_from(["the", "a", "of", "B", "b", "cat", "Cat", "bb", "ab", "xyz", "THE", "zz"])
blanks = st.sampled_from([" ", "\t", "  ", "\n", "\r\n", "\n\n", " \n", "\x0b", "\x0c"])


@SETTINGS
@given(st.lists(st.tuples(tokens, blanks), max_size=120), st.booleans(), st.integers(1, 6), st.integers(1, 12),
       st.integers(1, 9), st.booleans())
def test_byte_path_chunks_equal_the_general_readers(tmp_path, pieces, lowercase, max_length, chunk_words, block,
                                                    trailing_blank):
    text = "".join(t + b for t, b in pieces)
    if not trailing_blank:
        text = text.rstrip()
    path = tmp_path / "c.txt"
    path.write_text(text)
    general, plain = both_paths(path, lowercase, max_length, chunk_words, block)
    assert plain == general


def test_one_long_line_is_cut_like_the_general_reader(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "text8.txt"
    path.write_text(" ".join(rng.choice(["the", "a", "of", "cat", "dog", "ab"], 25_003)))
    general, plain = both_paths(path, True, 1000, 2500, 4096)
    assert plain == general
    assert sum(len(i) for i, _ in plain) > 20_000


def test_text_that_is_not_plain_is_refused(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("the cat, of a\n")
    with pytest.raises(EmbedError, match="changed since the vocabulary was built"):
        list(plain_id_chunks(path, VocabularyHash(VOCAB, True)))


def test_the_read_report_says_whether_a_file_is_plain(tmp_path):
    for text, plain in [("the cat\r\nOf a\tb\n", True), ("the cat 2\n", False), ("café\n", False)]:
        path = tmp_path / "c.txt"
        path.write_text(text)
        report = ReadReport(str(path))
        list(read_sentences(path, report=report))
        assert report.plain is plain, text


@pytest.mark.parametrize("arch,loss", [("skipgram", "negative"), ("cbow", "hierarchical")])
def test_training_from_a_plain_file_equals_training_from_its_sentences(tmp_path, arch, loss):
    rng = np.random.default_rng(1)
    words = ["paris", "france", "rome", "italy", "berlin", "germany", "the", "of", "Capital"]
    lines = [" ".join(rng.choice(words, rng.integers(3, 30))) for _ in range(600)]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(lines) + "\n")
    config = Config(arch=arch, loss=loss, dim=12, min_count=1, epochs=2, workers=1, chunk_words=500)
    from_file = Word2Vec(config).build_vocab(path)
    assert from_file._plain_file is not None  # the byte path will be taken
    from_file.train(path, progress=False)
    sentences = [line.lower().split() for line in lines]
    from_lists = Word2Vec(config).build_vocab(sentences).train(sentences, progress=False)
    assert from_file.vocab.words == from_lists.vocab.words
    np.testing.assert_array_equal(from_file.w_in, from_lists.w_in)
    np.testing.assert_array_equal(from_file.w_out, from_lists.w_out)


def test_a_file_rewritten_after_the_vocabulary_is_read_the_general_way(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("the cat of a\n" * 50)
    model = Word2Vec(Config(dim=8, min_count=1, epochs=1, workers=1)).build_vocab(path)
    assert model._plain_file is not None
    path.write_text("the cat, of a!\n" * 60)  # a new size: the identity no longer matches
    os.utime(path, ns=(1, 1))
    model.train(path, progress=False)
    assert model.history[0].words == 240


def python_counts(path, lowercase, max_token_length=100):
    counter = Counter()
    for sentence in read_sentences(path, Tokenizer(lowercase=lowercase, max_token_length=max_token_length)):
        counter.update(sentence)
    return list(counter.items())


@SETTINGS
@given(st.lists(st.tuples(tokens, blanks), max_size=120), st.booleans(), st.integers(1, 9), st.booleans())
def test_the_jitted_count_of_plain_text_is_the_tokenizers(tmp_path, pieces, lowercase, block, trailing_blank):
    text = "".join(t + b for t, b in pieces)
    if not trailing_blank:
        text = text.rstrip()
    path = tmp_path / "c.txt"
    path.write_text(text)
    # Same words, same counts, same order of first appearance (ties in the vocabulary keep it).
    assert count_plain(path, lowercase, block_bytes=block).items() == python_counts(path, lowercase)


@SETTINGS
@given(st.lists(st.tuples(tokens, blanks), max_size=120), st.integers(1, 6), st.integers(1, 9), st.booleans())
def test_both_passes_count_the_cuts_of_long_lines(tmp_path, pieces, max_length, block, capture):
    # A line of n tokens becomes ceil(n / max_length) sentences: n > 0 gives that less one cut.
    text = "".join(t + b for t, b in pieces)
    path = tmp_path / "c.txt"
    path.write_text(text)
    lengths = [len(line.split()) for line in text.split("\n")]
    expected = sum(max(0, -(-n // max_length) - 1) for n in lengths)
    counted = count_plain(path, True, block_bytes=block, max_sentence_length=max_length,
                          sink=(lambda ids, starts: None) if capture else None)
    report = ReadReport(str(path))
    for _ in read_sentences(path, Tokenizer(), max_length, report=report):
        pass
    assert int(counted.cuts[0]) == report.cut_sentences == expected


def test_counting_grows_its_table_past_every_first_size(tmp_path):
    rng = np.random.default_rng(1)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    words = ["".join(rng.choice(letters, rng.integers(1, 30))) for _ in range(60_000)]  # past 32k words, 256 kB
    path = tmp_path / "many.txt.gz"
    import gzip

    with gzip.open(path, "wt") as f:
        for i in range(0, len(words), 17):
            f.write(" ".join(words[i:i + 17]) + ("\n" if i % 3 else " "))
    counted = count_plain(path, True, block_bytes=1 << 16).items()
    assert len(counted) > 40_000
    assert counted == python_counts(path, True)


@pytest.mark.filterwarnings("ignore:.*longer than the token length cap")
@pytest.mark.parametrize("text", ["the cat, of a\n", "caf\u00e9 au lait\n", "\ufeffthe cat\n", "the " + "a" * 101 + "\n",
                                  "the cat " * 1000 + "b" * 101])
def test_counting_gives_up_on_text_that_needs_the_tokenizer(tmp_path, text):
    path = tmp_path / "c.txt"
    path.write_text(text)
    assert count_plain(path, True, block_bytes=64) is None
    # ... and the vocabulary is then counted in Python, with its usual report.
    model = Word2Vec(Config(min_count=1)).build_vocab(path)
    assert model.vocab.words[0] in ("the", "caf\u00e9", "au", "a" * 100)


def test_a_plain_file_is_counted_without_the_tokenizer(tmp_path, monkeypatch):
    path = tmp_path / "c.txt"
    path.write_text("the cat the dog\nThe end\n")

    def refuse(*args, **kwargs):
        raise AssertionError("the Python pass ran on a plain file")

    monkeypatch.setattr(Vocabulary, "build", refuse)
    model = Word2Vec(Config(min_count=1)).build_vocab(path)
    assert (model.vocab.words, model.vocab.counts.tolist()) == (["the", "cat", "dog", "end"], [3, 1, 1, 1])


@SETTINGS
@given(st.lists(st.tuples(tokens, blanks), max_size=120), st.booleans(), st.integers(1, 6), st.integers(1, 12),
       st.integers(1, 9))
def test_the_ids_kept_while_counting_give_the_chunks_read_from_the_text(tmp_path, pieces, lowercase, max_length,
                                                                        chunk_words, block):
    path = tmp_path / "c.txt"
    path.write_text("".join(t + b for t, b in pieces))
    blocks = []
    counted = count_plain(path, lowercase, block_bytes=block, max_sentence_length=max_length,
                          sink=lambda ids, starts: blocks.append((ids.copy(), starts.copy())))
    final_ids = np.array([VOCAB.index.get(word, -1) for word, _ in counted.items()], dtype=np.int32)
    kept = [(i.tolist(), o.tolist()) for i, o in provisional_chunks(blocks, final_ids, chunk_words)]
    read = [(i.tolist(), o.tolist()) for i, o in plain_id_chunks(path, VocabularyHash(VOCAB, lowercase), max_length,
                                                                 chunk_words, block)]
    assert kept == read


@pytest.mark.parametrize("arch,loss", [("cbow", "negative"), ("skipgram", "hierarchical")])
def test_training_from_the_counted_ids_is_training_from_the_text(tmp_path, arch, loss):
    rng = np.random.default_rng(2)
    path = tmp_path / "c.txt.gz"
    import gzip

    with gzip.open(path, "wt") as f:
        for _ in range(300):
            f.write(" ".join(rng.choice(["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "zq"], 40)) + "\n")
    config = Config(arch=arch, loss=loss, dim=16, min_count=3, epochs=2, workers=1, chunk_words=500)
    counted = Word2Vec(config).build_vocab(path)
    assert counted._counted_ids is not None
    counted.train(path, progress=False)
    read = Word2Vec(config.replace(cache_dir="none")).build_vocab(path)
    assert read._counted_ids is None
    read.train(path, progress=False)
    np.testing.assert_array_equal(counted.w_in, read.w_in)
    np.testing.assert_array_equal(counted.w_out, read.w_out)


def test_a_block_of_blank_lines_has_a_sentence_start_per_byte(tmp_path):
    # Every newline starts a sentence: the buffers for the starts once had room for half
    # a block's bytes, and 200,000 blank lines wrote past them (a segmentation fault).
    path = tmp_path / "blank.txt"
    path.write_text("the cat sat\n" + "\n" * 200_000 + "the dog\n")
    vocab = Vocabulary(["the", "cat", "sat", "dog"], [2, 1, 1, 1])
    read = [(i.tolist(), o.tolist()) for i, o in plain_id_chunks(path, VocabularyHash(vocab, True))]
    blocks = []
    counted = count_plain(path, True, sink=lambda ids, starts: blocks.append((ids.copy(), starts.copy())))
    kept = [(i.tolist(), o.tolist()) for i, o in provisional_chunks(blocks, np.arange(4, dtype=np.int32))]
    assert counted.items() == [("the", 2), ("cat", 1), ("sat", 1), ("dog", 1)]
    assert read == kept == [([0, 1, 2, 0, 3], [0, 3, 5])]
    model = Word2Vec(Config(min_count=1, dim=8, epochs=1, sample=0)).build_vocab(path).train(path, progress=False)
    assert model.history[0].words == 5


def _reduce_vocab_reference(batches, max_table):
    """word2vec's counting with ReduceVocab, the check made after each batch of tokens:
    (counts in order of first appearance, tokens forgotten, last min_reduce used)."""
    counts, min_reduce, forgotten = {}, 1, 0
    for batch in batches:
        for token in batch:
            counts[token] = counts.get(token, 0) + 1
        while len(counts) > max_table:
            for token in [t for t, c in counts.items() if c <= min_reduce]:
                forgotten += counts.pop(token)
            min_reduce += 1
    return counts, forgotten, min_reduce - 1


@SETTINGS
@given(st.lists(st.lists(st.sampled_from("abcdefghijklmnop"), min_size=1, max_size=12), min_size=1, max_size=40),
       st.integers(2, 10))
def test_counting_prunes_as_word2vecs_reduce_vocab(sentences, max_table):
    counts, forgotten, pruned_at = _reduce_vocab_reference(sentences, max_table)
    if not counts:  # every word forgotten
        with pytest.raises(EmbedError, match=f"counting under max_table={max_table} forgot every word"):
            Vocabulary.build(sentences, min_count=1, max_table=max_table)
        return
    vocab = Vocabulary.build(sentences, min_count=1, max_table=max_table)
    expected = sorted(counts.items(), key=lambda item: -item[1])  # stable: first appearance breaks ties
    assert list(zip(vocab.words, vocab.counts.tolist())) == expected
    assert vocab.pruned_at == pruned_at and vocab.corpus_tokens == sum(map(len, sentences))
    # The plain-text counter, given the sentences as blocks, prunes after each block alike.
    plain = PlainCounts(lowercase=False, max_table=max_table)
    for k, sentence in enumerate(sentences):
        assert plain.add((" ".join(sentence) + "\n").encode(), final=k == len(sentences) - 1)
    assert plain.items() == list(counts.items())
    assert (plain.pruning.forgotten, plain.pruning.min_reduce - 1) == (forgotten, pruned_at)
    assert plain.pruned == (pruned_at > 0)
    unpruned = Vocabulary.build(sentences, min_count=1)
    if pruned_at == 0:
        assert vocab.words == unpruned.words and vocab.counts.tolist() == unpruned.counts.tolist()


def test_a_pruned_count_trains_and_says_so(tmp_path):
    # text8's kind of file (the jitted pass) and one the tokenizer reads (the Python pass)
    rare = [f"rare{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(60)]  # each seen once
    for name, text in (("plain.txt", "the cat sat " * 50 + " ".join(rare)),
                       ("marks.txt", "the cat sat, " * 50 + "é ".join(rare))):
        path = tmp_path / name
        path.write_text(text + "\n")
        model = Word2Vec(Config(min_count=1, dim=8, workers=1, max_table=20))
        with pytest.warns(UserWarning, match=r"outgrew max_table=20 distinct words, so words seen at most 1 times"):
            model.build_vocab(str(path))
        assert sorted(model.vocab.words) == ["cat", "sat", "the"]
        assert model.vocab.corpus_tokens == 210
        model.train(str(path), epochs=1, progress=False)  # the ids counted were dropped: the epoch reads the text
        assert model.history[-1].words == model.vocab.total
