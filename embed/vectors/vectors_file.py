"""The native vectors file: words, optional counts and a float32 matrix that opens
memory-mapped, so that a query on millions of words starts at once and processes that
open the same file share its pages.

Layout, every offset counted from the start of the file::

    b"embed-vectors 1\\n"             magic and version
    {"count": ..., "dim": ..., ...}  one line of JSON (padded with spaces): the sizes, the
                                     dtype "<f4", and each section's offset and length
    words                            UTF-8, joined by "\\n" (a word cannot contain one)
    counts                           optional, little-endian int64, one per word
    order                            the rows in the order of their words (little-endian
                                     int64): a word is found by bisection, so opening
                                     need not build a dict of millions of words (1.5 s
                                     at 3M); absent in files without it
    matrix                           little-endian float32, row-major, at a multiple of 64

Opening decodes and splits the word blob, and maps the rest; nothing is read per word.
The writer refuses what the reader could not give back (a word with a newline, an empty
or repeated word, NaN or infinite values), so the reader checks the layout, not the
values: a damaged file is one line naming the file and the problem.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np

from ..errors import EmbedError
from ..memory import check_fits
from ..text.corpus import open_binary
from ..text.location import file_path
from ..text.vocab import first_bad_word
from .atomic import atomic_write
from .formats import check_limit, check_named

MAGIC = b"embed-vectors "
VERSION = 1
DTYPE = "<f4"
ALIGN = 64  # a cache line, and a multiple of every element size: rows start aligned
HEADER_BYTES = 1 << 16  # the JSON line is a few hundred bytes; more than this is damage
# Vectors are converted, checked and written in pieces of this many values, so that
# writing a float64 matrix does not hold a float32 copy of all of it.
CHUNK_VALUES = 1 << 20


def is_vectors_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a native vectors file, by its first bytes.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "v.vectors")
    >>> write_vectors_file(path, ["a"], np.ones((1, 2), np.float32))
    >>> is_vectors_file(path), is_vectors_file(os.path.dirname(path))
    (True, False)
    """
    path = file_path(path)  # open() would take a number as a file descriptor, and close it
    try:
        with open(path, "rb") as stream:
            return stream.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def write_vectors_file(
    path: str | os.PathLike,
    words: Sequence[str],
    vectors: np.ndarray,
    counts: Sequence[int] | np.ndarray | None = None,
) -> None:
    """Write ``words``, their ``vectors`` and optional ``counts`` to ``path`` atomically
    (a failed write leaves the file that was there).

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "v.vectors")
    >>> write_vectors_file(path, ["paris", "rome"], np.eye(2, dtype=np.float32), counts=[7, 3])
    >>> words, matrix, counts = read_vectors_file(path)
    >>> words, matrix.tolist(), counts.tolist()
    (['paris', 'rome'], [[1.0, 0.0], [0.0, 1.0]], [7, 3])
    """
    name = file_path(path)
    check_named(name, "vectors")
    words = list(words)
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(words) or vectors.shape[1] < 1:
        raise EmbedError(f"expected {len(words)} vectors of at least one dimension, got an array of shape "
                         f"{vectors.shape}")
    if not (np.issubdtype(vectors.dtype, np.floating) or np.issubdtype(vectors.dtype, np.integer)):
        raise EmbedError(f"vectors must be numbers, got an array of {vectors.dtype}")
    if counts is not None:
        counts = np.asarray(counts)
        if counts.shape != (len(words),) or not (np.issubdtype(counts.dtype, np.integer) or counts.size == 0):
            raise EmbedError(f"expected {len(words)} whole-number counts, got an array of shape {counts.shape} "
                             f"and type {counts.dtype}")
        counts = counts.astype("<i8")
    blob = _word_blob(words)
    order = np.array(sorted(range(len(words)), key=words.__getitem__), dtype="<i8")
    sections = _layout(len(words), vectors.shape[1], len(blob), counts is not None)
    with atomic_write(path, "wb") as stream:
        stream.write(MAGIC + f"{VERSION}\n".encode())
        stream.write(sections.pop("_header"))
        stream.write(blob)
        _pad(stream, sections["counts"]["offset"] if counts is not None else sections["order"]["offset"])
        if counts is not None:
            stream.write(counts.tobytes())
        _pad(stream, sections["order"]["offset"])
        stream.write(order.tobytes())
        _pad(stream, sections["vectors"]["offset"])
        rows = max(1, CHUNK_VALUES // vectors.shape[1])
        for start in range(0, len(words), rows):
            block = vectors[start : start + rows].astype(DTYPE, copy=False)
            finite = np.isfinite(block).all(axis=1)
            if not finite.all():
                word = words[start + int(np.flatnonzero(~finite)[0])]
                raise EmbedError(f"{name}: not written: the vector of {word!r} has a value that is NaN or "
                                 "infinite; vectors must be finite numbers")
            stream.write(np.ascontiguousarray(block).tobytes())


def _word_blob(words: list[str]) -> bytes:
    """The words as UTF-8 joined by newlines; a word that would not split back is refused."""
    at = first_bad_word(words, "\n")
    if at >= 0:
        raise EmbedError(f"word {words[at]!r} cannot be written in a vectors file (not a string, empty, or has '\\n')")
    try:
        blob = "\n".join(words).encode("utf-8")
    except UnicodeEncodeError as error:
        bad = next(w for w in words if error.object[error.start : error.end] in w)
        raise EmbedError(f"word {bad!r} cannot be written in a vectors file (not encodable as UTF-8: "
                         f"{error.reason})") from None
    if len(set(words)) != len(words):
        seen: dict[str, int] = {}
        for index, word in enumerate(words, start=1):
            if word in seen:
                raise EmbedError(f"word {word!r} appears twice (as words {seen[word]} and {index}); "
                                 "a vectors file holds each word once")
            seen[word] = index
    return blob


def _layout(count: int, dim: int, words_length: int, with_counts: bool) -> dict:
    """The JSON header and each section's place. The header's length depends on the
    offsets it states and they on it: it is padded to a multiple of 64 bytes, grown
    until the offsets it implies fit in it."""
    start = len(MAGIC) + len(f"{VERSION}\n")
    length = 0
    while True:
        words_offset = start + length
        counts_offset = _aligned(words_offset + words_length) if with_counts else None
        order_offset = _aligned((counts_offset + 8 * count) if with_counts else words_offset + words_length)
        vectors_offset = _aligned(order_offset + 8 * count)
        header = {
            "count": count,
            "dim": dim,
            "dtype": DTYPE,
            "words": {"offset": words_offset, "length": words_length},
            "counts": {"offset": counts_offset, "length": 8 * count, "dtype": "<i8"} if with_counts else None,
            "order": {"offset": order_offset, "length": 8 * count, "dtype": "<i8"},
            "vectors": {"offset": vectors_offset, "length": 4 * count * dim},
        }
        text = json.dumps(header).encode()
        needed = _aligned(start + len(text) + 1) - start
        if needed <= length:
            header["_header"] = text + b" " * (length - len(text) - 1) + b"\n"
            return header
        length = needed


def _aligned(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def _pad(stream, offset: int) -> None:
    stream.write(b"\0" * (offset - stream.tell()))


def read_vectors_file(
    path: str | os.PathLike, mmap: str | None = None, limit: int | None = None
) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """The words, matrix and counts (None where the file has none) of a vectors file.

    ``mmap="r"`` maps the matrix and counts read-only (``np.memmap``: pages are read as
    they are touched, and shared between processes); ``mmap=None`` reads them into
    memory. ``limit`` keeps the first that many words.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "v.vectors")
    >>> write_vectors_file(path, ["a", "b", "c"], np.arange(6, dtype=np.float32).reshape(3, 2))
    >>> words, matrix, counts = read_vectors_file(path, mmap="r", limit=2)
    >>> words, matrix.tolist(), type(matrix).__name__, counts
    (['a', 'b'], [[0.0, 1.0], [2.0, 3.0]], 'memmap', None)
    """
    name = os.fspath(path)
    check_limit(limit)
    if mmap not in (None, "r"):
        raise EmbedError(f"mmap must be None (read into memory) or 'r' (read-only map), got {mmap!r}")
    open_binary(name).close()  # a missing file or a directory: the usual messages
    try:
        with open(name, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            header = _read_header(name, stream, size)
            count, dim = header["count"], header["dim"]
            wanted = count if limit is None else min(count, limit)
            words = _read_words(name, stream, header["words"], count, wanted)
            if mmap is None:
                check_fits(wanted * dim * 4, f"{name}: {wanted:,} words of dimension {dim:,}")
                vectors = _read_array(name, stream, header["vectors"]["offset"], DTYPE, (wanted, dim))
                counts = _read_array(name, stream, header["counts"]["offset"], "<i8", (wanted,)) \
                    if header["counts"] else None
                return words, vectors, counts
    except OSError as error:
        raise EmbedError(f"{name}: cannot read it: {error.strerror or error}") from None
    vectors = _map(name, header["vectors"]["offset"], DTYPE, (count, dim))[:wanted]
    counts = _map(name, header["counts"]["offset"], "<i8", (count,))[:wanted] if header["counts"] else None
    return words, vectors, counts


def _damaged(path: str, problem: str) -> EmbedError:
    return EmbedError(f"{path}: damaged or not an embed vectors file ({problem})")


def _read_header(path: str, stream, size: int) -> dict:
    first = stream.readline(64)
    if not first.startswith(MAGIC):
        raise EmbedError(f"{path}: not an embed vectors file (it does not start with {MAGIC.decode().strip()!r}; "
                         "vectors files are written by write_vectors_file)")
    version = first[len(MAGIC) :].strip()
    if not first.endswith(b"\n") or not version.isdigit():
        raise _damaged(path, f"the version on line 1 is {version[:20].decode('ascii', 'replace')!r}")
    if int(version) > VERSION:
        raise EmbedError(f"{path}: vectors file version {int(version)} is newer than this embed reads ({VERSION}); "
                         "upgrade embed")
    line = stream.readline(HEADER_BYTES)
    try:
        header = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        reason = "it is cut short" if not line.endswith(b"\n") else f"not JSON: {error}"
        raise _damaged(path, f"the header on line 2 is unreadable: {reason}") from None
    problem = _header_problem(header, size)
    if problem:
        raise _damaged(path, problem)
    return header


def _header_problem(header, size: int) -> str | None:
    """What is wrong with a parsed header, in words; None when it describes a whole file."""
    def whole(value):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if not isinstance(header, dict) or not whole(header.get("count")) or not whole(header.get("dim")):
        return "the header on line 2 has no word count and dimension"
    count, dim = header["count"], header["dim"]
    if dim < 1:
        return f"dimension {dim}"
    if header.get("dtype") != DTYPE:
        return f"the matrix's type is {header.get('dtype')!r}, not {DTYPE!r}"
    expected = {"words": None, "counts": 8 * count, "order": 8 * count, "vectors": 4 * count * dim}
    for name, length in expected.items():
        section = header.get(name, "missing")
        if name in ("counts", "order") and section in (None, "missing"):
            continue
        if not isinstance(section, dict) or not whole(section.get("offset")) or not whole(section.get("length")):
            return f"the header's {name} section is {section!r}"
        if length is not None and section["length"] != length:
            return f"the {name} section has {section['length']:,} bytes, {count:,} words need {length:,}"
        end = section["offset"] + section["length"]
        if end > size:
            return f"cut short: the {name} section ends at byte {end:,}, and the file has {size:,} bytes"
    return None


def _read_words(path: str, stream, section: dict, count: int, wanted: int) -> list[str]:
    stream.seek(section["offset"])
    blob = stream.read(section["length"])
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _damaged(path, f"the word list is not valid UTF-8 at byte {section['offset'] + error.start:,}") from None
    if count == 0:
        return []
    # maxsplit keeps a limited read from building the strings of the words it drops.
    words = text.split("\n", wanted) if wanted < count else text.split("\n")
    found = len(words) if wanted == count else text.count("\n") + 1
    if found != count:
        raise _damaged(path, f"the header promises {count:,} words, the word list has {found:,}")
    return words[:wanted]


def _read_array(path: str, stream, offset: int, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    array = np.empty(shape, dtype=dtype)
    stream.seek(offset)
    if stream.readinto(memoryview(array.reshape(-1).view(np.uint8))) != array.nbytes:
        raise _damaged(path, "it ends inside the matrix")
    return array


def _map(path: str, offset: int, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    if 0 in shape:  # mmap cannot map nothing
        return np.empty(shape, dtype=dtype)
    try:
        return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)
    except (OSError, ValueError) as error:
        raise EmbedError(f"{path}: cannot map it into memory: {getattr(error, 'strerror', None) or error}") from None


def read_word_order(path: str | os.PathLike, mmap: str | None = None, limit: int | None = None) -> np.ndarray | None:
    """The rows of a vectors file sorted by their words (of the first ``limit`` rows),
    mapped with ``mmap="r"``; None for a file written without it.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "v.vectors")
    >>> write_vectors_file(path, ["b", "c", "a"], np.ones((3, 2), np.float32))
    >>> read_word_order(path).tolist(), read_word_order(path, limit=2).tolist()
    ([2, 0, 1], [0, 1])
    """
    name = os.fspath(path)
    with open(name, "rb") as stream:
        header = _read_header(name, stream, os.fstat(stream.fileno()).st_size)
        section, count = header.get("order"), header["count"]
        if section is None:
            return None
        if mmap is None:
            order = _read_array(name, stream, section["offset"], "<i8", (count,))
    if mmap is not None:
        order = _map(name, section["offset"], "<i8", (count,))
    if limit is not None and limit < count:
        order = order[order < limit]
    return order
