"""word2vec's text and binary vector formats, as the C tool and gensim write them, and
the headerless text of GloVe.

Text: a header "V d", then one line per word: the word and d numbers, space separated
(fastText's ``.vec`` ends each line with a space, the C tool too; both are read). GloVe
writes the same lines with no header: a first line that is not two whole numbers is read
as such a line, its field count minus one giving the dimension. Binary: the same header,
then per word its UTF-8 bytes, a space, d little-endian float32 values and an optional
newline. All are read strictly: a header that disagrees with the body, a short line, a
truncated record, a header that asks for more memory than there is, or a value that is
NaN or infinite is an error naming the line, byte or word. A name ending in .gz, .bz2 or
.xz is written and read compressed. Files are read in blocks: memory is the matrix and a
few MB, however large the file.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import warnings
from collections.abc import Sequence

import numpy as np

from ..errors import EmbedError, check_switch, is_whole
from ..memory import check_fits
from ..text.corpus import check_not_other_format, open_binary
from ..text.location import file_path
from ..text.vocab import first_bad_word
from .atomic import atomic_write, check_uncompressed, compressing

MODEL_SUFFIX = ".embed"  # the native model file (embed.vectors.native)
VECTORS_SUFFIX = ".vectors"  # the native memory-mapped vectors file (embed.vectors.vectors_file)
# Why each cannot be compressed (embed.vectors.atomic.check_uncompressed).
_UNCOMPRESSED = {"model": "a model file is a zip archive", "vectors": "a vectors file is meant to be memory-mapped"}

# Binary records are parsed from blocks of this many bytes: large enough that a read
# costs nothing next to the parsing, small enough to be noise next to the matrix.
BLOCK_BYTES = 1 << 20
MAX_WORD_BYTES = 10_000  # a binary "word" longer than this is no word: the file is not word2vec binary
# Per batch of parsed binary records or text lines, at most this many words (or numbers
# of text) are held as Python objects before they are decoded or converted in one go.
BATCH_WORDS = 1 << 16
BATCH_VALUES = 1 << 16
# A headerless file's matrix grows by this many bytes, or by a sixteenth of itself,
# whichever is more: few reallocations, and at most 1/16 of the matrix unused.
GROW_BYTES = 1 << 22
_OTHER_WHITESPACE = re.compile(r"[^\S ]")
FIRST_LINE_BYTES = 1 << 24  # a GloVe line of 100,000 numbers fits; a binary file without newline is not read whole


def _uncompressed_name(path: str | os.PathLike) -> str:
    name = os.fspath(path).lower()
    for suffix in (".gz", ".bz2", ".xz"):
        name = name.removesuffix(suffix)
    return name


def is_binary_path(path: str | os.PathLike) -> bool:
    """Whether a name says word2vec binary: it ends in ``.bin``, compressed or not.

    >>> is_binary_path("GoogleNews-vectors-negative300.bin.gz"), is_binary_path("glove.6B.50d.txt")
    (True, False)
    """
    return _uncompressed_name(path).endswith(".bin")


def output_format(path: str | os.PathLike) -> str:
    """What a file is written as, by its name: "model" (the whole model, ``.embed``),
    "vectors" (the native memory-mapped vectors file, ``.vectors``), "binary"
    (word2vec's binary format, ``.bin``) or "text" (word2vec's text format).

    >>> output_format("v.embed"), output_format("v.vectors"), output_format("v.bin"), output_format("v.vec")
    ('model', 'vectors', 'binary', 'text')
    """
    name = _uncompressed_name(path)
    kind = ("model" if name.endswith(MODEL_SUFFIX) else "vectors" if name.endswith(VECTORS_SUFFIX)
            else "binary" if is_binary_path(path) else "text")
    # Refused by name, before the training that would write it (a model named .embed.gz
    # was written as gzipped word2vec text).
    check_named(path, kind)
    return kind


# The endings that name each format, and what writes it.
_ENDINGS = {"model": (MODEL_SUFFIX,), "vectors": (VECTORS_SUFFIX,), "binary": (".bin",), "text": (".txt", ".vec")}
_WRITERS = {"model": "a Word2Vec's save", "vectors": "Vectors.save", "binary": "save_word2vec_format",
            "text": "save_word2vec_format"}


def check_named(path: str | os.PathLike, kind: str) -> None:
    """Refuse a name whose ending says another format than ``kind``, which is about to be
    written there (a model saved as m.vec was a zip no word2vec reader takes; vectors
    saved as x.vec, embed's mapped layout), or says .zip, which embed does not write, or
    asks to compress a model or a vectors file.

    >>> check_named("m.vec", "model")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: m.vec: the name says word2vec text, and this writes a model: name it .embed, or write word2vec text with save_word2vec_format
    """
    if kind in _UNCOMPRESSED:
        check_uncompressed(path, _UNCOMPRESSED[kind])
    name = _uncompressed_name(path)
    if name.endswith(".zip"):
        raise EmbedError(f"{os.fspath(path)}: embed does not write zip archives; a name ending .gz, .bz2 or .xz is "
                         "compressed")
    said = next((other for other, endings in _ENDINGS.items() if other != kind and name.endswith(endings)), None)
    if said is not None and not (kind in ("binary", "text") and said in ("binary", "text")):
        described = {"model": "a model", "vectors": "a vectors file", "binary": "word2vec binary",
                     "text": "word2vec text"}
        raise EmbedError(f"{os.fspath(path)}: the name says {described[said]}, and this writes {described[kind]}: "
                         f"name it {_ENDINGS[kind][0]}, or write {described[said]} with {_WRITERS[said]}")


def _is_text_path(path: str | os.PathLike) -> bool:
    return _uncompressed_name(path).endswith((".txt", ".vec"))


def save_word2vec_format(
    path: str | os.PathLike,
    words: Sequence[str],
    vectors: np.ndarray,
    binary: bool | None = None,
    write_header: bool = True,
) -> None:
    """Write vectors in word2vec's binary (``binary=True``, or a ``.bin`` path) or text
    format; ``write_header=False`` leaves out the "V d" line, as GloVe's text does.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "v.txt")
    >>> save_word2vec_format(path, ["a"], np.array([[0.5, -1.0]], dtype=np.float32))
    >>> open(path).read()
    '1 2\\na 0.5 -1\\n'
    >>> save_word2vec_format(path, ["a"], np.array([[0.5, -1.0]], dtype=np.float32), write_header=False)
    >>> open(path).read()
    'a 0.5 -1\\n'
    """
    path = file_path(path)
    check_switch(binary, "binary", "decided by the file")
    check_named(path, "binary" if binary or binary is None and is_binary_path(path) else "text")
    binary = is_binary_path(path) if binary is None else binary
    if binary and not write_header:
        raise EmbedError(f"{path}: a word2vec binary file needs its header; "
                         "write_header=False is for text files (GloVe's format)")
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise EmbedError(f"expected {len(words)} vectors, got an array of shape {vectors.shape}")
    if not len(words):  # a header of 0 words, which the reader refuses
        raise EmbedError(f"{path}: not written: there are no vectors to write")
    forbidden = " \n" if binary else "\n"
    at = first_bad_word(words, forbidden)
    if at >= 0:
        bad, kind = words[at], "binary" if binary else "text"
        raise EmbedError(f"word {bad!r} cannot be written in word2vec {kind} format (not a string, empty, or has "
                         f"{forbidden!r})")
    # Before the file is replaced: embed refuses to read such a file back, and a good file
    # at the path was replaced by it.
    check_finite(path, words, vectors, written=True)
    if not write_header:
        # Without a header the numbers are told from the word by being numbers: a word
        # whose last part is one would read back with a field too many.
        bad = next((w for w in words if " " in w and _is_number(w.rsplit(" ", 1)[1])), None)
        if bad is not None:
            raise EmbedError(f"word {bad!r} cannot be written in a headerless text file: its last part "
                             f"{bad.rsplit(' ', 1)[1]!r} would read as a number")
    try:
        _write_word2vec(path, words, vectors, binary, write_header)
    except UnicodeEncodeError as error:  # a lone surrogate, from unicode_errors="surrogateescape"
        bad = next(w for w in words if error.object[error.start : error.end] in w)
        raise EmbedError(f"{path}: not written: word {bad!r} is not encodable as UTF-8 ({error.reason})") from None


def _write_word2vec(path: str, words: Sequence[str], vectors: np.ndarray, binary: bool, write_header: bool) -> None:
    with atomic_write(path, "wb") as raw, compressing(raw, path) as stream:
        if write_header:
            stream.write(f"{len(words)} {vectors.shape[1]}\n".encode())
        if binary:
            little = vectors.astype("<f4", copy=False)
            for word, row in zip(words, little):
                stream.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")
        else:
            buffer = io.StringIO()
            for start in range(0, len(words), 4096):
                block = vectors[start : start + 4096]
                body = np.char.mod("%.9g", block)
                for word, row in zip(words[start : start + 4096], body):
                    buffer.write(word + " " + " ".join(row) + "\n")
                stream.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()


def load_word2vec_format(
    path: str | os.PathLike,
    binary: bool | None = None,
    limit: int | None = None,
    unicode_errors: str = "strict",
    no_header: bool | None = None,
) -> tuple[list[str], np.ndarray]:
    """Read word2vec text or binary vectors, or GloVe's headerless text; ``limit`` keeps
    the first that many words and reads no further.

    ``binary=None`` decides by the name (``.bin``) and, for other names than ``.txt`` and
    ``.vec``, by the bytes after the header. ``no_header=None`` reads a first line that is
    not two whole numbers as GloVe's first word; ``True`` always does, ``False`` requires
    the header. ``unicode_errors`` is passed to the UTF-8 decoder of words ("strict",
    "replace" or "ignore": the C tool cuts long words at a byte count, which can split a
    character).

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "glove.txt")
    >>> _ = open(path, "w").write("the 0.5 -1\\n. . . 2 3\\n")
    >>> words, vectors = load_word2vec_format(path)
    >>> words, vectors.tolist()
    (['the', '. . .'], [[0.5, -1.0], [2.0, 3.0]])
    """
    path = file_path(path)
    check_limit(limit)
    check_switch(binary, "binary", "decided by the file")
    check_switch(no_header, "no_header", "decided by the file")
    try:
        codecs.lookup_error(unicode_errors)
    except (LookupError, TypeError):
        raise EmbedError(f"unicode_errors must be an error handler of Python's codecs (strict, replace, ignore, "
                         f"...), got {unicode_errors!r}") from None
    if no_header and binary:
        raise EmbedError(f"{path}: a word2vec binary file has a header; no_header=True is for text files "
                         "(GloVe's format)")
    with open_binary(path) as stream:
        # GloVe comes as glove.6B.zip: its bytes read as "not valid UTF-8". (A tar's magic is
        # at byte 257, past the first line read.)
        check_not_other_format(path, stream.peek(512)[:512])
        first = stream.readline(200)
        if not binary:
            # The byte-order mark a Windows tool writes: it made the header a GloVe line of one
            # number, or became part of the first word.
            first = first.removeprefix(codecs.BOM_UTF8)
        if not first:
            raise EmbedError(f"{path}: the file is empty; expected word vectors")
        header = None if no_header else _parse_header(first)
        if header is None:
            if no_header is False or binary or (binary is None and not no_header and is_binary_path(path)):
                _header(path, first)  # raises the message a missing header always gave
            first = _rest_of_first_line(path, stream, first)
            dim = _glove_dimension(path, first, unicode_errors, explicit=bool(no_header))
            words, vectors = _read_text(path, stream, dim, None, limit, unicode_errors, first=first)
            check_finite(path, words, vectors, 1)
            return words, vectors
        count, dim = header
        if dim < 1:
            raise EmbedError(f"{path}: line 1: dimension must be at least 1, got {dim}")
        if count < 1:  # it loaded as vectors of no word, and every query said its word was unknown
            raise EmbedError(f"{path}: line 1: the header says the file holds {count} words")
        wanted = count if limit is None else min(count, limit)
        check_fits(wanted * dim * 4, f"{path}: the header's {wanted:,} words of dimension {dim:,}")
        if binary is None:
            binary = is_binary_path(path) or (
                not _is_text_path(path) and _looks_binary(stream.peek(min(4 * dim, 1 << 16) + 64)[: 4 * dim + 64])
            )
        if binary:
            size = os.path.getsize(path)
            if not stream.compressed and len(first) + wanted * (4 * dim + 2) > size:
                raise EmbedError(f"{path}: truncated: the header promises {count:,} words of dimension {dim:,}, "
                                 f"{wanted * (4 * dim + 2):,} bytes at least, and the file has {size:,}")
            words, vectors = _read_binary(path, stream, count, dim, wanted, len(first), unicode_errors)
        else:
            words, vectors = _read_text(path, stream, dim, count, wanted, unicode_errors)
    check_finite(path, words, vectors, 0 if binary else 2)
    return words, vectors


def check_limit(limit: int | None, name: str = "limit") -> None:
    """Refuse a ``limit`` (or ``restrict_vocab``: ``name``) that is not a whole number of
    words >= 1 (None: no limit).

    >>> check_limit(5)
    >>> check_limit(0, "restrict_vocab")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: restrict_vocab must be a number of words >= 1, got 0
    """
    if limit is not None and not is_whole(limit):
        raise EmbedError(f"{name} must be a number of words >= 1, got {limit!r}")


def check_finite(path: str, words: list[str], vectors: np.ndarray, first_line: int = 0, written: bool = False) -> None:
    """Refuse vectors with NaN or inf, naming the first word that has one (and its line,
    for a text file whose first vector is on ``first_line``; ``written``: the file is not
    written for it).

    >>> check_finite("v.txt", ["a", "b"], np.array([[1.0], [np.nan]]), first_line=2)
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: v.txt: line 3: the vector of 'b' has a value that is NaN or infinite (1 such words); ...
    """
    # In pieces: np.isfinite of the whole matrix would be a quarter of its size again.
    rows = max(1, BATCH_VALUES * 16 // max(1, vectors.shape[1] if vectors.ndim == 2 else 1))
    first, bad = None, 0
    for start in range(0, len(vectors), rows):
        block = vectors[start : start + rows]
        if np.isfinite(block).all():
            continue
        found = np.flatnonzero(~np.isfinite(block).all(axis=1))
        first = start + int(found[0]) if first is None else first
        bad += found.size
    if first is not None:
        where = "not written: " if written else f"line {first + first_line}: " if first_line else ""
        raise EmbedError(f"{path}: {where}the vector of {words[first]!r} has a value that is NaN or infinite "
                         f"({bad} such words); vectors must be finite numbers")


def _looks_binary(start: bytes) -> bool:
    """A text vectors file is UTF-8 words and numbers; float32 bytes almost never are."""
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start < len(start) - 4  # a cut at the end of the sample is not evidence
    return "\x00" in start.decode("utf-8")


def _parse_header(line: bytes) -> tuple[int, int] | None:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def _header(path: str, line: bytes) -> tuple[int, int]:
    header = _parse_header(line)
    if header is None:
        shown = line[:60].decode("utf-8", "replace").strip()
        raise EmbedError(f"{path}: line 1: expected a header 'WORDS DIMENSIONS', got {shown!r}")
    return header


def _rest_of_first_line(path: str, stream, start: bytes) -> bytes:
    """The whole first line, of which the header's read gave the first 200 bytes."""
    if start.endswith(b"\n") or len(start) < 200:
        return start
    line = start + stream.readline(FIRST_LINE_BYTES)
    if not line.endswith(b"\n") and len(line) >= FIRST_LINE_BYTES:
        shown = line[:60].decode("utf-8", "replace").strip()
        raise EmbedError(f"{path}: line 1: expected a header 'WORDS DIMENSIONS' or a word and its numbers "
                         f"(GloVe), got {FIRST_LINE_BYTES:,} bytes with no line end: {shown!r}")
    return line


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _trailing_numbers(fields: list[str]) -> int:
    """How many of the fields after the first are numbers, counted from the right."""
    found = 0
    while found < len(fields) - 1 and _is_number(fields[-1 - found]):
        found += 1
    return found


def _glove_dimension(path: str, line: bytes, unicode_errors: str, explicit: bool) -> int:
    """The dimension of a headerless file: the numbers at the end of its first line.

    Counted from the right, so that a first word with spaces (GloVe 840B has ". . .")
    does not count; the first field is the word even where it reads as a number ("nan").
    """
    text = _decoded(path, line, 1, unicode_errors).rstrip("\r\n").rstrip(" ")
    dim = _trailing_numbers(text.split(" "))
    if dim == 0:
        shown = text[:60]
        if explicit:
            raise EmbedError(f"{path}: line 1: expected a word and its numbers, got {shown!r}")
        raise EmbedError(f"{path}: line 1: expected a header 'WORDS DIMENSIONS' or a word and its numbers "
                         f"(GloVe), got {shown!r}")
    return dim


def _decoded(path: str, raw: bytes, line_number: int, unicode_errors: str) -> str:
    try:
        return raw.decode("utf-8", unicode_errors)
    except UnicodeDecodeError as error:
        raise EmbedError(
            f"{path}: line {line_number}, byte {error.start}: not valid UTF-8 "
            "(pass unicode_errors='replace' to load it anyway)"
        ) from None


# The bytes numbers in text are written with: a binary record whose bytes up to its first
# newline are all of them, 8 or more (or the whole record, where it is shorter), is text.
# (The chance that 8 bytes of floats all fall among these 17 is below 1e-9.)
_TEXT_NUMBER_BYTES = b"0123456789.-+eE \n\r\t"


def _read_binary(path, stream, count, dim, wanted, offset, unicode_errors):
    """The records after the header, parsed from blocks of the stream as they come.

    ``offset`` is the header's length: ``base + i`` is the file's byte of ``buffer[i]``,
    which every message names. A record is complete when its word's space and the
    ``4 * dim`` bytes after it are in the buffer; what is left of a block is carried to
    the next. The per-record Python work is a find and a slice; words are decoded and
    vectors copied per batch, in one call each.
    """
    record = 4 * dim
    vectors = np.empty((wanted, dim), dtype=np.float32)
    words: list[str] = []
    buffer, base, position, row, ended = b"", offset, 0, 0, False
    while row < wanted:
        size = len(buffer)
        find = buffer.find
        batch: list[bytes] = []
        spaces: list[int] = []
        add_word, add_space = batch.append, spaces.append
        for _ in range(min(wanted - row, BATCH_WORDS)):
            start = position + 1 if position < size and buffer[position] == 10 else position
            space = find(b" ", start, start + MAX_WORD_BYTES)
            if space < 0 or space + record >= size:
                break
            add_word(buffer[start:space])
            add_space(space)
            position = space + 1 + record
        if batch and row == 0:
            first = buffer[spaces[0] + 1 : spaces[0] + 1 + record]
            line = first.split(b"\n", 1)[0]  # a text line of numbers, where a short one ends inside the record
            if len(line) >= min(8, record) and not line.strip(_TEXT_NUMBER_BYTES):  # read as floats: garbage
                raise EmbedError(f"{path}: the first word's {record} vector bytes are text ({first[:24]!r}...): "
                                 "the file is word2vec text, not binary")
        if batch:
            _copy_vectors(buffer, spaces, vectors, row, dim)
            words.extend(_decode_words(path, batch, spaces, base, len(words), unicode_errors))
            row += len(batch)
            if len(batch) == BATCH_WORDS:
                continue
        if row == wanted:
            break
        # The buffer ends inside a record.
        start = position + 1 if position < size and buffer[position] == 10 else position
        space = find(b" ", start, start + MAX_WORD_BYTES)
        if space < 0 and size - start >= MAX_WORD_BYTES:
            raise EmbedError(
                f"{path}: byte {base + start}: word {row + 1} has no space after it (not a word2vec binary file?)"
            )
        if ended:
            if space < 0:
                if start >= size:
                    raise EmbedError(
                        f"{path}: truncated at byte {base + start}: the header promises {count} words, found {row}"
                    )
                raise EmbedError(
                    f"{path}: byte {base + start}: word {row + 1} has no space after it (not a word2vec binary file?)"
                )
            raise EmbedError(
                f"{path}: truncated at byte {base + size}: word {row + 1} needs {record} bytes of vector "
                f"at byte {base + space + 1}"
            )
        # Enough for this record however long, and for a block of records after it.
        needed = (space + 1 + record if space >= 0 else start + MAX_WORD_BYTES) - position
        # The old block goes before the next is read: two blocks at most are held.
        rest = buffer[position:]
        buffer = find = None
        piece = stream.read(max(BLOCK_BYTES, needed - len(rest)))
        ended = not piece
        buffer = rest + piece if rest else piece
        del rest, piece
        base += position
        position = 0
    if wanted == count:
        _check_nothing_after(path, stream, buffer[position:], base + position, count)
    return _unique(path, words), vectors


def _copy_vectors(buffer: bytes, spaces: list[int], vectors: np.ndarray, row: int, dim: int) -> None:
    """Copy the vectors after ``spaces`` to ``vectors[row:]`` without a Python step per record.

    A vector may start at any byte. Seen as float32 from byte ``phase`` (0 to 3) on, the
    buffer holds those that start at that phase as rows of a sliding window, gathered by
    one index; a batch is within one block, so the gathered copy is at most a block.
    """
    starts = np.array(spaces, dtype=np.int64) + 1
    phases = starts & 3
    rows = np.arange(row, row + len(spaces))
    for phase in range(4):
        chosen = phases == phase
        if not chosen.any():
            continue
        floats = np.frombuffer(buffer, dtype="<f4", offset=phase, count=(len(buffer) - phase) // 4)
        windows = np.lib.stride_tricks.sliding_window_view(floats, dim)
        vectors[rows[chosen]] = windows[(starts[chosen] - phase) >> 2]


def _decode_words(path, batch, spaces, base, before, unicode_errors):
    """The words of a batch, decoded in one call: joined by spaces, which no word has."""
    try:
        words = b" ".join(batch).decode("utf-8", unicode_errors).split(" ")
        if len(words) == len(batch):  # an unusual error handler could have made spaces
            return words
    except UnicodeDecodeError:
        pass
    words = []
    for index, (raw, space) in enumerate(zip(batch, spaces)):
        try:
            words.append(raw.decode("utf-8", unicode_errors))
        except UnicodeDecodeError as error:
            raise EmbedError(
                f"{path}: byte {base + space - len(raw) + error.start}: word {before + index + 1} is not valid "
                "UTF-8 (pass unicode_errors='replace' to load it anyway)"
            ) from None
    return words


def _check_nothing_after(path, stream, rest, at, count):
    """Refuse bytes other than newlines after the promised records, counting them to the
    end of the file without holding it."""
    where, first, last = at, None, None
    while True:
        if rest.strip(b"\n"):
            if first is None:
                first = at + len(rest) - len(rest.lstrip(b"\n"))
            last = at + len(rest.rstrip(b"\n"))
        at += len(rest)
        rest = stream.read(BLOCK_BYTES)
        if not rest:
            break
    if first is not None:
        raise EmbedError(f"{path}: byte {where}: {last - first} bytes after the {count} words the header promises")


def _read_text(path, stream, dim, count, wanted, unicode_errors, first=None):
    """The lines after the header (``count`` words), or of a headerless file from its
    ``first`` line on (``count`` None), up to ``wanted`` words (None: to the end).

    Lines are split in Python and their numbers converted per batch by NumPy's parser;
    a batch it refuses is converted again line by line, which names the line. A
    headerless file's matrix grows in place (``ndarray.resize``, a realloc that moves
    pages rather than copying them where the C library can), so memory is the matrix,
    up to a sixteenth of it unused until the end, and a batch.
    """
    headerless = count is None
    grow_rows = max(1, GROW_BYTES // (4 * dim))
    capacity = wanted if not headerless else grow_rows if wanted is None else min(wanted, grow_rows)
    vectors = np.empty((capacity, dim), dtype=np.float32)
    words: list[str] = []
    numbers, batch, texts = [], [], []  # line numbers, words and the numbers' text of the batch
    per_batch = max(1, BATCH_VALUES // dim)
    as_line_1 = " as line 1 has" if headerless else ""
    rows, line_number, blank = 0, 1 if headerless else 2, None

    def flush():
        nonlocal rows, capacity
        size = len(batch)
        if not size:
            return
        if rows + size > capacity:
            grown = max(rows + size, capacity + max(grow_rows, capacity // 16))
            grown = grown if wanted is None else min(grown, wanted)
            check_fits((grown - capacity) * dim * 4,
                       f"{path}: growing the matrix beyond {rows:,} words of dimension {dim:,}")
            vectors.resize((grown, dim), refcheck=False)
            capacity = grown
        # loadtxt takes whitespace around a number that the line-by-line path refuses
        # ("7\x1c"): such a batch goes that way, so both accept the same files.
        parsed = _OTHER_WHITESPACE.search(" ".join(texts)) is None
        if parsed:
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    values = np.loadtxt(texts, dtype=np.float32, delimiter=" ", comments=None, ndmin=2)
                parsed = values.shape == (size, dim)
            except ValueError:
                parsed = False
        if parsed:
            vectors[rows : rows + size] = values
        else:
            for index, (number, word, text) in enumerate(zip(numbers, batch, texts)):
                try:
                    with np.errstate(all="ignore"):
                        vectors[rows + index] = np.array(text.split(" "), dtype=np.float32)
                except ValueError:
                    raise EmbedError(f"{path}: line {number}: word {word!r} has a value that is not a number") from None
        words.extend(batch)
        rows += size
        numbers.clear(), batch.clear(), texts.clear()

    def fail(message):
        flush()  # an earlier line's bad number is named first, as it comes first
        raise EmbedError(f"{path}: line {line_number}: {message}")

    while wanted is None or rows + len(batch) < wanted:
        raw, first = (first, None) if first is not None else (stream.readline(), None)
        if not raw:
            if not headerless:
                fail(f"file ends, but the header promises {count} words")
            break
        try:
            text = raw.decode("utf-8", unicode_errors)
        except UnicodeDecodeError as error:
            flush()
            raise EmbedError(f"{path}: line {line_number}, byte {error.start}: not valid UTF-8 "
                             "(pass unicode_errors='replace' to load it anyway)") from None
        line = text.rstrip("\r\n").rstrip(" ")
        if headerless:
            if not line:  # blank lines may end the file; between lines, the first is an error
                blank = line_number if blank is None else blank
                line_number += 1
                continue
            if blank is not None:
                line_number = blank
                fail(f"expected a word and {dim} numbers{as_line_1}, got a blank line")
        space = line.find(" ")
        if space > 0 and line.count(" ", space + 1) == dim - 1:
            word = line[:space]
        else:
            parts = line.rsplit(" ", dim)
            word = parts[0]
            if len(parts) != dim + 1 or not word:
                fail(f"expected a word and {dim} numbers{as_line_1}, got {len(parts) - 1} fields")
            if headerless and " " in word and _is_number(word.rsplit(" ", 1)[1]):
                fail(f"expected a word and {dim} numbers{as_line_1}, got {_trailing_numbers(line.split(' '))} numbers")
        numbers.append(line_number)
        batch.append(word)
        texts.append(line[len(word) + 1 :])
        line_number += 1
        if len(batch) >= per_batch:
            flush()
    flush()
    if headerless:
        if rows < capacity:
            vectors.resize((rows, dim), refcheck=False)
    elif wanted == count and stream.readline().strip():
        raise EmbedError(f"{path}: line {count + 2}: more lines than the {count} words the header promises")
    return _unique(path, words), vectors


def _unique(path: str, words: list[str]) -> list[str]:
    if len(set(words)) != len(words):
        seen: set[str] = set()
        for line, word in enumerate(words, start=2):
            if word in seen:
                raise EmbedError(f"{path}: word {word!r} appears twice (second time as word {line - 1})")
            seen.add(word)
    return words
