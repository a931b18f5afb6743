"""Corpus files to sentences of tokens, streamed in blocks so memory stays flat.

A line is a sentence. A line longer than ``max_sentence_length`` tokens (text8 is one
line of 17M tokens) is cut into consecutive sentences of that many tokens: every token
is kept, in order, and no two lines are merged. Files ending in .gz, .bz2 or .xz are
decompressed on the fly. Text is UTF-8 unless an ``encoding`` is named; a UTF-16 or
UTF-32 file read as UTF-8 is recognised and refused, since it would train on noise.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import lzma
import os
import stat
import threading
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from ..errors import EmbedError, described
from . import location
from .tokenizer import Tokenizer
from .vocab import checked_sentence

if TYPE_CHECKING:
    from .shards import Segment

BLOCK_BYTES = 1 << 20
# A line still open after this many characters is tokenised up to its last blank so
# that one enormous line costs one block of memory, not the whole line.
OPEN_LINE_CHARS = 1 << 16

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
COMPRESSED = tuple(_OPENERS)  # read through a decompressor: no byte offset to cut at
# ASCII letters and blanks: text of only these can skip the Python path (embed.text.plaintext).
ASCII_LETTERS = bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("A"), ord("Z") + 1))
ASCII_BLANKS = b" \t\n\r\x0b\x0c"
_PLAIN_BYTES = ASCII_LETTERS + ASCII_BLANKS


@contextlib.contextmanager
def read_ahead(stream: BinaryIO, block_bytes: int) -> Iterator[Iterator[bytes]]:
    """The blocks of ``stream``, ending with an empty one, the next read (and
    decompressed) on a thread of its own while the caller works on this one: both let
    go of the GIL. On the way out the reader is done with the stream, so it can close.

    >>> import io
    >>> with read_ahead(io.BytesIO(b"abcde"), 2) as blocks:
    ...     list(blocks)
    [b'ab', b'cd', b'e', b'']
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as reader:
        pending = [reader.submit(stream.read, block_bytes)]

        def blocks() -> Iterator[bytes]:
            while True:
                block = pending[0].result()
                if block:
                    pending[0] = reader.submit(stream.read, block_bytes)
                yield block
                if not block:
                    return

        try:
            yield blocks()
        finally:
            pending[0].result()


def open_binary(path: str | os.PathLike) -> BinaryIO:
    """Open a possibly compressed file for reading bytes. Errors name the file, and a
    damaged or truncated compressed stream is an EmbedError at the byte it was read to."""
    path = location.file_path(path)
    if not location.exists(path):
        raise EmbedError(f"{path}: no such file")
    if location.isdir(path):
        raise EmbedError(f"{path}: is a directory, expected a text file")
    opener = _OPENERS.get(os.path.splitext(path)[1].lower(), open)
    try:
        # The raw file held beside the decompressor: how far it was read places an error in
        # the compressed file, which the text's position does not (an error in the first
        # block read was "near byte 0" wherever it lay).
        raw = open(path, "rb") if not location.is_url(path) else location.open_url(path)
        try:  # the decompressors do not close a stream they were handed
            return _CheckedStream(raw if opener is open else opener(raw, "rb"), path, opener is not open, raw)
        except BaseException:
            raw.close()
            raise
    except OSError as error:
        raise EmbedError(f"{path}: cannot open: {error.strerror or error}") from None


class _CheckedStream:
    """A file being read whose read errors (zlib's, lzma's, a cut-short stream's
    EOFError, an I/O error) become one EmbedError naming the file and the position."""

    def __init__(self, stream: BinaryIO, path: str, compressed: bool, underneath: BinaryIO | None = None) -> None:
        self._stream, self.path, self.compressed, self._underneath = stream, path, compressed, underneath
        self.position = 0  # bytes given out, of the uncompressed data

    def read(self, size: int = -1) -> bytes:
        return self._counted(self._checked(self._stream.read, size))

    def seek(self, offset: int) -> None:
        """Go to byte ``offset`` of a plain file (a compressed stream would decompress
        everything before it)."""
        self._checked(self._stream.seek, offset)
        self.position = offset

    def readline(self, size: int = -1) -> bytes:
        return self._counted(self._checked(self._stream.readline, size))

    def peek(self, size: int = 0) -> bytes:
        return self._checked(self._stream.peek, size)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def close(self) -> None:
        self._stream.close()
        if self._underneath is not None:
            self._underneath.close()

    def __enter__(self) -> _CheckedStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _counted(self, data: bytes) -> bytes:
        self.position += len(data)
        return data

    def _checked(self, method, size):
        try:
            return method(size)
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as error:
            reason = getattr(error, "strerror", None) or error
            if not self.compressed:
                raise EmbedError(f"{self.path}: cannot read the file near byte {self.position}: {reason}") from None
            after = f", after {self.position:,} bytes of text" if self.position else ""
            raise EmbedError(f"{self.path}: cannot read compressed data (damaged or cut short){self._where()}{after}: "
                             f"{reason}") from None

    def _where(self) -> str:
        """Where the decompressor stood in the compressed file: past the error, by what it
        reads ahead."""
        try:
            at = self._underneath.tell()
            size = os.fstat(self._underneath.fileno()).st_size
        except (AttributeError, OSError, ValueError):  # a URL's stream may not tell
            return ""
        return f" near byte {at:,} of its {size:,}"


def check_rereadable(path: str) -> None:
    """Refuse a pipe, a terminal or another stream that can be read only once: training
    reads the corpus once to count words and again to train."""
    if path == "-":
        raise EmbedError("-: a corpus cannot come from standard input, which can be read only once "
                         "(embed reads the corpus to count words, then to train): save it to a file first")
    if location.is_url(path):
        return  # object stores hold files
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # open_binary names what is wrong
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        kind = "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise EmbedError(f"{path}: is {kind}, which can be read only once (embed reads the corpus to count words, "
                         "then to train): save it to a file first, for example: command > corpus.txt")


def text_codec(encoding: str, name: str = "encoding") -> str:
    """The codec's name, if ``encoding`` is a text encoding Python has a decoder for; not
    rot13, base64 or zlib (codecs of bytes to bytes), nor idna and punycode (of host
    names, whose decoders take no error handler).

    >>> text_codec("latin-1")
    'iso8859-1'
    """
    try:
        codec = codecs.lookup(encoding)
    except (LookupError, TypeError):
        codec = None
    if codec is None or not codec._is_text_encoding or codec.name in ("idna", "punycode"):
        raise EmbedError(f"{name} must be a text encoding (utf-8, latin-1, cp1252, utf-16, ...), got {encoding!r}")
    return codec.name


def ascii_compatible(encoding: str) -> bool:
    """Whether ``encoding`` writes ASCII letters and blanks as ASCII does (UTF-8, latin-1,
    cp1252: yes; UTF-16, EBCDIC: no), which the bytes-level reader relies on."""
    sample = (ASCII_LETTERS + ASCII_BLANKS).decode("ascii")
    try:
        return sample.encode(encoding) == sample.encode("ascii")
    except (LookupError, UnicodeError):
        return False


# Byte-order marks of the encodings that read as noise under UTF-8; UTF-32 first, since
# UTF-32-LE's mark begins with UTF-16-LE's.
_WIDE_MARKS = [
    (b"\xff\xfe\x00\x00", "UTF-32", "little-endian", "utf-32"),
    (b"\x00\x00\xfe\xff", "UTF-32", "big-endian", "utf-32"),
    (b"\xff\xfe", "UTF-16", "little-endian", "utf-16"),
    (b"\xfe\xff", "UTF-16", "big-endian", "utf-16"),
]


def _wide_without_mark(start: bytes) -> tuple[str, str, str]:
    """The encoding, byte order and Python codec of text whose NULs say it is UTF-16 or
    UTF-32 without a byte-order mark, by where the NULs fall: mostly-ASCII text leaves
    the other bytes of each unit NUL. (The codec "utf-16" wants the mark, and refused
    such a file with "UTF-16 stream does not start with BOM".)

    >>> _wide_without_mark("paris".encode("utf-16-be")), _wide_without_mark("paris".encode("utf-32-le"))
    (('UTF-16', 'big-endian', 'utf-16be'), ('UTF-32', 'little-endian', 'utf-32le'))
    """
    even, odd = start[0::2].count(0), start[1::2].count(0)
    if min(even, odd) > len(start) // 5:  # both halves of the 16-bit units NUL: UTF-32's
        little = start[0::4].count(0) < start[3::4].count(0)
        name = "UTF-32"
    else:
        little = odd > even
        name = "UTF-16"
    order = "little-endian" if little else "big-endian"
    # "utf-16le": Python's name, and in capitals iconv's (glibc's iconv refuses UTF-16-LE).
    return name, order, f"{name.lower()}{'le' if little else 'be'}"


def check_not_other_format(path: str, start: bytes) -> None:
    """Refuse a file of another kind than text or word vectors, by its first bytes (after
    its .gz, .bz2 or .xz is undone). A zip or tar archive: read as text, its compressed
    bytes trained into words such as 'k' and 'v', and a tar's header into 'ustar' and
    'root', with one warning about UTF-8 (text8 is published as text8.zip, GloVe as
    glove.6B.zip). A Python pickle, as gensim's ``save()`` writes its models, or a NumPy
    array, as it writes their large arrays beside them: "not valid UTF-8" named no cause.

    >>> check_not_other_format("text8.zip", b"PK\x03\x04" + bytes(60))
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: text8.zip: is a zip archive, not text: unzip it and give embed the file(s) inside; it reads text, .gz, .bz2 and .xz
    >>> check_not_other_format("v.pkl", bytes([0x80, 4, 0x95]) + bytes(60))
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: v.pkl: is a Python pickle, not text or word vectors: embed reads no pickles (loading one can run any code); write the vectors in word2vec's text or binary format where they came from
    """
    if len(start) > 1 and start[0] == 0x80 and 2 <= start[1] <= 5:  # a pickle's PROTO opcode and protocol
        if b"gensim" in start[:256]:
            what, how = "a gensim model saved with its save(), a Python pickle", (
                "in gensim, write its vectors with save_word2vec_format('vectors.bin', binary=True) (a model's: "
                "model.wv.save_word2vec_format), or give the loaded KeyedVectors to embed's Vectors.from_gensim")
        else:
            what, how = "a Python pickle", "write the vectors in word2vec's text or binary format where they came from"
        raise EmbedError(f"{path}: is {what}, not text or word vectors: embed reads no pickles (loading one can run "
                         f"any code); {how}")
    if start.startswith(b"\x93NUMPY"):
        raise EmbedError(f"{path}: is a NumPy array (.npy), as gensim's save() writes a model's large arrays beside it, "
                         "not text or word vectors: load the model it belongs to in gensim and write its vectors with "
                         "save_word2vec_format")
    names: list[str] = []
    if start.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        what, how = "a zip archive", "unzip it"
        if not location.is_url(path):
            with contextlib.suppress(zipfile.BadZipFile, OSError):
                with zipfile.ZipFile(path) as archive:
                    names = archive.namelist()
        if "format.npy" in names:  # a model given where text goes: nothing to unzip
            raise EmbedError(f"{path}: is an embed model file, not text: read its vectors with embed.load_vectors "
                             "(Vectors.load), or train on with Word2Vec.load")
    elif start[257:263] in (b"ustar\x00", b"ustar "):  # the whole magic: "custard" at byte 256 is text
        what, how = "a tar archive", f"extract it (tar xf {path})"
    else:
        return
    members = f" ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})" if names else ""
    raise EmbedError(f"{path}: is {what}, not text: {how} and give embed the file(s) inside{members}; it reads "
                     "text, .gz, .bz2 and .xz")


def check_not_wide(path: str, start: bytes) -> None:
    """Refuse UTF-16 or UTF-32 text about to be read as UTF-8, by its byte-order mark
    or, without one, by its NUL bytes (ASCII text in UTF-16 is half NULs)."""
    for mark, name, order, codec in _WIDE_MARKS:
        if start.startswith(mark):
            found = f"{name} ({order}; it starts with the byte-order mark {mark.hex(' ').upper()})"
            break
    else:
        if len(start) < 16 or start.count(0) < len(start) // 4:
            return
        share = 100 * start.count(0) // len(start)
        name, order, codec = _wide_without_mark(start)
        found = f"{name} ({order}, without a byte-order mark: {share}% of its first {len(start)} bytes are NUL)"
    raise EmbedError(
        f"{path}: the text is {found}, not UTF-8: convert it with "
        f"iconv -f {codec.upper()} -t UTF-8 {path} > converted.txt, or pass --encoding {codec} "
        f"(Python: encoding={codec!r})"
    )


@dataclass
class ReadReport:
    """What a read of a corpus had to repair; ``warnings()`` says it in words."""

    path: str
    invalid_bytes: int = 0
    first_invalid_byte: int | None = None
    truncated_tokens: int = 0
    dropped_characters: int = 0  # of runs too long to hold, past the token cap
    cut_sentences: int = 0  # cuts of lines longer than max_sentence_length tokens
    plain: bool = True  # every byte an ASCII letter or blank (see embed.text.plaintext)
    encoding: str = "UTF-8"

    def warnings(self) -> list[str]:
        found = []
        if self.invalid_bytes:
            found.append(
                f"{self.path}: replaced {self.invalid_bytes} bytes that are not valid {self.encoding}, the first at byte "
                f"{self.first_invalid_byte} (use encoding_errors='strict' / --encoding-errors strict to stop instead)"
            )
        if self.truncated_tokens:
            found.append(f"{self.path}: cut {self.truncated_tokens} tokens longer than the token length cap")
        return found

    def warn(self) -> None:
        """Issue ``warnings()`` as CorpusWarnings."""
        for message in self.warnings():
            warnings.warn(message, CorpusWarning)  # one location, so each message shows once per process


def combined(reports: Iterable[ReadReport]) -> list[ReadReport]:
    """One report a file, of the reports of its parts (a cluster's shards cut a file into
    segments, each read apart), in the order the files first appear: a damaged file is
    then one warning, as on one machine, not one a segment.

    >>> parts = [ReadReport("a.txt", 2, 900), ReadReport("a.txt", 1, 40, truncated_tokens=1), ReadReport("b.txt")]
    >>> [(r.path, r.invalid_bytes, r.first_invalid_byte, r.truncated_tokens) for r in combined(parts)]
    [('a.txt', 3, 40, 1), ('b.txt', 0, None, 0)]
    """
    files: dict[str, ReadReport] = {}
    for part in reports:
        whole = files.setdefault(part.path, ReadReport(part.path, encoding=part.encoding))
        whole.invalid_bytes += part.invalid_bytes
        firsts = [byte for byte in (whole.first_invalid_byte, part.first_invalid_byte) if byte is not None]
        whole.first_invalid_byte = min(firsts) if firsts else None
        whole.truncated_tokens += part.truncated_tokens
        whole.dropped_characters += part.dropped_characters
        whole.cut_sentences += part.cut_sentences
        whole.plain = whole.plain and part.plain
    return list(files.values())


class _Tally(threading.local):
    report: ReadReport | None = None
    base = 0


_tally = _Tally()


def _replace_and_count(error: UnicodeDecodeError) -> tuple[str, int]:
    report = _tally.report
    report.invalid_bytes += error.end - error.start
    if report.first_invalid_byte is None:
        report.first_invalid_byte = _tally.base + error.start
    return "\ufffd", error.end


codecs.register_error("embed-replace-and-count", _replace_and_count)


def read_sentences(
    path: str | os.PathLike | Segment,
    tokenizer: Tokenizer | None = None,
    max_sentence_length: int = 10_000,
    encoding_errors: str = "replace",
    report: ReadReport | None = None,
    encoding: str = "utf-8",
    warn: bool = True,
) -> Iterator[list[str]]:
    """Yield the sentences of a corpus file, or of a segment of one, as lists of tokens.

    Bytes that are not valid in ``encoding`` (UTF-8 by default) become U+FFFD and are
    counted (``encoding_errors="strict"`` raises instead, naming the byte offset); a
    UTF-8 byte-order mark is skipped, and UTF-16 or UTF-32 text read as UTF-8 is refused. Tokens longer than the tokenizer's cap are
    cut to it and counted. What was repaired is in ``report`` and, unless ``warn`` is
    False (the caller says it), is also issued as a warning once the file has been read.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "c.txt")
    >>> _ = open(path, "w").write("Paris is in France.\\nRome is in Italy.\\n")
    >>> list(read_sentences(path))
    [['paris', 'is', 'in', 'france'], ['rome', 'is', 'in', 'italy']]
    """
    if encoding_errors not in ("replace", "strict"):
        raise EmbedError(f"encoding_errors must be 'replace' or 'strict', got {encoding_errors!r}")
    tokenizer = tokenizer or Tokenizer()
    segment = None if isinstance(path, (str, os.PathLike)) else path  # an embed.text.shards.Segment
    path = os.fspath(path) if segment is None else str(segment)
    report = report if report is not None else ReadReport(path)
    codec = text_codec(encoding)
    utf8 = codec == "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8-sig" if utf8 else codec)(
        "strict" if encoding_errors == "strict" else "embed-replace-and-count"
    )
    report.encoding = "UTF-8" if utf8 else encoding
    report.plain = report.plain and ascii_compatible(codec)
    pending: list[str] = []  # tokens of the open line not yet given out
    given = 0  # sentences of the open line already given out
    carry = ""  # text of the open line not yet tokenised
    skipping = False  # inside a run with no blank that was too long to hold
    offset = 0
    with open_binary(path) if segment is None else segment.open() as stream:
        start = getattr(stream, "start", 0)  # a segment's offset in its file: positions are the file's
        while True:
            block = stream.read(BLOCK_BYTES)
            final = not block
            if offset == 0 and start == 0:  # the file's first bytes: a segment of a file starts within it
                check_not_other_format(path, block[:512])
            if offset == 0 and utf8:
                check_not_wide(path, block[:4096])
            _tally.report, _tally.base = report, start + offset - len(decoder.getstate()[0])
            try:
                text = decoder.decode(block, final)
            except UnicodeDecodeError as error:
                raise EmbedError(
                    f"{path}: not valid {report.encoding} at byte {_tally.base + error.start} "
                    f"(byte 0x{error.object[error.start]:02x}); convert the file, name its --encoding, "
                    "or use encoding_errors='replace'"
                ) from None
            except UnicodeError as error:  # a decoder that refuses the stream as a whole (UTF-16 without a mark)
                raise EmbedError(f"{path}: cannot be read as {report.encoding} near byte {start + offset}: {error}") from None
            offset += len(block)
            if report.plain and block.translate(None, _PLAIN_BYTES):
                report.plain = False
            if skipping:
                blank = _first_blank(text)
                report.dropped_characters += len(text) if blank < 0 else blank
                if blank < 0 and not final:
                    continue
                text, skipping = ("" if blank < 0 else text[blank:]), False
            lines = (carry + text).split("\n")
            carry = "" if final else lines.pop()
            for line in lines:
                pending.extend(tokenizer.tokens(line, report))
                report.cut_sentences += max(0, given + -(-len(pending) // max_sentence_length) - 1)
                given = 0
                yield from _cut(pending, max_sentence_length)
                pending = []
            if len(carry) > OPEN_LINE_CHARS:
                cut = max(carry.rfind(" "), carry.rfind("\t"), carry.rfind("\r"))
                if cut <= 0:  # one run of OPEN_LINE_CHARS with no blank: keep its capped tokens only
                    cut, skipping = len(carry), True
                pending.extend(tokenizer.tokens(carry[:cut], report))
                carry = carry[cut:]
                full = len(pending) - len(pending) % max_sentence_length
                given += full // max_sentence_length
                yield from _cut(pending[:full], max_sentence_length)
                pending = pending[full:]
            if final:
                break
    if warn:
        report.warn()


class CorpusWarning(UserWarning):
    """A corpus was read with repairs (invalid UTF-8 replaced, long tokens cut)."""


def _first_blank(text: str) -> int:
    found = [i for i in (text.find(" "), text.find("\t"), text.find("\r"), text.find("\n")) if i >= 0]
    return min(found) if found else -1


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
        self,
        path: str | os.PathLike,
        tokenizer: Tokenizer | None = None,
        max_sentence_length: int = 10_000,
        encoding_errors: str = "replace",
        encoding: str = "utf-8",
    ) -> None:
        self.path = os.fspath(path)
        self.tokenizer = tokenizer or Tokenizer()
        self.max_sentence_length = max_sentence_length
        self.encoding_errors = encoding_errors
        self.encoding = encoding
        self.report = ReadReport(self.path)  # of the latest read
        check_rereadable(self.path)
        open_binary(self.path).close()  # fail now, not deep inside training

    def __iter__(self) -> Iterator[list[str]]:
        self.report = ReadReport(self.path)
        return read_sentences(self.path, self.tokenizer, self.max_sentence_length, self.encoding_errors, self.report,
                              self.encoding)

    def __repr__(self) -> str:
        return f"Corpus({self.path!r})"


def as_sentences(
    source: str | os.PathLike | Iterable[list[str]],
    tokenizer: Tokenizer,
    max_sentence_length: int,
    encoding_errors: str = "replace",
    encoding: str = "utf-8",
):
    """A path becomes a re-readable Corpus; an iterable of token lists is used as it is."""
    if isinstance(source, (str, os.PathLike)):
        return Corpus(source, tokenizer, max_sentence_length, encoding_errors, encoding)
    if isinstance(source, Iterator):
        raise EmbedError("a corpus must be re-iterable for several epochs: pass a list or a path, not a generator")
    if isinstance(source, bytes) or not isinstance(source, Iterable):  # they failed in Python's own iteration
        raise EmbedError(f"a corpus is a file's path (a str), several paths, or sentences as lists of tokens; "
                         f"got {described(source)}")
    for sentence in source:  # the first, at once: a list of strings is the common mistake (the rest as counted)
        checked_sentence(sentence)
        break
    return source
