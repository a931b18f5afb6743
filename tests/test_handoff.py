"""Handing vectors to other tools: the Embedding Projector's files (TensorBoard,
projector.tensorflow.org) and gensim's KeyedVectors (an optional peer: its tests skip
where it is not installed)."""

import contextlib
import os
import shutil
import sys

import numpy as np
import pytest

from embed.errors import EmbedError
from embed.vectors import projector
from embed.vectors.interop import from_gensim, to_gensim
from embed.vectors.projector import write_projector

WORDS = ["the", "new\tyork", "a\\b", "line\nbreak", "cr\rx", " ", "\u3000", "last"]
CONFIG = ('embeddings {\n  tensor_name: "word_vectors"\n  tensor_path: "tensors.tsv"\n'
          '  metadata_path: "metadata.tsv"\n}\n')


def awkward_matrix(rows):
    """Values whose decimal forms are easy to get wrong: 0.1, -0, a subnormal, the
    largest float32, a third, and random ones."""
    special = np.array([0.1, -0.0, 1e-45, 3.4028235e38, 1 / 3, -2.5], dtype=np.float32)
    matrix = np.random.default_rng(1).normal(size=(rows, 6)).astype(np.float32)
    matrix[0] = special
    return matrix


def read_tensors(path):
    with open(path, encoding="ascii", newline="") as f:
        return np.array([[np.float32(x) for x in line.split("\t")] for line in f.read().split("\n")[:-1]])


def projector_labels(path):
    """metadata.tsv read by the projector's own rules (parseMetadata in TensorBoard's
    vz_projector): rows end at \\n, a row that trim() leaves empty is skipped, and a tab in
    the first row makes it a header."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = [row for row in f.read().split("\n") if row.strip().strip("\ufeff").strip()]
    assert "\t" not in rows[0], "the first row would be taken as a header"
    return rows


def test_projector_files_hold_the_words_the_vectors_and_the_config(tmp_path):
    folder = tmp_path / "new" / "projector"  # created, parents too
    matrix = awkward_matrix(len(WORDS))
    paths = write_projector(folder, WORDS, matrix)
    assert paths == [str(folder / "tensors.tsv"), str(folder / "metadata.tsv"), str(folder / "projector_config.pbtxt")]
    assert sorted(os.listdir(folder)) == ["metadata.tsv", "projector_config.pbtxt", "tensors.tsv"]  # no debris

    tensors = (folder / "tensors.tsv").read_bytes().decode("ascii")
    assert tensors.split("\n")[0] == "0.100000001\t-0\t1.40129846e-45\t3.40282347e+38\t0.333333343\t-2.5"
    assert tensors.endswith("\n") and tensors.count("\n") == len(WORDS)
    back = read_tensors(folder / "tensors.tsv")
    assert back.dtype == np.float32 and back.tobytes() == matrix.tobytes()  # bit for bit, -0 included

    metadata = (folder / "metadata.tsv").read_bytes().decode("utf-8")
    assert metadata == "the\nnew\\tyork\na\\\\b\nline\\nbreak\ncr\\rx\n\\x20\n\\u3000\nlast\n"
    assert len(projector_labels(folder / "metadata.tsv")) == len(WORDS)  # one label per row of tensors
    assert (folder / "projector_config.pbtxt").read_text() == CONFIG


def test_a_tab_in_the_first_word_does_not_make_a_header(tmp_path):
    paths = write_projector(tmp_path, ["a\tb", "c"], np.eye(2))
    assert projector_labels(paths[1]) == ["a\\tb", "c"]


def test_the_limit_keeps_the_first_words(tmp_path):
    matrix = awkward_matrix(len(WORDS))
    write_projector(tmp_path / "two", WORDS, matrix, limit=2)
    assert (tmp_path / "two" / "metadata.tsv").read_text() == "the\nnew\\tyork\n"
    assert read_tensors(tmp_path / "two" / "tensors.tsv").tobytes() == matrix[:2].tobytes()
    write_projector(tmp_path / "all", WORDS, matrix, limit=1000)
    assert read_tensors(tmp_path / "all" / "tensors.tsv").tobytes() == matrix.tobytes()
    for bad in (0, -1, 2.5, True):
        with pytest.raises(EmbedError, match=rf"^limit must be a number of words >= 1, got {bad!r}$"):
            write_projector(tmp_path / "bad", WORDS, matrix, limit=bad)
    assert not (tmp_path / "bad").exists()


def test_the_folder_can_be_moved(tmp_path):
    write_projector(tmp_path / "here", ["a", "b"], np.eye(2))
    moved = shutil.move(tmp_path / "here", tmp_path / "there")
    config = (moved / "projector_config.pbtxt").read_text()
    for name in ("tensors.tsv", "metadata.tsv"):
        assert f'"{name}"' in config and (moved / name).is_file()


def test_blocks_change_nothing_and_bound_each_write(tmp_path, monkeypatch):
    words = [f"w{i}" for i in range(50)]
    matrix = np.random.default_rng(2).normal(size=(50, 3)).astype(np.float32)
    whole = [open(p, "rb").read() for p in write_projector(tmp_path / "whole", words, matrix)]
    sizes = []
    real = projector.atomic_write

    @contextlib.contextmanager
    def measured(path, mode):
        with real(path, mode) as stream:
            write = stream.write
            stream.write = lambda data: sizes.append(len(data)) or write(data)
            yield stream

    monkeypatch.setattr(projector, "atomic_write", measured)
    monkeypatch.setattr(projector, "_VALUES_PER_BLOCK", 12)  # 4 rows of tensors, 1 word of metadata
    assert [open(p, "rb").read() for p in write_projector(tmp_path / "blocks", words, matrix)] == whole
    assert len(sizes) > 60 and max(sizes) <= 4 * 3 * 16  # "-1.23456789e-38" and its tab: 16 bytes


def test_projector_refusals_are_one_line_and_touch_nothing(tmp_path):
    matrix = np.eye(3, dtype=np.float32)
    file = tmp_path / "file"
    file.write_text("keep")
    cases = [
        (file, ["a", "b", "c"], matrix, f"{file}: is a file, not a folder; name a folder for the projector's files"),
        (file / "sub", ["a", "b", "c"], matrix, f"{file / 'sub'}: cannot create the output folder: Not a directory"),
        ("", ["a", "b", "c"], matrix, "the output folder path is empty"),
        (tmp_path / "o", ["a", "b"], matrix, "expected a 2 x d matrix for 2 words, got shape (3, 3)"),
        (tmp_path / "o", ["a", "", "c"], matrix, "word 1 is empty; the projector cannot show an empty label"),
        (tmp_path / "o", ["a", 7, "c"], matrix, "words are strings, got 7 (word 1)"),
        (tmp_path / "o", [], np.zeros((0, 3)), f"{tmp_path / 'o'}: no words to write"),
        (tmp_path / "o", ["a", "b", "c"], matrix[:, :1],
         "the projector needs vectors of at least 2 dimensions, these have 1"),
        (tmp_path / "o", ["a", "b", "c"], np.array([[1, 2], [np.nan, 0], [np.inf, 1]]),
         f"{tmp_path / 'o'}: the vector of 'b' has a value that is NaN or infinite (2 such words); "
         "vectors must be finite numbers"),
    ]
    for folder, words, vectors, message in cases:
        with pytest.raises(EmbedError) as caught:
            write_projector(folder, words, vectors)
        assert str(caught.value) == message and "\n" not in message
    assert file.read_text() == "keep" and sorted(os.listdir(tmp_path)) == ["file"]  # no folder "o" made


def test_an_output_that_cannot_be_replaced_is_refused_before_any_file_is_written(tmp_path):
    (tmp_path / "metadata.tsv").mkdir()
    with pytest.raises(EmbedError, match=r"metadata.tsv: is a directory; name a file to write$"):
        write_projector(tmp_path, ["a", "b"], np.eye(2))
    assert os.listdir(tmp_path) == ["metadata.tsv"]
    os.rmdir(tmp_path / "metadata.tsv")
    (tmp_path / "tensors.tsv").write_text("old")
    os.chmod(tmp_path / "tensors.tsv", 0o444)  # refused by its mode, so for root too
    with pytest.raises(EmbedError, match=r"tensors.tsv: the file exists and is read-only; it is not replaced$"):
        write_projector(tmp_path, ["a", "b"], np.eye(2))
    assert os.listdir(tmp_path) == ["tensors.tsv"] and (tmp_path / "tensors.tsv").read_text() == "old"


def test_a_failed_write_leaves_every_file_as_it_was(tmp_path, monkeypatch):
    paths = write_projector(tmp_path, ["a", "b"], np.eye(2))
    before = [open(p, "rb").read() for p in paths]

    def full_disk(stream, words):
        stream.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(projector, "_write_metadata", full_disk)
    with pytest.raises(EmbedError) as caught:
        write_projector(tmp_path, ["c", "d", "e"], np.ones((3, 2)))
    assert str(caught.value) == f"{paths[1]}: cannot write it (No space left on device); the folder is as it was"
    assert [open(p, "rb").read() for p in paths] == before  # the tensors, written in full, were not put in place
    assert sorted(os.listdir(tmp_path)) == ["metadata.tsv", "projector_config.pbtxt", "tensors.tsv"]


# -- gensim ---------------------------------------------------------------------------------

def vocabulary(n=300, dim=20, seed=3):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n - 3)] + ["köln", "東京", "new york"]
    return words, rng.normal(size=(n, dim)).astype(np.float32), rng.integers(1, 10_000, size=n)


def test_to_gensim_and_back_keeps_words_vectors_and_counts():
    gensim = pytest.importorskip("gensim")
    words, matrix, counts = vocabulary()
    kv = to_gensim(words, matrix, counts)
    assert isinstance(kv, gensim.models.KeyedVectors)
    assert kv.index_to_key == words and all(kv.key_to_index[w] == i for i, w in enumerate(words))
    assert kv.vectors.dtype == np.float32 and kv.vectors.tobytes() == matrix.tobytes()
    assert not np.shares_memory(kv.vectors, matrix)  # gensim may normalise its copy in place
    assert [kv.get_vecattr(w, "count") for w in words] == counts.tolist()

    by_hand = gensim.models.KeyedVectors(matrix.shape[1])  # counts as gensim's own loaders set them
    by_hand.add_vectors(words, matrix)
    for word, count in zip(words, counts.tolist()):
        by_hand.set_vecattr(word, "count", count)
    assert kv.expandos["count"].dtype == by_hand.expandos["count"].dtype

    back_words, back_vectors, back_counts = from_gensim(kv)
    assert back_words == words and back_vectors.tobytes() == matrix.tobytes()
    assert back_counts.tolist() == counts.tolist()
    assert from_gensim(to_gensim(words, matrix))[2] is None
    assert from_gensim(by_hand)[2].tolist() == counts.tolist()


def test_most_similar_on_converted_vectors_is_what_gensim_gives_on_its_own():
    gensim = pytest.importorskip("gensim")
    words, matrix, counts = vocabulary()
    converted = to_gensim(words, matrix, counts)
    direct = gensim.models.KeyedVectors(matrix.shape[1])
    direct.add_vectors(words, matrix)
    for query in ("w0", "w17", "köln", "東京", "new york"):
        assert converted.most_similar(query, topn=10) == direct.most_similar(query, topn=10)
    assert (converted.most_similar(positive=["w1", "w2"], negative=["w3"], topn=5)
            == direct.most_similar(positive=["w1", "w2"], negative=["w3"], topn=5))


def test_from_gensim_takes_a_word2vec_model_or_its_vectors():
    gensim = pytest.importorskip("gensim")
    sentences = [["cat", "dog", "cat", "cow"], ["saw", "drill", "saw", "cat"]] * 5
    model = gensim.models.Word2Vec(sentences, vector_size=8, min_count=1, workers=1, seed=1, epochs=1)
    for source in (model, model.wv):
        words, vectors, counts = from_gensim(source)
        assert words == model.wv.index_to_key and words[0] == "cat"
        assert vectors.tobytes() == model.wv.vectors.tobytes()
        assert counts.tolist() == [model.wv.get_vecattr(w, "count") for w in words] and counts[0] == 15
    unfilled = gensim.models.KeyedVectors(2, count=3)  # preallocated rows with no key yet
    unfilled.add_vector("only", np.array([1.0, 2.0], dtype=np.float32))
    words, vectors, counts = from_gensim(unfilled)
    assert words == ["only"] and vectors.tolist() == [[1.0, 2.0]] and counts is None


def test_interop_refusals_are_one_line():
    gensim = pytest.importorskip("gensim")
    numbered = gensim.models.KeyedVectors(2)
    numbered.add_vectors([5, 6], np.eye(2))
    cases = [
        (lambda: to_gensim(["a", "b", "a"], np.eye(3)), "word 'a' appears twice"),
        (lambda: to_gensim(["a", "b"], np.eye(3)), "expected a 2 x d matrix for 2 words, got shape (3, 3)"),
        (lambda: to_gensim(["a", 1], np.eye(2)), "words are strings, got 1 (word 1)"),
        (lambda: to_gensim(["a", "b"], np.eye(2), [1]),
         "counts must be 2 whole numbers >= 0, one per word, got an array of shape (1,) and type int64"),
        (lambda: to_gensim(["a", "b"], np.eye(2), [1.0, 2.0]),
         "counts must be 2 whole numbers >= 0, one per word, got an array of shape (2,) and type float64"),
        (lambda: to_gensim(["a", "b"], np.eye(2), [1, -1]), "counts must be whole numbers >= 0, got -1 for 'b'"),
        (lambda: from_gensim(np.eye(2)),
         "from_gensim takes a gensim KeyedVectors or a model with one as .wv (Word2Vec, FastText), got ndarray"),
        (lambda: from_gensim(numbered), "key 5 (row 0) is not a string; embed's words are strings"),
    ]
    for call, message in cases:
        with pytest.raises(EmbedError) as caught:
            call()
        assert str(caught.value) == message


def test_without_gensim_the_error_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "gensim", None)  # what an environment without gensim gives import
    calls = {"to_gensim": lambda: to_gensim(["a", "b"], np.eye(2)), "from_gensim": lambda: from_gensim(object())}
    for name, call in calls.items():
        with pytest.raises(EmbedError) as caught:
            call()
        assert str(caught.value) == f"{name} needs gensim: pip install gensim"
