"""word2vec's text and binary vector formats, as the C tool and gensim write them.

Text: a header "V d", then one line per word: the word and d numbers, space separated.
Binary: the same header, then per word its UTF-8 bytes, a space, d little-endian
float32 values and a newline. Both are read strictly: a header that disagrees with the
body, a short line, a truncated record, a header that asks for more memory than there
is, or a value that is NaN or infinite is an error naming the line, byte or word. A
name ending in .gz, .bz2 or .xz is written and read compressed.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
from collections.abc import Sequence

import numpy as np

from ..errors import EmbedError
from ..memory import check_fits
from ..text.corpus import open_binary
from .atomic import atomic_write

MODEL_SUFFIX = ".embed"  # the native model file (embed.vectors.native)


def _uncompressed_name(path: str | os.PathLike) -> str:
    name = os.fspath(path).lower()
    for suffix in (".gz", ".bz2", ".xz"):
        name = name.removesuffix(suffix)
    return name


def is_binary_path(path: str | os.PathLike) -> bool:
    return _uncompressed_name(path).endswith(".bin")


def output_format(path: str | os.PathLike) -> str:
    """What a file is written as, by its name: "model" (the whole model, ``.embed``),
    "binary" (word2vec's binary format, ``.bin``) or "text" (word2vec's text format).

    >>> output_format("v.embed"), output_format("v.bin"), output_format("v.vec")
    ('model', 'binary', 'text')
    """
    if os.fspath(path).lower().endswith(MODEL_SUFFIX):
        return "model"
    return "binary" if is_binary_path(path) else "text"


def _is_text_path(path: str | os.PathLike) -> bool:
    return _uncompressed_name(path).endswith((".txt", ".vec"))


def save_word2vec_format(
    path: str | os.PathLike, words: Sequence[str], vectors: np.ndarray, binary: bool | None = None
) -> None:
    """Write vectors in word2vec's binary (``binary=True``, or a ``.bin`` path) or text format.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "v.txt")
    >>> save_word2vec_format(path, ["a"], np.array([[0.5, -1.0]], dtype=np.float32))
    >>> open(path).read()
    '1 2\\na 0.5 -1\\n'
    """
    binary = is_binary_path(path) if binary is None else binary
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise EmbedError(f"expected {len(words)} vectors, got an array of shape {vectors.shape}")
    forbidden = " \n" if binary else "\n"
    bad = next((w for w in words if not w or any(c in w for c in forbidden)), None)
    if bad is not None:
        kind = "binary" if binary else "text"
        raise EmbedError(f"word {bad!r} cannot be written in word2vec {kind} format (empty, or has {forbidden!r})")
    with atomic_write(path, "wb") as raw, _compressing(raw, path) as stream:
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


_COMPRESSORS = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0),
    ".bz2": lambda raw: bz2.BZ2File(raw, "wb"),
    ".xz": lambda raw: lzma.LZMAFile(raw, "wb"),
}


@contextlib.contextmanager
def _compressing(raw, path: str | os.PathLike):
    """``raw`` itself, or a compressor writing into it where the name asks for one."""
    make = _COMPRESSORS.get(os.path.splitext(os.fspath(path))[1].lower())
    if make is None:
        yield raw
        return
    with make(raw) as stream:
        yield stream


def load_word2vec_format(
    path: str | os.PathLike, binary: bool | None = None, limit: int | None = None, unicode_errors: str = "strict"
) -> tuple[list[str], np.ndarray]:
    """Read word2vec text or binary vectors; ``limit`` keeps the first that many words.

    ``unicode_errors`` is passed to the UTF-8 decoder of words ("strict", "replace" or
    "ignore": the C tool cuts long words at a byte count, which can split a character).
    """
    path = os.fspath(path)
    check_limit(limit)
    with open_binary(path) as stream:
        header = stream.readline(200)
        count, dim = _header(path, header)
        wanted = count if limit is None else min(count, limit)
        check_fits(wanted * dim * 4, f"{path}: the header's {wanted:,} words of dimension {dim:,}")
        if binary is None:
            binary = is_binary_path(path) or (
                not _is_text_path(path) and _looks_binary(stream.peek(min(4 * dim, 1 << 16) + 64)[: 4 * dim + 64])
            )
        if binary:
            size = os.path.getsize(path)
            if not stream.compressed and len(header) + wanted * (4 * dim + 2) > size:
                raise EmbedError(f"{path}: truncated: the header promises {count:,} words of dimension {dim:,}, "
                                 f"{wanted * (4 * dim + 2):,} bytes at least, and the file has {size:,}")
            words, vectors = _read_binary(path, stream, count, dim, wanted, len(header), unicode_errors)
        else:
            words, vectors = _read_text(path, stream, count, dim, wanted, unicode_errors)
    check_finite(path, words, vectors, 0 if binary else 2)
    return words, vectors


def check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise EmbedError(f"limit must be a number of words >= 1, got {limit!r}")


def check_finite(path: str, words: list[str], vectors: np.ndarray, first_line: int = 0) -> None:
    """Refuse vectors with NaN or inf, naming the first word that has one (and its line,
    for a text file whose first vector is on ``first_line``)."""
    bad = np.flatnonzero(~np.isfinite(vectors).all(axis=1))
    if bad.size:
        row = int(bad[0])
        where = f"line {row + first_line}: " if first_line else ""
        raise EmbedError(f"{path}: {where}the vector of {words[row]!r} has a value that is NaN or infinite "
                         f"({bad.size} such words); vectors must be finite numbers")


def _looks_binary(start: bytes) -> bool:
    """A text vectors file is UTF-8 words and numbers; float32 bytes almost never are."""
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start < len(start) - 4  # a cut at the end of the sample is not evidence
    return "\x00" in start.decode("utf-8")


def _header(path: str, line: bytes) -> tuple[int, int]:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        shown = line[:60].decode("utf-8", "replace").strip()
        raise EmbedError(f"{path}: line 1: expected a header 'WORDS DIMENSIONS', got {shown!r}")
    count, dim = int(parts[0]), int(parts[1])
    if dim < 1:
        raise EmbedError(f"{path}: line 1: dimension must be at least 1, got {dim}")
    return count, dim


def _read_binary(path, stream, count, dim, wanted, offset, unicode_errors):
    record = 4 * dim
    data = stream.read() if wanted == count else _read_some(stream, wanted, record)
    words: list[str] = []
    vectors = np.empty((wanted, dim), dtype=np.float32)
    position = 0
    for row in range(wanted):
        if position < len(data) and data[position] == 10:
            position += 1  # the C tool ends each record with a newline, gensim does not
        space = data.find(b" ", position, position + 10_000)
        if space < 0:
            where = offset + position
            if position >= len(data):
                raise EmbedError(
                    f"{path}: truncated at byte {where}: the header promises {count} words, found {row}"
                )
            raise EmbedError(f"{path}: byte {where}: word {row + 1} has no space after it (not a word2vec binary file?)")
        if space + 1 + record > len(data):
            raise EmbedError(
                f"{path}: truncated at byte {offset + len(data)}: word {row + 1} needs {record} bytes of vector "
                f"at byte {offset + space + 1}"
            )
        try:
            words.append(data[position:space].decode("utf-8", unicode_errors))
        except UnicodeDecodeError as error:
            raise EmbedError(
                f"{path}: byte {offset + position + error.start}: word {row + 1} is not valid UTF-8 "
                "(pass unicode_errors='replace' to load it anyway)"
            ) from None
        vectors[row] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
        position = space + 1 + record
    if wanted == count:
        rest = data[position:].strip(b"\n")
        if rest:
            raise EmbedError(
                f"{path}: byte {offset + position}: {len(rest)} bytes after the {count} words the header promises"
            )
    return _unique(path, words), vectors


def _read_some(stream, wanted, record):
    # Enough for ``wanted`` records of words up to a few hundred bytes; topped up if short.
    data = bytearray()
    while True:
        piece = stream.read(max(1 << 20, wanted * (record + 64) - len(data)))
        data += piece
        if not piece or _records_in(data, wanted, record):
            return bytes(data)


def _records_in(data: bytearray, wanted: int, record: int) -> bool:
    position = 0
    for _ in range(wanted):
        if position < len(data) and data[position] == 10:
            position += 1
        space = data.find(b" ", position)
        if space < 0 or space + 1 + record > len(data):
            return False
        position = space + 1 + record
    return True


def _read_text(path, stream, count, dim, wanted, unicode_errors):
    words: list[str] = []
    vectors = np.empty((wanted, dim), dtype=np.float32)
    for row in range(wanted):
        line_number = row + 2
        raw = stream.readline()
        if not raw:
            raise EmbedError(f"{path}: line {line_number}: file ends, but the header promises {count} words")
        try:
            line = raw.decode("utf-8", unicode_errors).rstrip("\r\n")
        except UnicodeDecodeError as error:
            raise EmbedError(
                f"{path}: line {line_number}, byte {error.start}: not valid UTF-8 "
                "(pass unicode_errors='replace' to load it anyway)"
            ) from None
        parts = line.rstrip(" ").rsplit(" ", dim)
        if len(parts) != dim + 1 or not parts[0]:
            raise EmbedError(f"{path}: line {line_number}: expected a word and {dim} numbers, got {len(parts) - 1} fields")
        try:
            vectors[row] = np.array(parts[1:], dtype=np.float32)
        except ValueError:
            raise EmbedError(f"{path}: line {line_number}: word {parts[0]!r} has a value that is not a number") from None
        words.append(parts[0])
    if wanted == count:
        extra = stream.readline()
        if extra.strip():
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
