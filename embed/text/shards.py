"""A corpus of many files, or one large one, cut into shards balanced by bytes.

Rounds of training (``embed.training.rounds``) give each shard to one trainer, which
reads it itself: a shard is a list of ``Segment``s, byte ranges of files, small enough
to send anywhere. A plain file is cut at any byte; a segment owns the tokens whose
first byte lies in its range, so a token that runs across a cut is read, whole, by the
segment it starts in and skipped by the next: cuts fall at ASCII blanks (space, tab,
newline, ...), and no token is split, lost or read twice. A compressed file cannot be
entered in the middle, so it is one segment, given to the shard its middle byte falls in.

A line cut by a shard boundary becomes two sentences; a long line is cut into
sentences of ``max_sentence_length`` tokens anyway, and text8 is all one line.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..errors import EmbedError
from . import location
from .corpus import ASCII_BLANKS, COMPRESSED, ReadReport, check_rereadable, open_binary, read_sentences
from .tokenizer import Tokenizer

_SCAN_BYTES = 1 << 16


@dataclass(frozen=True)
class Segment:
    """Bytes ``start`` to ``stop`` of the file at ``path`` (``stop`` None: to its end),
    extended to the tokens that start in the range.

    >>> Segment("corpus.txt", 0, 100)
    Segment('corpus.txt', 0, 100)
    """

    path: str
    start: int = 0
    stop: int | None = None

    def __repr__(self) -> str:
        return f"Segment({self.path!r}, {self.start}, {self.stop})"

    def __str__(self) -> str:
        whole = self.start == 0 and self.stop is None
        return self.path if whole else f"{self.path} (bytes {self.start:,} to {self.stop:,})"

    def open(self):
        """A stream of the segment's bytes, cut at blanks as the module says."""
        stream = open_binary(self.path)
        if self.start == 0 and self.stop is None:
            return stream
        try:
            return _Range(stream, _token_start(stream, self.start), self.stop)
        except BaseException:
            stream.close()
            raise


def _is_blank(byte: bytes) -> bool:
    return not byte or byte in ASCII_BLANKS


def _token_start(stream, position: int) -> int:
    """Where the first token that starts at or after ``position`` can be read from: a
    token already running at ``position`` belongs to the segment before."""
    if position == 0:
        return 0
    stream.seek(position - 1)
    if _is_blank(stream.read(1)):
        return position
    while True:
        block = stream.read(_SCAN_BYTES)
        if not block:
            return position
        for k, byte in enumerate(block):
            if byte in ASCII_BLANKS:
                return position + k
        position += len(block)


class _Range:
    """The bytes of a plain file from ``start``, up to ``stop`` and on to the end of
    the token that runs across it."""

    def __init__(self, stream, start: int, stop: int) -> None:
        self.path = stream.path
        self.start = start  # where its bytes lie in the file: what a repair's position counts from
        self._stream = stream
        stream.seek(start)
        self._left = stop - start  # bytes before the cut; none when a token ran across the whole range
        self._done = self._left <= 0

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        if self._left > 0:
            data = self._stream.read(self._left if size < 0 else min(size, self._left))
            if not data:
                self._done = True
                return b""
            self._left -= len(data)
            if self._left == 0:
                self._done = True
                if data[-1] not in ASCII_BLANKS:
                    data += self._rest_of_token()
        return data

    def _rest_of_token(self) -> bytes:
        parts = []
        while True:
            block = self._stream.read(_SCAN_BYTES)
            if not block:
                return b"".join(parts)
            for k, byte in enumerate(block):
                if byte in ASCII_BLANKS:
                    parts.append(block[:k])
                    return b"".join(parts)
            parts.append(block)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> _Range:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def corpus_files(spec: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    """The files a corpus names: a file, a directory (its files, sorted by name, hidden
    ones left out), a glob pattern, or a list of any of these, in the order given.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> for name in ("b.txt", "a.txt", ".hidden"):
    ...     _ = open(os.path.join(folder, name), "w").write("x y\\n")
    >>> [os.path.basename(p) for p in corpus_files(folder)]
    ['a.txt', 'b.txt']
    """
    specs = [spec] if isinstance(spec, (str, os.PathLike)) else list(spec)
    if not specs:
        raise EmbedError("no corpus named")
    files: list[str] = []
    for item in specs:
        path = os.fspath(item)
        if location.isdir(path):
            found = location.files_in(path)
            if not found:
                raise EmbedError(f"{path}: a directory with no corpus files in it")
        elif glob.has_magic(path) and not location.exists(path):
            found = location.matching(path)
            if not found:
                raise EmbedError(f"{path}: no file matches this pattern")
        else:
            found = [path]
        for file in found:
            check_rereadable(file)
            open_binary(file).close()  # a missing or unreadable file is refused now, by name
        files.extend(found)
    return files


def split_shards(files: Sequence[str], count: int) -> list[list[Segment]]:
    """``count`` shards of about equal bytes, in the files' order: shard 0's segments
    come first in the corpus, then shard 1's, and so on. A compressed file is not cut;
    a shard can be empty when there are fewer such files than shards.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "c.txt")
    >>> _ = open(path, "w").write("one two three four five six seven")
    >>> [[(s.start, s.stop) for s in shard] for shard in split_shards([path], 3)]
    [[(0, 11)], [(11, 22)], [(22, 33)]]
    """
    if count < 1:
        raise EmbedError(f"shards must be at least 1, got {count}")
    sizes = [location.getsize(f) for f in files]
    total = sum(sizes)
    shards: list[list[Segment]] = [[] for _ in range(count)]
    if total == 0:
        return shards
    bounds = [i * total // count for i in range(count + 1)]
    offset = 0
    for path, size in zip(files, sizes):
        if size == 0:
            continue
        if path.lower().endswith(COMPRESSED):
            middle = offset + size // 2
            shards[min(count - 1, middle * count // total)].append(Segment(path))
        else:
            for i in range(count):
                start, stop = max(offset, bounds[i]), min(offset + size, bounds[i + 1])
                if start < stop:
                    whole = start == offset and stop == offset + size
                    shards[i].append(Segment(path) if whole else Segment(path, start - offset, stop - offset))
        offset += size
    return shards


def shard_sentences(
    shard: Sequence[Segment],
    tokenizer: Tokenizer,
    max_sentence_length: int = 10_000,
    encoding_errors: str = "replace",
    encoding: str = "utf-8",
    *,
    reports: list[ReadReport],
) -> Iterator[list[str]]:
    """The sentences of a shard's segments, in order. What reading each segment repaired
    goes into ``reports``, one report a segment, under its file's name (its positions are
    the file's: ``combined`` adds up a file's segments), and is not issued as a warning:
    the caller says it."""
    for segment in shard:
        report = ReadReport(segment.path)
        reports.append(report)
        yield from read_sentences(segment, tokenizer, max_sentence_length, encoding_errors, report, encoding,
                                  warn=False)


def names_files(corpus: object) -> bool:
    """Whether ``corpus`` names files (more than one, a directory or a glob) rather
    than one file or sentences in memory.

    >>> names_files(["no such file"]), names_files([["a", "sentence"]])
    (False, False)
    """
    if isinstance(corpus, (str, os.PathLike)):
        path = os.fspath(corpus)
        return location.isdir(path) or (glob.has_magic(path) and not location.exists(path))
    # A list of strings names files where one of them is a file, a directory or a glob
    # that matches; else it is taken for sentences given as strings, and refused as such.
    return (isinstance(corpus, (list, tuple)) and len(corpus) > 0
            and all(isinstance(item, (str, os.PathLike)) for item in corpus)
            and any(location.is_url(item) or os.path.exists(item) or glob.glob(os.fspath(item)) for item in corpus))


class Files:
    """Several corpus files read one after another, again for every epoch.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> for name, text in (("a.txt", "one two\\n"), ("b.txt", "three\\n")):
    ...     _ = open(os.path.join(folder, name), "w").write(text)
    >>> list(Files(corpus_files(folder)))
    [['one', 'two'], ['three']]
    """

    def __init__(self, files: Sequence[str], tokenizer: Tokenizer | None = None, max_sentence_length: int = 10_000,
                 encoding_errors: str = "replace", encoding: str = "utf-8") -> None:
        self.files = list(files)
        self.tokenizer = tokenizer or Tokenizer()
        self.max_sentence_length, self.encoding_errors, self.encoding = max_sentence_length, encoding_errors, encoding

    def __iter__(self) -> Iterator[list[str]]:
        self.reports: list[ReadReport] = []  # of the latest read, one a file: what a run's report adds up
        yield from shard_sentences([Segment(f) for f in self.files], self.tokenizer, self.max_sentence_length,
                                   self.encoding_errors, self.encoding, reports=self.reports)
        for report in self.reports:
            report.warn()

    def __repr__(self) -> str:
        return f"Files({self.files!r})"
