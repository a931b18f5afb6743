"""Every vectors format people hold: word2vec text and binary (streamed, compressed or
not), GloVe's headerless text, fastText's .vec, and the native memory-mapped vectors file.
Each file is small and made here; messages are checked whole."""

import bz2
import gzip
import json
import lzma
import os
import re
import tracemalloc

import numpy as np
import pytest

from embed import Word2Vec, load_vectors
from embed.errors import EmbedError
from embed.vectors import Vectors, formats
from embed.vectors.formats import load_word2vec_format, output_format, save_word2vec_format
from embed.vectors.vectors_file import is_vectors_file, read_vectors_file, write_vectors_file

try:
    from gensim.models import KeyedVectors
except ImportError:
    KeyedVectors = None

MAGICS = {".gz": b"\x1f\x8b", ".bz2": b"BZh", ".xz": b"\xfd7zXZ"}
OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
NO_SPACE = "has no space after it (not a word2vec binary file?)"
WORDS = ["paris", "köln", "a", "zürich", "the"]


def matrix(rows=len(WORDS), dim=3, seed=0):
    return np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)


def failure(path, **options):
    with pytest.raises(EmbedError) as error:
        load_word2vec_format(path, **options)
    return str(error.value)


# -- GloVe and fastText text ---------------------------------------------------------------


def test_glove_text_without_a_header_is_detected_and_read(tmp_path):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text("the 0.5 -1 2\n, 1e-05 0 -0.25\n. . . 3 4 5\nnan 1 2 3\n", encoding="utf-8")
    words, vectors = load_word2vec_format(path)
    # GloVe 840B has words with spaces: the last three fields are the numbers; "nan" is a word.
    assert words == ["the", ",", ". . .", "nan"]
    expected = np.array([[0.5, -1, 2], [1e-05, 0, -0.25], [3, 4, 5], [1, 2, 3]], np.float32)
    np.testing.assert_array_equal(vectors, expected)
    assert vectors.dtype == np.float32 and vectors.flags.c_contiguous and vectors.flags.owndata
    assert load_word2vec_format(path, no_header=True)[0] == words
    assert load_word2vec_format(path, limit=2)[0] == ["the", ","]
    assert failure(path, no_header=False) == f"{path}: line 1: expected a header 'WORDS DIMENSIONS', got 'the 0.5 -1 2'"
    spaced_first = tmp_path / "spaced.txt"  # a first word with spaces does not count as numbers
    spaced_first.write_text(". . . 3 4\nb 1 2\n")
    assert load_word2vec_format(spaced_first)[0] == [". . .", "b"]


def test_a_header_is_still_a_header_and_no_header_true_reads_it_as_a_word(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("2 3\na 1 2 3\nb 4 5 6\n")
    assert load_word2vec_format(path)[0] == ["a", "b"]
    assert load_word2vec_format(path, no_header=False)[0] == ["a", "b"]
    assert failure(path, no_header=True) == (
        f"{path}: line 2: expected a word and 1 numbers as line 1 has, got 3 numbers")


def test_headerless_lines_must_match_the_first(tmp_path):
    path = tmp_path / "g.txt"
    cases = [
        ("a 1 2 3\nb 1 2\n", "line 2: expected a word and 3 numbers as line 1 has, got 2 fields"),
        ("a 1 2 3\nb 1 2 3 4\n", "line 2: expected a word and 3 numbers as line 1 has, got 4 numbers"),
        ("a 1 2 3\n\nb 1 2 3\n", "line 2: expected a word and 3 numbers as line 1 has, got a blank line"),
        ("a 1 2 3\nb 1 x 3\n", "line 2: word 'b' has a value that is not a number"),
        ("a 1 2 3\nb 1 inf 3\n", "line 2: the vector of 'b' has a value that is NaN or infinite (1 such words); "
                                 "vectors must be finite numbers"),
        ("a 1 2 3\nb 1 2 3\na 4 5 6\n", "word 'a' appears twice (second time as word 3)"),
        ("hello\n", "line 1: expected a header 'WORDS DIMENSIONS' or a word and its numbers (GloVe), got 'hello'"),
        ("hello world\n", "line 1: expected a header 'WORDS DIMENSIONS' or a word and its numbers (GloVe), "
                          "got 'hello world'"),
        ("", "the file is empty; expected word vectors"),
    ]
    for content, message in cases:
        path.write_text(content)
        assert failure(path) == f"{path}: {message}", content
    path.write_bytes(b"a 1 2\ncaf\xe9 3 4\n")
    assert failure(path) == (f"{path}: line 2, byte 3: not valid UTF-8 "
                             "(pass unicode_errors='replace' to load it anyway)")
    assert load_word2vec_format(path, unicode_errors="replace")[0] == ["a", "caf\ufffd"]
    path.write_text("hello\n")
    assert failure(path, no_header=True) == f"{path}: line 1: expected a word and its numbers, got 'hello'"
    assert failure(path, binary=True) == f"{path}: line 1: expected a header 'WORDS DIMENSIONS', got 'hello'"
    assert failure(path, no_header=True, binary=True) == (
        f"{path}: a word2vec binary file has a header; no_header=True is for text files (GloVe's format)")
    path.write_text("a 1 2 3\nb 4 5 6\n\n\n")  # blank lines at the end are no words
    assert load_word2vec_format(path)[0] == ["a", "b"]
    path.write_text("a 1 2 3\nb 4 5 6")  # nor is a missing last newline an error
    assert load_word2vec_format(path)[0] == ["a", "b"]


def test_headerless_files_are_written_as_glove_writes_them(tmp_path):
    vectors = matrix()
    path = tmp_path / "g.txt"
    save_word2vec_format(path, WORDS + [". . ."], np.vstack([vectors, vectors[:1]]), write_header=False)
    assert path.read_text(encoding="utf-8").startswith("paris ")
    words, loaded = load_word2vec_format(path)
    assert words == WORDS + [". . ."]
    np.testing.assert_array_equal(loaded[:-1], vectors)
    with pytest.raises(EmbedError) as error:
        save_word2vec_format(path, ["a 1"], vectors[:1], write_header=False)
    assert str(error.value) == ("word 'a 1' cannot be written in a headerless text file: "
                                "its last part '1' would read as a number")
    with pytest.raises(EmbedError) as error:
        save_word2vec_format(tmp_path / "g.bin", ["a"], vectors[:1], write_header=False)
    assert str(error.value) == (f"{tmp_path / 'g.bin'}: a word2vec binary file needs its header; "
                                "write_header=False is for text files (GloVe's format)")


def test_fasttext_vec_files_with_a_space_before_each_line_end_load(tmp_path):
    # fastText's save_vectors: "V d\n", then per word "w" and " %g" per value, then " \n".
    path = tmp_path / "cc.en.3.vec"
    path.write_bytes("3 3\n, 0.1 -0.2 3 \nthe 1e-05 0 -0.25 \nköln 7 8 9 \r\n".encode())
    words, vectors = load_word2vec_format(path)
    assert words == [",", "the", "köln"]
    np.testing.assert_array_equal(vectors, np.array([[0.1, -0.2, 3], [1e-05, 0, -0.25], [7, 8, 9]], np.float32))


@pytest.mark.skipif(KeyedVectors is None, reason="gensim, an optional peer, is not installed")
def test_headerless_files_go_both_ways_with_gensim(tmp_path):
    vectors = matrix()
    ours = tmp_path / "ours.txt"
    save_word2vec_format(ours, WORDS, vectors, write_header=False)
    kv = KeyedVectors.load_word2vec_format(str(ours), no_header=True)
    assert list(kv.index_to_key) == WORDS
    theirs = tmp_path / "theirs.txt"
    kv.save_word2vec_format(str(theirs), write_header=False)
    words, back = load_word2vec_format(theirs)
    assert words == WORDS
    np.testing.assert_allclose(back, vectors, rtol=1e-6)


# -- compression ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
@pytest.mark.parametrize("kind", ["text", "binary", "headerless"])
def test_every_format_is_written_and_read_compressed(tmp_path, suffix, kind):
    vectors = matrix(dim=4)
    path = tmp_path / (("v.bin" if kind == "binary" else "v.txt") + suffix)
    save_word2vec_format(path, WORDS, vectors, write_header=kind != "headerless")
    assert path.read_bytes().startswith(MAGICS[suffix])
    with OPENERS[suffix](path) as stream:
        start = stream.read(6)
    assert start == {"text": b"5 4\npa", "binary": b"5 4\npa", "headerless": b"paris "}[kind]
    words, loaded = load_word2vec_format(path)
    assert words == WORDS
    np.testing.assert_array_equal(loaded, vectors)
    words, loaded = load_word2vec_format(path, limit=2)
    assert words == WORDS[:2] and loaded.shape == (2, 4)


# -- binary, streamed ----------------------------------------------------------------------


def binary_file(path, words, vectors, newline=True):
    body = b"".join(w.encode() + b" " + v.astype("<f4").tobytes() + (b"\n" if newline else b"")
                    for w, v in zip(words, vectors))
    path.write_bytes(f"{len(words)} {vectors.shape[1]}\n".encode() + body)
    return path


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 22])
@pytest.mark.parametrize("newline", [True, False])  # the C tool ends records with "\n", gensim does not
def test_binary_records_are_parsed_across_block_boundaries(tmp_path, monkeypatch, block, newline):
    monkeypatch.setattr(formats, "BLOCK_BYTES", block)
    monkeypatch.setattr(formats, "BATCH_WORDS", 3)  # batches end inside blocks too
    words = [f"w{i}" * (i % 4 + 1) for i in range(40)] + ["köln", "\u4e2d\u6587"]
    vectors = matrix(len(words), dim=5)
    path = binary_file(tmp_path / "v.bin", words, vectors, newline)
    loaded_words, loaded = load_word2vec_format(path)
    assert loaded_words == words
    np.testing.assert_array_equal(loaded, vectors)
    assert load_word2vec_format(path, limit=41)[0] == words[:41]


@pytest.mark.parametrize("block", [1 << 22, 5])
def test_binary_errors_name_the_same_bytes_however_the_file_is_read(tmp_path, monkeypatch, block):
    monkeypatch.setattr(formats, "BLOCK_BYTES", block)
    one = np.float32(1).tobytes()
    record = b"ab " + one + b"\n"  # 8 bytes; the header "2 1\n" is 4
    cases = [
        ("v.bin", b"2 1\n" + record + b"cd \0\0", "truncated at byte 17: word 2 needs 4 bytes of vector at byte 15"),
        # Compressed, so that the size check before reading does not see it first:
        ("v.bin.gz", b"3 1\n" + record + b"cd " + one + b"\n",
         "truncated at byte 20: the header promises 3 words, found 2"),
        ("v.bin", b"2 1\n" + record + b"abcd", f"byte 12: word 2 {NO_SPACE}"),
        ("v.bin", b"2 1\n" + record + b"x" * 20_000, f"byte 12: word 2 {NO_SPACE}"),
        ("v.bin", b"5 0\n", "line 1: dimension must be at least 1, got 0"),
        ("v.bin", b"2 1\n" + record + b"caf\xe9 " + one, "byte 15: word 2 is not valid UTF-8 "
                                                          "(pass unicode_errors='replace' to load it anyway)"),
        ("v.bin", b"1 1\n" + record + b"\nxyz\n", "byte 11: 3 bytes after the 1 words the header promises"),
        ("v.bin", b"1 1\n" + record + b"\n\nxy\n\nz\n", "byte 11: 5 bytes after the 1 words the header promises"),
        ("v.bin", b"2 1\n" + record + b"ab " + one, "word 'ab' appears twice (second time as word 2)"),
        ("v.bin", b"1 1\nab " + np.float32(np.nan).tobytes(), "the vector of 'ab' has a value that is NaN or infinite "
                                                               "(1 such words); vectors must be finite numbers"),
    ]
    for name, content, message in cases:
        path = tmp_path / name
        path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
        assert failure(path) == f"{path}: {message}", content
    path = tmp_path / "v.bin"
    path.write_bytes(b"2 1\n" + record + b"caf\xe9 " + one)
    assert load_word2vec_format(path, unicode_errors="replace")[0] == ["ab", "caf\ufffd"]
    assert load_word2vec_format(path, limit=1)[0] == ["ab"]  # the damage past the limit is not read
    path.write_bytes(b"10 1\n" + record)
    assert failure(path) == (f"{path}: truncated: the header promises 10 words of dimension 1, 60 bytes at least, "
                             "and the file has 13")


def traced_peak(load):
    tracemalloc.start()
    try:
        result = load()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# The bound on what reading holds besides the matrix: the words themselves (20,000
# strings and their list, 1.3 MB, with the set that checks they are unique), two blocks
# of the file (2 MB: the rest of one joined to the next), a batch of lines or records
# (under 1 MB), and for a headerless file the matrix's unused growth (here 0.4 MB).
# About 4 MB is measured; the reader that read the body whole held 11.5 MB here.
OVERHEAD = 8 << 20


def big_file(path, rows, dim, header):
    """A file of ``rows`` words, every vector 0, 1, ..., dim - 1: quick to write as text."""
    if formats.is_binary_path(path):
        save_word2vec_format(path, [f"w{i}" for i in range(rows)], np.tile(np.arange(dim, dtype=np.float32), (rows, 1)))
        return
    numbers = " " + " ".join(map(str, range(dim))) + "\n"
    text = (f"{rows} {dim}\n" if header else "") + "".join(f"w{i}{numbers}" for i in range(rows))
    opener = OPENERS.get(os.path.splitext(path)[1], open)
    with opener(path, "wb") as stream:
        stream.write(text.encode())


@pytest.mark.parametrize("name", ["big.bin", "big.txt"])
def test_reading_holds_the_matrix_and_a_few_mb(tmp_path, name):
    path = tmp_path / name
    big_file(path, 20_000, 100, header=False)
    (words, vectors), peak = traced_peak(lambda: load_word2vec_format(path))
    assert words == [f"w{i}" for i in range(20_000)] and (vectors == np.arange(100)).all()
    assert vectors.nbytes < peak < vectors.nbytes + OVERHEAD, (peak, vectors.nbytes, os.path.getsize(path))


@pytest.mark.parametrize("name", ["big.bin", "big.txt", "glove.txt", "big.bin.gz", "glove.txt.gz"])
def test_a_limit_reads_only_the_start_of_a_big_file(tmp_path, monkeypatch, name):
    monkeypatch.setattr(formats, "BLOCK_BYTES", 1 << 16)
    path = tmp_path / name
    big_file(path, 20_000, 50, header="glove" not in name)
    read = []
    real = formats.open_binary

    def counting(where):
        stream = real(where)
        close = stream.close
        stream.close = lambda: (read.append(stream.position), close())
        return stream

    monkeypatch.setattr(formats, "open_binary", counting)
    assert load_word2vec_format(path, limit=10)[0] == [f"w{i}" for i in range(10)]
    with formats.open_binary(path) as stream:
        whole = len(stream.read())
    assert whole > 2_000_000 and read[0] < 100_000, (read, whole)


@pytest.mark.parametrize("name", ["v.vec", "v.bin"])
def test_word2vec_files_refuse_what_could_not_be_read_back_and_keep_the_file_there(tmp_path, name):
    # NaN vectors were written, over a good file, into one that load refuses.
    path = tmp_path / name
    formats.save_word2vec_format(path, ["a", "b"], np.ones((2, 3), np.float32))
    before = path.read_bytes()
    nan = np.ones((2, 3), np.float32)
    nan[1, 2] = np.nan
    for words, vectors, message in (
            (["a", "b"], nan, f"{path}: not written: the vector of 'b' has a value that is NaN or infinite (1 such "
                              "words); vectors must be finite numbers"),
            (["a", 5], np.ones((2, 3)), "word 5 cannot be written in word2vec"),  # was Python's TypeError
            (["a", None], np.ones((2, 3)), "word None cannot be written in word2vec"),  # passed the check
            # A lone surrogate, as unicode_errors="surrogateescape" reads a latin-1 word: UnicodeEncodeError.
            (["a", "caf\udce9"], np.ones((2, 3)), f"{path}: not written: word 'caf\\udce9' is not encodable as UTF-8 "
                                                 "(surrogates not allowed)"),
    ):
        with pytest.raises(EmbedError, match=re.escape(message)):
            formats.save_word2vec_format(path, words, vectors)
    assert path.read_bytes() == before and os.listdir(tmp_path) == [name]


def test_output_format_by_name():
    assert [output_format(n) for n in ["m.embed", "v.vectors", "v.bin", "v.bin.xz", "v.vec", "v.txt.gz", "v"]] == [
        "model", "vectors", "binary", "binary", "text", "text", "text"]
    # Refused by name, before training: m.embed.gz was written as gzipped word2vec text.
    for name, what in (("m.embed.gz", "a model file is a zip archive"),
                       ("v.vectors.bz2", "a vectors file is meant to be memory-mapped")):
        with pytest.raises(EmbedError, match=f"^{name}: {what} and cannot be compressed; name it without"):
            output_format(name)


# -- the native vectors file ---------------------------------------------------------------


def test_vectors_file_round_trips_in_memory_and_mapped(tmp_path):
    words = ["paris", "köln", "\u4e2d\u6587", "a b"]  # a space is fine in a word here
    vectors = matrix(len(words), dim=7)
    counts = np.array([50, 40, 3, 1], np.int64)
    path = tmp_path / "v.vectors"
    write_vectors_file(path, words, vectors, counts)
    assert is_vectors_file(path) and not is_vectors_file(tmp_path / "none") and not is_vectors_file(tmp_path)
    got_words, got, got_counts = read_vectors_file(path)
    assert got_words == words and type(got) is np.ndarray and got.dtype == np.float32
    np.testing.assert_array_equal(got, vectors)
    np.testing.assert_array_equal(got_counts, counts)
    got_words, got, got_counts = read_vectors_file(path, mmap="r")
    assert isinstance(got, np.memmap) and isinstance(got_counts, np.memmap) and not got.flags.writeable
    np.testing.assert_array_equal(got, vectors)
    np.testing.assert_array_equal(got_counts, counts)
    with pytest.raises(ValueError):
        got[0, 0] = 1
    for mmap in (None, "r"):
        got_words, got, got_counts = read_vectors_file(path, mmap=mmap, limit=2)
        assert got_words == words[:2] and got.shape == (2, 7) and got_counts.tolist() == [50, 40]
        np.testing.assert_array_equal(got, vectors[:2])
        assert read_vectors_file(path, mmap=mmap, limit=100)[0] == words
    write_vectors_file(path, words, vectors.astype(np.float64))  # no counts; float64 is written as float32
    got_words, got, got_counts = read_vectors_file(path, mmap="r")
    assert got_counts is None and got.dtype == np.float32
    np.testing.assert_array_equal(got, vectors)
    write_vectors_file(path, [], np.empty((0, 3), np.float32))
    for mmap in (None, "r"):
        got_words, got, got_counts = read_vectors_file(path, mmap=mmap)
        assert got_words == [] and got.shape == (0, 3)


def test_vectors_file_layout_is_the_documented_one(tmp_path):
    words, vectors, counts = ["b", "köln"], np.array([[1, 2], [3, 4]], np.float32), [9, 8]
    path = tmp_path / "v.vectors"
    write_vectors_file(path, words, vectors, counts)
    data = path.read_bytes()
    magic, header, _ = data.split(b"\n", 2)
    assert magic == b"embed-vectors 1"
    header = json.loads(header)
    assert (header["count"], header["dim"], header["dtype"]) == (2, 2, "<f4")
    section = header["words"]
    assert data[section["offset"] : section["offset"] + section["length"]] == "b\nköln".encode()
    section = header["counts"]
    assert np.frombuffer(data, "<i8", 2, section["offset"]).tolist() == counts
    section = header["vectors"]
    assert section["offset"] % 64 == 0 and section["length"] == 16 and len(data) == section["offset"] + 16
    np.testing.assert_array_equal(np.frombuffer(data, "<f4", 4, section["offset"]).reshape(2, 2), vectors)


def test_many_words_open_mapped(tmp_path):
    words = [f"w{i}" for i in range(200_000)]
    vectors = np.arange(len(words) * 2, dtype=np.float32).reshape(-1, 2)
    path = tmp_path / "many.vectors"
    write_vectors_file(path, words, vectors, np.arange(len(words)))
    got_words, got, got_counts = read_vectors_file(path, mmap="r")
    assert got_words == words and np.array_equal(got, vectors) and got_counts[-1] == len(words) - 1


def damaged(path, content, **options):
    path.write_bytes(content)
    with pytest.raises(EmbedError) as error:
        read_vectors_file(path, **options)
    return str(error.value)


def test_damaged_vectors_files_are_one_line(tmp_path):
    good = tmp_path / "good.vectors"
    write_vectors_file(good, ["a", "b", "c"], matrix(3, 4), [3, 2, 1])
    data = good.read_bytes()
    magic, header, body = data.split(b"\n", 2)
    path = tmp_path / "bad.vectors"
    hurt = f"{path}: damaged or not an embed vectors file"

    def edited(**changes):
        fields = json.loads(header)
        fields.update(changes)
        return magic + b"\n" + json.dumps(fields).encode().ljust(len(header)) + b"\n" + body

    assert damaged(path, b"2 3\na 1 2 3\n") == (f"{path}: not an embed vectors file (it does not start with "
                                               "'embed-vectors'; vectors files are written by write_vectors_file)")
    assert damaged(path, b"embed-vectors 2\n{}\n") == (f"{path}: vectors file version 2 is newer than this embed "
                                                       "reads (1); upgrade embed")
    assert damaged(path, b"embed-vectors one\n") == f"{hurt} (the version on line 1 is 'one')"
    assert damaged(path, magic + b"\n{\"count\": 3,") == f"{hurt} (the header on line 2 is unreadable: it is cut short)"
    assert damaged(path, magic + b"\n{count}\n" + body).startswith(
        f"{hurt} (the header on line 2 is unreadable: not JSON: ")
    assert damaged(path, data[:-1]) == f"{hurt} (cut short: the vectors section ends at byte {len(data):,}, " \
                                      f"and the file has {len(data) - 1:,} bytes)"
    assert damaged(path, edited(count=4)) == f"{hurt} (the counts section has 24 bytes, 4 words need 32)"
    assert damaged(path, edited(dtype="<f8")) == f"{hurt} (the matrix's type is '<f8', not '<f4')"
    assert damaged(path, edited(dim="4")) == f"{hurt} (the header on line 2 has no word count and dimension)"
    assert damaged(path, edited(words=None)) == f"{hurt} (the header's words section is None)"
    words = json.loads(header)["words"]
    assert damaged(path, edited(words={**words, "length": 3})) == (
        f"{hurt} (the header promises 3 words, the word list has 2)")
    assert damaged(path, data.replace(b"a\nb\nc", b"a\nb\n\xff")) == (
        f"{hurt} (the word list is not valid UTF-8 at byte {words['offset'] + 4:,})")
    assert damaged(path, data, mmap="w") == "mmap must be None (read into memory) or 'r' (read-only map), got 'w'"
    assert damaged(path, data, limit=0) == "limit must be a number of words >= 1, got 0"
    with pytest.raises(EmbedError) as error:
        read_vectors_file(tmp_path / "missing.vectors")
    assert str(error.value) == f"{tmp_path / 'missing.vectors'}: no such file"


def test_vectors_files_refuse_what_could_not_be_read_back(tmp_path, monkeypatch):
    path = tmp_path / "v.vectors"

    def refusal(where, words, vectors, counts=None):
        with pytest.raises(EmbedError) as error:
            write_vectors_file(where, words, vectors, counts)
        return str(error.value)

    two = matrix(2, 3)
    assert refusal(tmp_path / "v.vectors.gz", ["a", "b"], two) == (
        f"{tmp_path / 'v.vectors.gz'}: a vectors file is meant to be memory-mapped and cannot be compressed; "
        "name it without .gz")
    assert refusal(path, ["a", "b\nc"], two) == (
        "word 'b\\nc' cannot be written in a vectors file (not a string, empty, or has '\\n')")
    assert refusal(path, ["a", ""], two) == (
        "word '' cannot be written in a vectors file (not a string, empty, or has '\\n')")
    assert refusal(path, ["a", "a"], two) == (
        "word 'a' appears twice (as words 1 and 2); a vectors file holds each word once")
    assert refusal(path, ["a", "\ud800"], two) == (
        "word '\\ud800' cannot be written in a vectors file (not encodable as UTF-8: surrogates not allowed)")
    assert refusal(path, ["a"], two) == "expected 1 vectors of at least one dimension, got an array of shape (2, 3)"
    assert refusal(path, ["a", "b"], two, [1]) == (
        "expected 2 whole-number counts, got an array of shape (1,) and type int64")
    assert not path.exists()
    # A failure halfway through the matrix leaves the file that was there, and no debris.
    write_vectors_file(path, ["a", "b"], two)
    before = path.read_bytes()
    monkeypatch.setattr("embed.vectors.vectors_file.CHUNK_VALUES", 3)
    late_nan = matrix(4, 3)
    late_nan[3, 1] = np.nan
    assert refusal(path, ["a", "b", "c", "d"], late_nan) == (
        f"{path}: not written: the vector of 'd' has a value that is NaN or infinite; vectors must be finite numbers")
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["v.vectors"]


def test_a_path_that_is_not_a_path_and_switches_that_are_not_switches_are_one_line(tmp_path):
    # A number was taken by open() as a file descriptor: Vectors.load(5) read whatever
    # file the process held as 5, then closed it. None failed deep in os.
    good = tmp_path / "v.txt"
    formats.save_word2vec_format(good, ["a", "b"], np.ones((2, 3), np.float32))
    before = good.read_bytes()
    vectors = Vectors(["a", "b"], np.ones((2, 3), np.float32))
    read_fd, write_fd = os.pipe()
    try:
        for bad in (None, read_fd, b"v.txt"):
            shown = re.escape(f"got {type(bad).__name__} {bad!r}")
            for call in (lambda: Vectors.load(bad), lambda: load_vectors(bad), lambda: vectors.save_word2vec_format(bad),
                         lambda: vectors.save(bad), lambda: formats.load_word2vec_format(bad),
                         lambda: Word2Vec.load(bad)):
                with pytest.raises(EmbedError, match=rf"^a file's path must be a str or an os.PathLike, {shown}$"):
                    call()
        os.fstat(read_fd)  # still open
    finally:
        os.close(read_fd)
        os.close(write_fd)
    # binary="no" counted as true, and an unknown error handler was codecs' LookupError.
    with pytest.raises(EmbedError, match=r"^binary must be True, False or None \(decided by the file\), got 'no'$"):
        vectors.save_word2vec_format(good, binary="no")
    for keywords in ({"binary": "yes"}, {"no_header": 2}):  # 0 and 1 are taken, as gensim users pass them
        with pytest.raises(EmbedError, match=r"must be True, False or None \(decided by the file\)"):
            Vectors.load_word2vec_format(good, **keywords)
    with pytest.raises(EmbedError, match=r"^unicode_errors must be an error handler of Python's codecs .*got 'bogus'$"):
        Vectors.load_word2vec_format(good, unicode_errors="bogus")
    assert good.read_bytes() == before and os.listdir(tmp_path) == ["v.txt"]
    assert Vectors.load_word2vec_format(good, binary=np.bool_(False), unicode_errors="replace").words == ["a", "b"]


def test_a_utf8_byte_order_mark_is_read_as_the_corpus_reader_reads_it(tmp_path):
    # Windows tools write one. The header "\ufeff2 3" was taken for a GloVe line of one
    # number, a GloVe file's first word was '\ufeffberlin', an analogies file's first
    # section a question, and a pairs file's first pair out of the vocabulary.
    from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs

    bom = b"\xef\xbb\xbf"
    (tmp_path / "v.vec").write_bytes(bom + b"2 3\nberlin 1 0 0\nparis 0 1 0\n")
    (tmp_path / "glove.txt").write_bytes(bom + b"berlin 1 0 0\nparis 0 1 0\n")
    for name in ("v.vec", "glove.txt"):
        assert Vectors.load(tmp_path / name).words == ["berlin", "paris"]
    vectors = Vectors(["berlin", "germany", "paris", "france"], np.random.default_rng(0).normal(size=(4, 5)))
    (tmp_path / "q.txt").write_bytes(bom + b": capitals\nberlin germany paris france\n")
    assert evaluate_word_analogies(vectors, tmp_path / "q.txt").total.answered == 1
    (tmp_path / "pairs.tsv").write_bytes(bom + b"berlin\tgermany\t9\nparis\tfrance\t8\nberlin\tparis\t2\n")
    assert evaluate_word_pairs(vectors, tmp_path / "pairs.tsv").pairs == 3


def test_a_name_that_says_another_format_and_switches_of_the_wrong_kind_are_one_line(tmp_path):
    # A model saved as m.bin was a zip no word2vec reader takes; vectors saved as x.vec
    # were embed's mapped layout; out.zip was word2vec text; "no" counted as true.
    vectors = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    model = Word2Vec(min_count=1, dim=2).build_vocab([["a", "b"]] * 3)
    for call, message in (
            (lambda: vectors.save(tmp_path / "x.vec"), "x.vec: the name says word2vec text, and this writes a vectors "
                                                       "file: name it .vectors, or write word2vec text with "
                                                       "save_word2vec_format"),
            (lambda: model.save(tmp_path / "m.bin"), "m.bin: the name says word2vec binary, and this writes a model: "
                                                     "name it .embed"),
            (lambda: vectors.save_word2vec_format(tmp_path / "o.embed"), "o.embed: the name says a model, and this "
                                                                         "writes word2vec text"),
            (lambda: vectors.save_word2vec_format(tmp_path / "out.zip"), "out.zip: embed does not write zip archives"),
            (lambda: vectors.get_vector("a", norm="yes"), "norm must be True or False, got 'yes'"),
            (lambda: vectors.fill_norms(force="no"), "force must be True or False, got 'no'"),
            (lambda: model.build_vocab([["a", "b"]], update="no"), "update must be True or False, got 'no'"),
            (lambda: model.train([["a", "b"]], progress="no"), "progress must be True or False, got 'no'"),
    ):
        with pytest.raises(EmbedError) as caught:
            call()
        assert str(caught.value).startswith(message if "must be" in message else f"{tmp_path}/{message}")
    assert os.listdir(tmp_path) == []
    # A text file read as binary, with a limit that stopped before the trailing-bytes check:
    # ASCII digits read as floats, without a word.
    Vectors(["a", "b"], np.full((2, 4), 0.123456, np.float32)).save_word2vec_format(tmp_path / "v.vec")
    with pytest.raises(EmbedError, match=r"v.vec: the first word's 16 vector bytes are text \(b'0.123456"):
        Vectors.load_word2vec_format(tmp_path / "v.vec", binary=True, limit=1)
    # A header of 0 words, which the reader refuses, was written.
    with pytest.raises(EmbedError, match=r"none.vec: not written: there are no vectors to write$"):
        Vectors([], np.zeros((0, 3))).save_word2vec_format(tmp_path / "none.vec")
