"""The input is what the user meant: scripts, encodings, pipes, damaged and oversized
files, compressed output, impossible sizes. Each case once in Python, and on the
command line where users meet it."""

import bz2
import gzip
import lzma
import os
import re
import shutil
import subprocess
import sys
import unicodedata

import numpy as np
import pytest

from embed import Config, Phrases, Vectors, Word2Vec, load_vectors, train
from embed.errors import EmbedError
from embed.text.corpus import Corpus, read_sentences
from embed.text.tokenizer import Tokenizer, _letters_and_marks


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "embed.cli", *map(str, args)], capture_output=True, text=True,
                          stdin=stdin, timeout=120)


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("embed: error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "text,words",
    [
        ("हिन्दी भाषा", ["हिन्दी", "भाषा"]),  # Devanagari: vowel signs and virama are marks
        ("اللُّغَةُ العَرَبِيَّة", ["اللُّغَةُ", "العَرَبِيَّة"]),  # Arabic with its diacritics
        ("தமிழ் மொழி", ["தமிழ்", "மொழி"]),  # Tamil
        ("ภาษาไทย ง่าย", ["ภาษาไทย", "ง่าย"]),  # Thai, its words split by the spaces given
        (unicodedata.normalize("NFD", "Résumé café"), ["résumé", "café"]),  # decomposed Latin
        ("İstanbul Türkiye", [unicodedata.normalize("NFC", "i\u0307stanbul"), "türkiye"]),
    ],
)
def test_a_word_in_any_script_comes_out_whole_and_composed(text, words):
    assert Tokenizer().tokens(text) == words
    assert all(unicodedata.is_normalized("NFC", w) for w in Tokenizer().tokens(text))


def test_every_combining_mark_python_knows_is_kept_in_words():
    pattern = _letters_and_marks()
    marks = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)).startswith("M")]
    assert len(marks) > 2000 and all(pattern.fullmatch("a" + m) for m in marks)


def test_decomposed_queries_find_composed_words():
    vectors = Vectors(["résumé"], np.ones((1, 2), np.float32))
    assert unicodedata.normalize("NFD", "résumé") in vectors
    assert vectors[unicodedata.normalize("NFD", "résumé")].tolist() == [1.0, 1.0]


def test_a_tokenizer_function_splits_what_no_pattern_can(tmp_path):
    path = tmp_path / "zh.txt"
    path.write_text("北京|是|中国|的|首都\n上海|是|中国|的|城市\n" * 20, encoding="utf-8")
    model = Word2Vec(Config(dim=8, min_count=1, epochs=1, workers=1, sample=0), tokenizer=lambda line: line.split("|"))
    model.build_vocab(path).train(path, progress=False)
    assert set(model.wv.words) == {
        "北京", "是", "中国", "的", "首都", "上海", "城市"}
    with pytest.raises(EmbedError, match="must return a list of strings"):
        Word2Vec(Config(min_count=1), tokenizer=lambda line: line).build_vocab(path)
    # A generator, as jieba.cut gives: the check read it up, and every sentence was empty.
    model = Word2Vec(Config(dim=8, min_count=1, epochs=1, workers=1, sample=0), tokenizer=lambda line: iter(line.split("|")))
    assert set(model.build_vocab(path).vocab.words) == {"北京", "是", "中国", "的", "首都", "上海", "城市"}
    # None was "'NoneType' object is not iterable"; a tokenizer that is no function was
    # taken, and failed at the first line read.
    with pytest.raises(EmbedError, match=r"must return a list of strings, got None$"):
        Word2Vec(Config(min_count=1), tokenizer=lambda line: None).build_vocab(path)
    with pytest.raises(EmbedError, match="^tokenizer must be a function from a line of text to a list of tokens, got 5$"):
        Word2Vec(tokenizer=5)
    # Pre-tokenised text on the command line: whitespace-separated tokens, kept as they are.
    spaced = tmp_path / "spaced.txt"
    spaced.write_text("北京 是 中国 的 首都\n" * 20, encoding="utf-8")
    assert list(read_sentences(spaced, Tokenizer(r"\S+")))[0] == ["北京", "是", "中国", "的", "首都"]


@pytest.mark.parametrize(
    "encoding,prefix,found",
    [
        ("utf-16", b"", "UTF-16 (little-endian; it starts with the byte-order mark FF FE)"),
        ("utf-16-be", b"\xfe\xff", "UTF-16 (big-endian; it starts with the byte-order mark FE FF)"),
        ("utf-32", b"", "UTF-32 (little-endian; it starts with the byte-order mark FF FE 00 00)"),
        # No mark: told by its NUL bytes, and where they fall. The advice was utf-16,
        # which refuses text without the mark.
        ("utf-16-le", b"", "UTF-16 (little-endian, without a byte-order mark: 50% of its first"),
        ("utf-16-be", b"", "UTF-16 (big-endian, without a byte-order mark: 50% of its first"),
        ("utf-32-le", b"", "UTF-32 (little-endian, without a byte-order mark: 75% of its first"),
        ("utf-32-be", b"", "UTF-32 (big-endian, without a byte-order mark: 75% of its first"),
    ],
)
def test_utf16_and_utf32_are_recognised_and_read_as_the_message_says(tmp_path, encoding, prefix, found):
    path = tmp_path / "wide.txt"
    path.write_bytes(prefix + "paris is in france\n".encode(encoding))
    with pytest.raises(EmbedError, match="convert it with iconv") as error:
        list(read_sentences(path))
    assert f"{path}: the text is {found}" in str(error.value)
    advised = re.search(r"--encoding (\S+)", str(error.value)).group(1)
    assert list(read_sentences(path, encoding=advised)) == [["paris", "is", "in", "france"]]
    if shutil.which("iconv"):  # the command the message gives converts it (glibc's iconv refused UTF-16-LE)
        command = re.search(r"iconv -f (\S+) -t UTF-8 ", str(error.value)).group(1)
        converted = subprocess.run(["iconv", "-f", command, "-t", "UTF-8", str(path)], capture_output=True)
        assert converted.returncode == 0 and converted.stdout.endswith(b"paris is in france\n"), converted.stderr


def test_latin1_text_is_read_by_naming_its_encoding(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café naïve\n".encode("latin-1") * 20)
    assert list(read_sentences(path, encoding="latin-1"))[0] == ["café", "naïve"]
    result = run("train", path, "-o", tmp_path / "v.vec", "--encoding", "latin-1", "--min-count", "1", "--dim", "4",
                 "--sample", "0", "--epochs", "1", "--quiet")
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    assert set(load_vectors(tmp_path / "v.vec").words) == {"café", "naïve"}
    assert "encoding must be a text encoding" in one_error_line(
        run("train", path, "-o", tmp_path / "v.vec", "--encoding", "utf-9"))


def test_a_utf16_corpus_is_one_line_on_the_command_line(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_text("paris is in france\n" * 30, encoding="utf-16")
    line = one_error_line(run("train", path, "-o", tmp_path / "v.vec"))
    assert "the text is UTF-16" in line and "--encoding utf-16" in line
    assert not (tmp_path / "v.vec").exists()


def test_pipes_and_standard_input_are_refused_at_once(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(EmbedError, match="is a pipe, which can be read only once"):
        Corpus(fifo)  # does not hang: nothing is opened
    assert "a corpus cannot come from standard input" in one_error_line(run("train", "-", "-o", tmp_path / "v.vec"))
    reader, writer = os.pipe()
    os.write(writer, b"paris france\n" * 100)
    os.close(writer)
    line = one_error_line(run("train", "/dev/stdin", "-o", tmp_path / "v.vec", stdin=reader))
    os.close(reader)
    assert "/dev/stdin: is a pipe" in line and "save it to a file first" in line
    # A file redirected to standard input can be read again: that works.
    with open(tmp_path / "c.txt", "w") as f:
        f.write("paris france rome italy\n" * 50)
    with open(tmp_path / "c.txt") as f:
        result = run("train", "/dev/stdin", "-o", tmp_path / "v.vec", "--min-count", "1", "--dim", "4", "--epochs", "1",
                     "--sample", "0", "--quiet", stdin=f)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("suffix,compress", [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)])
def test_damaged_and_truncated_compressed_corpora_are_one_line(tmp_path, suffix, compress):
    data = compress(b"paris is the capital of france\n" * 2000)
    damaged = bytearray(data)
    damaged[len(data) // 2 : len(data) // 2 + 16] = b"\x55" * 16
    for name, content in (("cut", data[: len(data) // 2]), ("damaged", bytes(damaged))):
        path = tmp_path / f"{name}.txt{suffix}"
        path.write_bytes(content)
        # Where the decompressor stood in the file: at its end where the file is cut short
        # (it said "near byte 0", the text's position, for an error in the first block).
        where = f"{len(content):,} of its {len(content):,}" if name == "cut" else rf"[\d,]+ of its {len(content):,}"
        with pytest.raises(EmbedError, match=rf"{name}.txt{suffix}: cannot read compressed data \(damaged or cut "
                                             rf"short\) near byte {where}(, after [\d,]+ bytes of text)?: "):
            list(read_sentences(path))
    line = one_error_line(run("train", tmp_path / f"damaged.txt{suffix}", "-o", tmp_path / "v.vec"))
    assert "cannot read compressed data" in line


@pytest.mark.parametrize("suffix", [".vec.gz", ".bin.gz", ".txt.bz2", ".vec.xz"])
def test_compressed_output_is_written_compressed_and_reads_back(tmp_path, suffix):
    vectors = Vectors(["paris", "rome"], np.array([[1.5, -2], [0.25, 3]], np.float32))
    path = tmp_path / f"v{suffix}"
    vectors.save_word2vec_format(path)
    magic = {".gz": b"\x1f\x8b", ".bz2": b"BZh", ".xz": b"\xfd7zXZ"}[os.path.splitext(suffix)[1]]
    assert path.read_bytes().startswith(magic)
    back = load_vectors(path)
    assert back.words == ["paris", "rome"] and np.array_equal(back.vectors, vectors.vectors)
    result = run("convert", path, tmp_path / "plain.vec")
    assert result.returncode == 0 and (tmp_path / "plain.vec").read_text().startswith("2 2\n")


def test_a_cut_model_file_is_a_damaged_model_to_every_command(tmp_path, tiny_corpus):
    # Queried or converted, a model cut short was read as word2vec's text: "line 1, byte
    # 15: not valid UTF-8", as training's --resume and --init said it was damaged.
    path, _, _ = tiny_corpus
    good = tmp_path / "m.embed"
    Word2Vec(Config(dim=8, epochs=1, min_count=1)).build_vocab(path).train(path, progress=False).save(good)
    cut = tmp_path / "cut.embed"
    cut.write_bytes(good.read_bytes()[:3000])
    for command in (["similar", cut, "cat"], ["convert", cut, tmp_path / "v.vec"],
                    ["train", path, "-o", tmp_path / "o.vec", "--init", cut]):
        assert one_error_line(run(*command)) == (f"embed: error: {cut}: damaged or not an embed model file (a zip "
                                                 "archive cut short or damaged: its directory at the end is missing; "
                                                 "models are written by Word2Vec.save or `embed train -o "
                                                 "MODEL.embed`)")


def test_damaged_oversized_and_non_finite_vectors_files_are_one_line(tmp_path):
    whole = gzip.compress(b"2 2\nparis 1 2\nrome 3 4\n" * 1)
    cases = {
        "cut.vec.gz": (whole[:-12], "cannot read compressed data"),
        "huge.vec": (b"900000000000 300\nparis 1 2\n", "the header's 900,000,000,000 words of dimension 300 needs"),
        "huge.bin": (b"5000000 300\nparis 1 2\n", "truncated: the header promises 5,000,000 words of dimension 300"),
        "nan.vec": (b"2 2\nparis 1 2\nrome nan 4\n", "line 3: the vector of 'rome' has a value that is NaN or infinite"),
        "inf.bin": (b"1 2\nparis " + np.array([1, np.inf], "<f4").tobytes() + b"\n",
                    "the vector of 'paris' has a value that is NaN or infinite"),
    }
    for name, (content, message) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(EmbedError, match="^" + str(tmp_path / name)) as error:
            load_vectors(tmp_path / name)
        assert message in str(error.value)
        assert message in one_error_line(run("similar", tmp_path / name, "paris"))
    with pytest.raises(EmbedError, match="limit must be a number of words >= 1, got -1"):
        load_vectors(tmp_path / "nan.vec", limit=-1)
    result = run("convert", tmp_path / "nan.vec", tmp_path / "out.vec", "--limit", "-1")
    assert result.returncode == 2 and "expected a whole number >= 1, got '-1'" in result.stderr


def test_sizes_beyond_memory_are_refused_before_allocating(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("paris france rome italy\n" * 50)
    line = one_error_line(run("train", path, "-o", tmp_path / "v.vec", "--dim", "1000000000", "--min-count", "1"))
    assert "the weights of 4 words of dimension 1,000,000,000 needs" in line and "GB are available" in line


def test_a_window_beyond_the_sentence_length_costs_no_more_than_one_sentence(tmp_path):
    sentences = [["a", "b", "c", "d", "e"]] * 20
    import time

    started = time.perf_counter()
    model = Word2Vec(Config(dim=8, min_count=1, epochs=1, workers=1, window=1_000_000_000, max_sentence_length=50,
                            arch="skipgram", sample=0))
    model.build_vocab(sentences).train(sentences, progress=False)
    assert model.plan.window == 49 and time.perf_counter() - started < 30
    softmax = Word2Vec(Config(loss="softmax", softmax_batch=10**9, window=2, max_sentence_length=8, min_count=1))
    assert softmax.build_vocab(sentences).plan.softmax_batch == 8 * 2 * 2


def test_outputs_that_are_not_plain_files(tmp_path):
    (tmp_path / "c.txt").write_text("paris france rome italy\n" * 50)
    (tmp_path / "v.vec").write_text("2 2\nparis 1 2\nrome 3 4\n")
    fifo = tmp_path / "fifo.vec"
    os.mkfifo(fifo)
    line = one_error_line(run("convert", tmp_path / "v.vec", fifo))
    assert "fifo.vec: is a device, pipe or socket, not a file" in line and fifo.is_fifo()
    target = tmp_path / "real.vec"
    target.write_text("old")
    link = tmp_path / "link.vec"
    link.symlink_to(target)
    assert run("convert", tmp_path / "v.vec", link).returncode == 0
    assert link.is_symlink() and load_vectors(target).words == ["paris", "rome"]  # written through the link
    long_name = tmp_path / ("a" * 251 + ".vec")  # 255 bytes: legal, and so is its temporary name
    assert run("convert", tmp_path / "v.vec", long_name).returncode == 0 and long_name.exists()
    assert "longer than 255 bytes" in one_error_line(run("train", tmp_path / "c.txt", "-o", tmp_path / ("a" * 256)))


def test_codecs_that_are_not_text_and_streams_a_codec_refuses(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("paris france\n" * 30)
    for name in ("rot13", "base64", "zlib_codec", "idna"):
        assert "encoding must be a text encoding" in one_error_line(
            run("train", path, "-o", tmp_path / "v.vec", "--encoding", name))
    with pytest.raises(EmbedError, match=r"c.txt: cannot be read as utf-16 near byte 0: UTF-16 stream does not start"):
        list(read_sentences(path, encoding="utf-16"))


def test_token_patterns_with_groups_or_empty_matches_give_whole_nonempty_tokens():
    assert Tokenizer(r"(p)(a)\w*").tokens("paris pavia rome") == ["paris", "pavia"]
    assert Tokenizer("a*").tokens("aa b a") == ["aa", "a"]


def test_numbers_beyond_64_bits_and_non_positive_counts_are_refused(tmp_path):
    (tmp_path / "v.vec").write_text("4 1\nparis 1\nfrance 2\nberlin 3\ngermany 4\n")
    with pytest.raises(EmbedError, match=r"seed must be an integer >= 0 and below 2\*\*63, got 18446744073709551616"):
        Config(seed=2**64)
    result = run("evaluate", tmp_path / "v.vec", "--restrict-vocab", "-5")
    assert result.returncode == 2 and "expected a whole number >= 1, got '-5'" in result.stderr
    assert "a PCA plot needs vectors of at least 2 dimensions, these have 1" in one_error_line(
        run("plot", tmp_path / "v.vec", "-o", tmp_path / "p.png"))


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("a.txt", ": capitals\nparis france rome\n", "a.txt: line 2: expected a ': section' line or four words, got 3"),
        ("a.txt", ": capitals\nparis france rome italy spain\n", "line 2: expected a ': section' line or four words, got 5"),
        ("p.tsv", "# w1 w2 score\nparis\tfrance\thigh\n", "p.tsv: line 2: the score 'high' is not a finite number"),
        ("p.tsv", "paris\tfrance\tnan\n", "p.tsv: line 1: the score 'nan' is not a finite number"),
        ("p.tsv", "paris france 1 2\n", "p.tsv: line 1: expected two words and a score, got 4 fields"),
    ],
)
def test_malformed_evaluation_files_name_the_line(tmp_path, name, content, message):
    (tmp_path / "v.vec").write_text("2 2\nparis 1 2\nfrance 3 4\n")
    (tmp_path / name).write_text(content)
    option = "--analogies" if name == "a.txt" else "--pairs"
    result = run("evaluate", tmp_path / "v.vec", option, tmp_path / name)
    assert message in one_error_line(result)
    assert result.stdout == ""  # every file read before any is scored: a bad pairs file came after the analogies' table


def test_a_path_with_a_newline_is_still_one_line(tmp_path):
    line = one_error_line(run("train", tmp_path / "no\nsuch.txt", "-o", tmp_path / "v.vec"))
    assert line.endswith("no\\nsuch.txt: no such file")


@pytest.mark.parametrize("config", [{"dim": 8}, "cbow"])
def test_a_config_that_is_not_a_config_is_one_line(tiny_corpus, config):
    # It ended in "AttributeError: 'dict' object has no attribute 'token_pattern'", deep in training.
    path, _, _ = tiny_corpus
    expected = r"^config must be an embed\.Config, such as Config\(dim=50\), got (dict|str) .*train\(corpus, dim=50\)$"
    for make in (lambda: Word2Vec(config), lambda: train(path, config=config, progress=False)):
        with pytest.raises(EmbedError, match=expected):
            make()


@pytest.mark.parametrize("corpus", [None, 5, b"corpus.txt"])
def test_a_corpus_that_is_neither_paths_nor_sentences_is_one_line(corpus):
    # None and 5 failed in Python's own iteration ("'NoneType' object is not iterable");
    # a bytes path in collections' Counter.
    with pytest.raises(EmbedError, match=rf"^a corpus is a file's path \(a str\), several paths, or sentences as "
                                         rf"lists of tokens; got {type(corpus).__name__} "):
        train(corpus, progress=False)


def test_phrases_vectors_and_tokens_of_the_wrong_kind_are_one_line(tmp_path):
    sentences = [["a", "b", "c"]] * 20
    model = Word2Vec(Config(dim=4, min_count=1, epochs=1, workers=1, sample=0)).build_vocab(sentences)
    # phrases=5 was Python's "expected str, bytes or os.PathLike object"; a path given to
    # intersect_vectors was "'str' object has no attribute 'dim'".
    with pytest.raises(EmbedError, match="^phrases must be an embed.Phrases or the path of a file its save wrote, got int 5$"):
        model.use_phrases(5)
    with pytest.raises(EmbedError, match="^intersect_vectors takes an embed.Vectors or a vectors file's path, got int 5$"):
        model.intersect_vectors(5)
    path = tmp_path / "start.vec"
    Vectors(["b", "z"], np.full((2, 4), 0.5, np.float32)).save_word2vec_format(path)
    assert model.intersect_vectors(str(path)) == 1 and model.w_in[1].tolist() == [0.5] * 4
    # Tokens that are not strings trained, and no query could name them.
    for corpus in ([[1, 2, 3]] * 5, [["a", 2.5]] * 5, [["a", None]] * 5):  # None passed the check, and trained
        with pytest.raises(EmbedError, match=r"^corpus: tokens must be strings, got (int 1|float 2\.5|NoneType None); "
                                             "a sentence is a list of strings$"):
            train(corpus, min_count=1, epochs=1, progress=False)


def test_every_sentence_in_memory_is_checked_not_only_the_first():
    # Only the first sentence was looked at: a later string was counted letter by letter
    # (the vocabulary came out ' ', 'a', 'e', 'france', ...), None and nested lists were
    # Python's TypeErrors, in the count and again in train after build_vocab.
    for corpus, message in (
            ([["paris", "france"], "rome italy"] * 20, "sentence 2: a sentence must be a list of tokens, got the string "
                                                       "'rome italy'; split each sentence into tokens"),
            ([["paris", "france"], None] * 10, "sentence 2: a sentence must be a list of tokens, got NoneType None"),
            ([[["paris", "france"]]] * 10, "sentence 1: tokens must be strings, got list ['paris', 'france']"),
    ):
        with pytest.raises(EmbedError, match="^" + re.escape(message)):
            train(corpus, min_count=1, epochs=1, progress=False)
        model = Word2Vec(Config(dim=4, min_count=1, epochs=1, workers=1)).build_vocab([["paris", "france"]] * 10)
        with pytest.raises(EmbedError, match="^" + re.escape(message)):
            model.train(corpus, progress=False)
        assert model.history == []
    # Tokens no vectors file can hold as words trained, and the save refused them after.
    # (Given to train after build_vocab, they are tokens outside the vocabulary, and dropped.)
    for corpus, message in (([["paris", "", "france"]] * 10, "corpus: a token is empty ('')"),
                            ([["paris\nfrance"]] * 10, "corpus: a token holds a newline ('paris\\nfrance')")):
        with pytest.raises(EmbedError, match="^" + re.escape(message + ": no vectors file can hold it as a word")):
            train(corpus, min_count=1, epochs=1, progress=False)


def test_zip_and_tar_archives_are_refused_with_what_to_do(tmp_path):
    # Read as text, a zip's compressed bytes trained into words such as 'k' and 'v' (one
    # warning about UTF-8), a tar's header into 'ustar' and 'root', or the tar was taken
    # for UTF-16; a zip of GloVe vectors was "not valid UTF-8". text8 comes as text8.zip.
    import tarfile
    import zipfile

    text = tmp_path / "text8"
    text.write_text("the cat sat on the mat " * 200)
    with zipfile.ZipFile(tmp_path / "text8.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(text, "text8")
    with tarfile.open(tmp_path / "text8.tar.gz", "w:gz") as archive:
        archive.add(text, "text8")
    vectors = tmp_path / "glove.6B.8d.txt"
    Vectors(["the", "cat"], np.ones((2, 8), np.float32)).save_word2vec_format(vectors, write_header=False)
    with zipfile.ZipFile(tmp_path / "glove.6B.zip", "w") as archive:
        archive.write(vectors, vectors.name)
    # Text with "custard" at byte 256 was a tar archive, by "ustar" at 257 alone.
    custard = tmp_path / "custard.txt"
    custard.write_text("a " * 128 + "custard, " + "the cat sat on the mat " * 50)
    assert "custard" in train(str(custard), min_count=1, epochs=1, progress=False).wv
    unzip = "is a zip archive, not text: unzip it and give embed the file(s) inside"
    model_path = tmp_path / "m.embed"
    train(str(text), min_count=1, epochs=1, progress=False, dim=4).save(model_path)
    for call, message in (
            (lambda: train(str(tmp_path / "text8.zip"), min_count=1, epochs=1, progress=False), f"{unzip} (text8);"),
            (lambda: train(str(tmp_path / "text8.tar.gz"), min_count=1, epochs=1, progress=False),
             f"is a tar archive, not text: extract it (tar xf {tmp_path / 'text8.tar.gz'})"),
            (lambda: load_vectors(tmp_path / "glove.6B.zip"), f"{unzip} (glove.6B.8d.txt);"),
            (lambda: Phrases(min_count=1).learn(str(tmp_path / "text8.zip")), unzip),
            # A tar's magic lies past a vectors file's first line, which alone was looked at.
            (lambda: load_vectors(tmp_path / "text8.tar.gz"), "is a tar archive, not text"),
            # A model is a zip too: nothing to unzip.
            (lambda: Vectors.load_word2vec_format(model_path), "is an embed model file, not text: read its vectors "
                                                               "with embed.load_vectors"),
    ):
        with pytest.raises(EmbedError, match=re.escape(message)):
            call()


def test_odd_files_and_values_that_gave_nonsense_or_a_raw_error_are_one_line(tmp_path, capsys):
    from embed.cli import main
    from embed.data import bundled

    # A header of 0 words loaded as vectors of no word; a model whose state lost a part
    # was a KeyError; a folder given to the demo was "no such corpus file".
    (tmp_path / "zero.vec").write_text("0 8\n")
    with pytest.raises(EmbedError, match=r"zero.vec: line 1: the header says the file holds 0 words$"):
        load_vectors(tmp_path / "zero.vec")
    model = train([["a", "b", "c"]] * 20, dim=4, min_count=1, epochs=1, progress=False, sample=0)
    model.save(tmp_path / "m.embed")
    import zipfile
    with zipfile.ZipFile(tmp_path / "m.embed") as source, zipfile.ZipFile(tmp_path / "cut.embed", "w") as target:
        for item in source.namelist():
            data = source.read(item)
            if item == "state.npy":
                data = _npy_of("{}")
            target.writestr(item, data)
    with pytest.raises(EmbedError, match=r"cut.embed: damaged model file \(its training state: KeyError\('epochs_done'\)\)$"):
        Word2Vec.load(tmp_path / "cut.embed")
    assert main(["demo", "--corpus", str(tmp_path), "--quiet"]) == 1
    assert capsys.readouterr().err == (f"embed: error: {tmp_path}: is a directory; --corpus takes one file (factbook, "
                                       "text8 or a file's path)\n")
    # bundled() gave out a path outside its folder, and None was a TypeError.
    for name in ("../README.md", None, "nope.txt"):
        with pytest.raises(EmbedError, match=rf"^no bundled file {re.escape(repr(name))}; embed bundles factbook.txt.xz, "):
            bundled(name)
    # Vectors of dimension 0 were taken and written into a file load refuses; unit_rows(-1)
    # dropped the last row; rank of a word against itself answered the vocabulary's size.
    with pytest.raises(EmbedError, match=r"^expected a 2 x d matrix for 2 words, d >= 1, got shape \(2, 0\)$"):
        Vectors(["a", "b"], np.zeros((2, 0)))
    vectors = model.wv
    with pytest.raises(EmbedError, match="^limit must be a number of words >= 1, got -1$"):
        vectors.unit_rows(-1)
    with pytest.raises(EmbedError, match="^rank: 'a' is not among its own neighbours; give another word$"):
        vectors.rank("a", "a")


def _npy_of(text: str) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array(text))
    return buffer.getvalue()


def test_gensims_saved_models_and_arrays_say_how_to_get_their_vectors(tmp_path):
    # gensim's save() writes a pickle, and large arrays beside it as .npy: both were "line
    # 1, byte 0: not valid UTF-8 (pass unicode_errors='replace')", and trained as text.
    import pickle

    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors(4)
    kv.add_vectors(["a", "b", "c"], np.eye(3, 4))
    kv.save(str(tmp_path / "v.kv"))
    model = gensim_models.Word2Vec([["a", "b", "c"]] * 10, vector_size=4, min_count=1, workers=1)
    model.save(str(tmp_path / "w.model"))
    np.save(tmp_path / "w.model.wv.vectors.npy", np.eye(3))
    (tmp_path / "other.pkl").write_bytes(pickle.dumps({"a": [1.0, 2.0]}))
    saved = ("is a gensim model saved with its save(), a Python pickle, not text or word vectors: embed reads no "
             "pickles (loading one can run any code); in gensim, write its vectors with save_word2vec_format(")
    for name, message in (("v.kv", saved), ("w.model", saved),
                          ("w.model.wv.vectors.npy", "is a NumPy array (.npy), as gensim's save() writes a model's "
                                                     "large arrays beside it, not text or word vectors"),
                          ("other.pkl", "is a Python pickle, not text or word vectors: embed reads no pickles")):
        path = tmp_path / name
        for call in (lambda: load_vectors(path), lambda: Vectors.load_word2vec_format(path),
                     lambda: train(str(path), min_count=1, epochs=1, progress=False)):
            with pytest.raises(EmbedError, match=f"^{re.escape(f'{path}: {message}')}"):
                call()
    result = subprocess.run([sys.executable, "-m", "embed", "similar", str(tmp_path / "v.kv"), "a"],
                            capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and saved in result.stderr
