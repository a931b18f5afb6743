"""Property-based tests: any input, no crash, nothing lost."""

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embed.text import corpus as corpus_module
from embed.text.corpus import read_sentences
from embed.errors import EmbedError
from embed.vectors.formats import load_word2vec_format, save_word2vec_format
from embed.text.tokenizer import DEFAULT_PATTERN, Tokenizer
from embed.text.vocab import Vocabulary

# Derandomised: CI runs the same examples every time, so a red run is reproducible.
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.text())
def test_tokens_are_the_runs_of_letters_and_marks_in_order(text):
    tokens = Tokenizer().tokens(text)
    normal = unicodedata.normalize("NFC", text.lower())

    def in_word(c):
        return re.fullmatch(DEFAULT_PATTERN, c) is not None or unicodedata.category(c).startswith("M")

    assert "".join(tokens) == "".join(c for c in normal if in_word(c))  # every letter and mark, in order
    position = 0
    for token in tokens:  # each a whole run of the text
        start = normal.index(token, position)
        position = start + len(token)
        assert not (start and in_word(normal[start - 1])) and not (position < len(normal) and in_word(normal[position]))


words = st.text(st.characters(blacklist_categories=["Zs", "Cc", "Zl", "Zp", "Cs"]), min_size=1, max_size=20)
blanks = st.sampled_from([" ", "\t", "  ", "\n", "\r\n", "\n\n", " \n"])


@SETTINGS
@given(st.lists(st.tuples(words, blanks), max_size=200), st.integers(1, 7), st.binary(max_size=3))
def test_reader_keeps_every_token_across_block_boundaries(tmp_path, pieces, max_length, junk):
    data = "".join(w + b for w, b in pieces).encode("utf-8") + junk
    path = tmp_path / "c.txt"
    path.write_bytes(data)
    tokenizer = Tokenizer()
    expected = []
    for line in data.decode("utf-8", "replace").split("\n"):
        tokens = tokenizer.tokens(line)
        expected += [tokens[i : i + max_length] for i in range(0, len(tokens), max_length)]
    original = corpus_module.BLOCK_BYTES, corpus_module.OPEN_LINE_CHARS
    corpus_module.BLOCK_BYTES, corpus_module.OPEN_LINE_CHARS = 7, 30
    try:
        with _quiet():
            got = list(read_sentences(path, tokenizer, max_sentence_length=max_length))
    except EmbedError as error:  # junk alone that is a UTF-16 byte-order mark: refused, as such text is
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff") and str(error).startswith(f"{path}: the text is UTF-16")
        return
    finally:
        corpus_module.BLOCK_BYTES, corpus_module.OPEN_LINE_CHARS = original
    assert got == expected


def _quiet():
    import warnings

    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("ignore")

    class Exit:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            context.__exit__(*exc)

    return Exit()


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_read_without_crashing(tmp_path, data):
    path = tmp_path / "any.txt"
    path.write_bytes(data)
    with _quiet():
        try:
            sentences = list(read_sentences(path))
        except EmbedError as error:  # only UTF-16 or UTF-32 text, and zip or tar archives, are refused
            if str(error).startswith(f"{path}: is a "):
                assert data[:4] in (b"PK\x03\x04", b"PK\x05\x06") or data[257:262] == b"ustar"
                return
            assert str(error).startswith(f"{path}: the text is UTF-")
            assert data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] == b"\0\0\xfe\xff" or data.count(0) >= len(data) // 4
            return
    assert all(sentences) and all(isinstance(t, str) for s in sentences for t in s)


@SETTINGS
@given(st.lists(st.lists(st.sampled_from("abcdefgh"), max_size=12), max_size=30), st.integers(1, 4))
def test_vocabulary_counts_and_order(sentences, min_count):
    flat = [t for s in sentences for t in s]
    counts = {w: flat.count(w) for w in flat}
    if not any(c >= min_count for c in counts.values()):
        with pytest.raises(EmbedError):
            Vocabulary.build(sentences, min_count=min_count)
        return
    vocab = Vocabulary.build(sentences, min_count=min_count)
    first = {w: flat.index(w) for w in counts}
    expected = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], first[w]))
    assert vocab.words == expected
    assert vocab.counts.tolist() == [counts[w] for w in expected]


any_word = st.text(st.characters(blacklist_characters="\n", blacklist_categories=["Cs"]), min_size=1, max_size=12)


@SETTINGS
@given(st.lists(any_word, min_size=1, max_size=20, unique=True), st.booleans(), st.integers(1, 5))
def test_formats_round_trip_any_vocabulary(tmp_path, vocabulary, binary, dim):
    if binary:
        vocabulary = [w for w in vocabulary if " " not in w and not w.startswith("\n")] or ["x"]
    else:
        vocabulary = [w for w in vocabulary if w.strip(" ") == w and w.strip()] or ["x"]
    matrix = np.random.default_rng(len(vocabulary)).normal(size=(len(vocabulary), dim)).astype(np.float32)
    path = tmp_path / ("v.bin" if binary else "v.txt")
    save_word2vec_format(path, vocabulary, matrix)
    words, loaded = load_word2vec_format(path)
    assert words == vocabulary
    np.testing.assert_array_equal(loaded, matrix)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["flip", "cut", "insert"]), st.integers(0, 10_000), st.integers(0, 255)),
                min_size=1, max_size=4))
def test_fuzzed_binary_files_load_or_fail_with_a_clear_error(tmp_path, mutations):
    path = tmp_path / "f.bin"
    matrix = np.arange(24, dtype=np.float32).reshape(6, 4)
    save_word2vec_format(path, ["one", "two", "three", "köln", "five", "six"], matrix)
    data = bytearray(path.read_bytes())
    for kind, where, value in mutations:
        where %= max(1, len(data))
        if kind == "flip" and data:
            data[where] = value
        elif kind == "cut":
            del data[where:]
        else:
            data.insert(where, value)
    path.write_bytes(bytes(data))
    try:
        words, vectors = load_word2vec_format(path, binary=True)
    except EmbedError as error:
        assert "f.bin" in str(error)
    else:
        assert len(words) == len(vectors) and vectors.shape[1] >= 1
