"""Corpus files to sentences of tokens, streamed in blocks so memory stays flat.

A line is a sentence. A line longer than ``max_sentence_length`` tokens (text8 is one
line of 17M tokens) is cut into consecutive sentences of that many tokens: every token
is kept, in order, and no two lines are merged. Files ending in .gz, .bz2 or .xz are
decompressed on the fly.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .errors import EmbedError
from .tokenizer import Tokenizer

BLOCK_BYTES = 1 << 20
# A line still open after this many characters is tokenised up to its last blank so
# that one enormous line costs one block of memory, not the whole line.
OPEN_LINE_CHARS = 1 << 16

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def open_binary(path: str | os.PathLike) -> BinaryIO:
    """Open a possibly compressed file for reading bytes, with errors that name the file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise EmbedError(f"{path}: no such file")
    if os.path.isdir(path):
        raise EmbedError(f"{path}: is a directory, expected a text file")
    opener = _OPENERS.get(os.path.splitext(path)[1].lower(), open)
    try:
        return opener(path, "rb")
    except OSError as error:
        raise EmbedError(f"{path}: cannot open: {error.strerror or error}") from None


def read_sentences(
    path: str | os.PathLike,
    tokenizer: Tokenizer | None = None,
    max_sentence_length: int = 10_000,
) -> Iterator[list[str]]:
    """Yield the sentences of a corpus file as lists of tokens.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "c.txt")
    >>> _ = open(path, "w").write("Paris is in France.\\nRome is in Italy.\\n")
    >>> list(read_sentences(path))
    [['paris', 'is', 'in', 'france'], ['rome', 'is', 'in', 'italy']]
    """
    tokenizer = tokenizer or Tokenizer()
    path = os.fspath(path)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    pending: list[str] = []  # tokens of the open line not yet given out
    carry = ""  # text of the open line not yet tokenised
    offset = 0
    with open_binary(path) as stream:
        while True:
            try:
                block = stream.read(BLOCK_BYTES)
            except (OSError, EOFError, lzma.LZMAError) as error:
                raise EmbedError(f"{path}: cannot read compressed data near byte {offset}: {error}") from None
            final = not block
            buffered = len(decoder.getstate()[0])
            try:
                text = decoder.decode(block, final)
            except UnicodeDecodeError as error:
                at = offset - buffered + error.start
                raise EmbedError(
                    f"{path}: not valid UTF-8 at byte {at} (byte 0x{error.object[error.start]:02x}); "
                    "convert the file to UTF-8"
                ) from None
            offset += len(block)
            lines = (carry + text).split("\n")
            carry = "" if final else lines.pop()
            for line in lines:
                pending.extend(tokenizer.tokens(line))
                yield from _cut(pending, max_sentence_length)
                pending = []
            if len(carry) > OPEN_LINE_CHARS:
                cut = max(carry.rfind(" "), carry.rfind("\t"), carry.rfind("\r"))
                if cut > 0:
                    pending.extend(tokenizer.tokens(carry[:cut]))
                    carry = carry[cut:]
                    full = len(pending) - len(pending) % max_sentence_length
                    yield from _cut(pending[:full], max_sentence_length)
                    pending = pending[full:]
            if final:
                return


def _cut(tokens: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(tokens), size):
        yield tokens[start : start + size]


class Corpus:
    """A corpus file that can be read again for every epoch.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "c.txt")
    >>> _ = open(path, "w").write("a b c\\n")
    >>> [s for s in Corpus(path)]
    [['a', 'b', 'c']]
    """

    def __init__(
        self, path: str | os.PathLike, tokenizer: Tokenizer | None = None, max_sentence_length: int = 10_000
    ) -> None:
        self.path = os.fspath(path)
        self.tokenizer = tokenizer or Tokenizer()
        self.max_sentence_length = max_sentence_length
        open_binary(self.path).close()  # fail now, not deep inside training

    def __iter__(self) -> Iterator[list[str]]:
        return read_sentences(self.path, self.tokenizer, self.max_sentence_length)

    def __repr__(self) -> str:
        return f"Corpus({self.path!r})"


def as_sentences(source: str | os.PathLike | Iterable[list[str]], tokenizer: Tokenizer, max_sentence_length: int):
    """A path becomes a re-readable Corpus; an iterable of token lists is used as it is."""
    if isinstance(source, (str, os.PathLike)):
        return Corpus(source, tokenizer, max_sentence_length)
    if isinstance(source, Iterator):
        raise EmbedError("a corpus must be re-iterable for several epochs: pass a list or a path, not a generator")
    return source
