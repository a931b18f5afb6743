"""Plain text straight to chunks of word ids, for corpora of ASCII letters and blanks.

text8 and its kind are nothing but a-z and spaces. For them the Python path (decode,
split into strings, look every string up in a dict) cost the reader thread about 5
seconds of CPU per pass over 17M tokens, time taken from the training threads in the
first epoch. Here the bytes are split and looked up in a jitted hash table, without the
GIL, and the chunks are exactly those of ``embed.text.chunks.id_chunks`` on
``embed.text.corpus.read_sentences``: lines are sentences, a line is cut every
``max_sentence_length`` tokens, out-of-vocabulary tokens are dropped, empty sentences
skipped. Whether a file qualifies is learnt while the vocabulary is built (its
``ReadReport.plain``); a file that changes afterwards is detected and refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from .chunks import chunk_sentences
from .corpus import ASCII_BLANKS, ASCII_LETTERS, BLOCK_BYTES, open_binary, read_ahead
from ..errors import EmbedError
from ..memory import release_compiler_pages
from .vocab import Pruning, TrimRule, Vocabulary

if TYPE_CHECKING:
    from .shards import Segment

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_EMPTY = -1
_NOT_PLAIN = -2  # encode_block's answer for a byte that is not a letter or blank, or an over-long token


class VocabularyHash:
    """An open-addressing table from a word's ASCII bytes to its id.

    >>> table = VocabularyHash(Vocabulary(["the", "of"], [5, 3]), lowercase=True)
    >>> ids, starts, _, _ = table.encode(b"of The cat\\nthe end", 10_000, 0, True)
    >>> ids.tolist(), starts.tolist()  # a sentence starts at ids[2]
    ([1, 0, 0], [2])
    """

    def __init__(self, vocab: Vocabulary, lowercase: bool, max_token_length: int = 100) -> None:
        # Words with other characters cannot occur in plain text: they get length 0.
        encoded = [w.encode("ascii") if w.isascii() else b"" for w in vocab.words]
        self.word_lengths = np.array([len(w) for w in encoded], dtype=np.int64)
        self.word_starts = np.zeros(len(encoded), dtype=np.int64)
        np.cumsum(self.word_lengths[:-1], out=self.word_starts[1:])
        self.word_bytes = np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8)
        self.slots = np.full(1 << max(4, (2 * len(encoded)).bit_length()), _EMPTY, dtype=np.int32)  # under half full
        _fill(self.slots, self.word_bytes, self.word_starts, self.word_lengths)
        self.lowercase = lowercase
        self.max_token_length = max_token_length

    def encode(
        self, data: bytes, max_sentence_length: int, line_tokens: int, final: bool
    ) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Ids of the tokens of ``data`` up to its last blank (all of it if ``final``),
        the positions in them where sentences start, the token count of the line still
        open, and how many bytes were used; ``line_tokens`` is that count before."""
        buffer = np.frombuffer(data, dtype=np.uint8)
        ids = np.empty(len(data) // 2 + 1, dtype=np.int32)
        # A sentence starts at every newline (and at every cut of a long line, at a
        # token): a block of blank lines has as many starts as bytes.
        starts = np.empty(len(data) + 2, dtype=np.int64)
        found = encode_block(
            buffer, final, self.slots, self.word_bytes, self.word_starts, self.word_lengths, self.lowercase,
            self.max_token_length, max_sentence_length, line_tokens, ids, starts,
        )
        count, start_count, line_tokens, used = found
        if count == _NOT_PLAIN:
            raise ValueError(
                "not plain text: a byte other than an ASCII letter or blank, or a token longer than "
                f"{self.max_token_length} characters"
            )
        return ids[:count], starts[:start_count], line_tokens, used


@njit(cache=True, nogil=True, inline="always")
def _hash(data, start, stop, fold):
    h = _FNV_OFFSET
    for k in range(start, stop):
        byte = data[k]
        if fold and byte <= 90:  # A-Z: the only bytes below 'a' that reach here are capitals
            byte += 32
        h = (h ^ np.uint64(byte)) * _FNV_PRIME
    return h


@njit(cache=True)
def _fill(slots, word_bytes, word_starts, word_lengths):
    mask = slots.shape[0] - 1
    for word in range(word_lengths.shape[0]):
        if word_lengths[word] == 0:
            continue
        start = word_starts[word]
        slot = np.int64(_hash(word_bytes, start, start + word_lengths[word], False) & np.uint64(mask))
        while slots[slot] != _EMPTY:
            slot = (slot + 1) & mask
        slots[slot] = word


@njit(cache=True, nogil=True)
def _lookup(data, start, stop, fold, slots, word_bytes, word_starts, word_lengths):
    mask = slots.shape[0] - 1
    slot = np.int64(_hash(data, start, stop, fold) & np.uint64(mask))
    length = stop - start
    while True:
        word = slots[slot]
        if word == _EMPTY:
            return -1
        if word_lengths[word] == length and _same_bytes(data, start, length, fold, word_bytes, word_starts[word]):
            return word
        slot = (slot + 1) & mask


@njit(cache=True, nogil=True, inline="always")
def _same_bytes(data, start, length, fold, word_bytes, base):
    """Whether the token ``data[start:start + length]`` (folded to lower case where
    ``fold``) is the word stored at ``word_bytes[base:]``."""
    for k in range(length):
        byte = data[start + k]
        if fold and byte <= 90:
            byte += 32
        if word_bytes[base + k] != byte:
            return False
    return True


_LETTER, _BLANK, _NEWLINE = 1, 2, 3


def _byte_classes() -> np.ndarray:
    """0 for a byte that is not plain, else _LETTER, _BLANK or _NEWLINE; the same byte
    set as ``ReadReport.plain`` checks."""
    classes = np.zeros(256, dtype=np.uint8)
    classes[list(ASCII_LETTERS)] = _LETTER
    classes[list(ASCII_BLANKS)] = _BLANK
    classes[ord("\n")] = _NEWLINE
    return classes


_BYTE_CLASSES = _byte_classes()  # a global array: Numba compiles it in as a constant


@njit(cache=True, nogil=True)
def encode_block(data, final, slots, word_bytes, word_starts, word_lengths, fold, max_token_length,
                 max_sentence_length, line_tokens, ids, starts):
    """The jitted body of ``VocabularyHash.encode``; returns (ids, sentence starts, open
    line's tokens, bytes used), or _NOT_PLAIN as the first when the data does not qualify."""
    classes = _BYTE_CLASSES
    end = data.shape[0]
    if not final:  # stop after the last blank: a token may continue in the next block
        while end > 0 and classes[data[end - 1]] == _LETTER:
            end -= 1
    count = 0
    start_count = 0
    k = 0
    while k < end:
        c = classes[data[k]]
        if c == _LETTER:
            token_start = k
            while k < end and classes[data[k]] == _LETTER:
                k += 1
            if k - token_start > max_token_length:
                return _NOT_PLAIN, 0, 0, 0
            if line_tokens == max_sentence_length:  # a long line goes on in a new sentence
                starts[start_count] = count
                start_count += 1
                line_tokens = 0
            line_tokens += 1
            word = _lookup(data, token_start, k, fold, slots, word_bytes, word_starts, word_lengths)
            if word >= 0:
                ids[count] = word
                count += 1
            continue
        if c == 0:  # neither a letter nor a blank
            return _NOT_PLAIN, 0, 0, 0
        if c == _NEWLINE:
            starts[start_count] = count
            start_count += 1
            line_tokens = 0
        k += 1
    return count, start_count, line_tokens, end


def plain_id_chunks(
    path: str | os.PathLike, table: VocabularyHash, max_sentence_length: int = 10_000, chunk_words: int = 10_000,
    block_bytes: int = BLOCK_BYTES,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``id_chunks(read_sentences(path), vocab, chunk_words)``, from the bytes.

    """
    return chunk_sentences(_plain_sentences(os.fspath(path), table, max_sentence_length, block_bytes), chunk_words)


def _plain_sentences(path: str, table: VocabularyHash, max_sentence_length: int, block_bytes: int) -> Iterator[np.ndarray]:
    """Each sentence's ids (empty ones too), from the file's blocks."""
    try:
        yield from plain_sentences(path, table, max_sentence_length, block_bytes)
    except ValueError:  # the vocabulary pass found the file plain
        raise EmbedError(f"{path}: changed since the vocabulary was built; build it again") from None


def plain_sentences(source: str | Segment, table: VocabularyHash, max_sentence_length: int = 10_000,
                    block_bytes: int = BLOCK_BYTES) -> Iterator[np.ndarray]:
    """Each sentence's ids (empty ones too) of a plain file or a segment of one
    (``embed.text.shards``); ValueError at the first byte that needs the tokenizer."""

    def blocks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        line_tokens = 0
        carry = b""
        with open_binary(source) if isinstance(source, (str, os.PathLike)) else source.open() as stream:
            while True:
                block = stream.read(block_bytes)
                final = not block
                data = carry + block
                ids, starts, line_tokens, used = table.encode(data, max_sentence_length, line_tokens, final)
                carry = data[used:]
                if not final and len(carry) > table.max_token_length:
                    raise ValueError(f"a token longer than {table.max_token_length} characters")
                yield ids, starts
                if final:
                    return

    return block_sentences(blocks())


def block_sentences(blocks: Iterable[tuple[np.ndarray, np.ndarray]]) -> Iterator[np.ndarray]:
    """Sentences from blocks of (ids, the positions in them where a new sentence
    starts): the sentence still open at the end of a block continues into the next."""
    open_parts: list[np.ndarray] = []  # the sentence still open, across blocks
    for ids, starts in blocks:
        bounds = list(starts) + [len(ids)]
        open_parts.append(ids[: bounds[0]])
        for first, last in zip(bounds, bounds[1:]):
            yield np.concatenate(open_parts) if len(open_parts) > 1 else open_parts[0]
            open_parts = [ids[first:last]]
    yield np.concatenate(open_parts)


# -- counting: the vocabulary pass over plain text ----------------------------------------

_COUNTED, _GROW, _NOT_PLAIN_TEXT = 0, 1, 2  # count_block's answers

IdSink = Callable[[np.ndarray, np.ndarray], None]  # takes each block's (ids, sentence starts)


class PlainCounts:
    """Every distinct token of plain text with its count, in order of first appearance,
    as the vocabulary pass over a plain file counts them without leaving jitted code:
    an open-addressing table over an arena of the tokens' bytes, grown when full.

    With a ``sink``, each block's tokens also go to it as provisional ids (each token's
    number in order of first appearance) with the positions where sentences start, cut
    as ``VocabularyHash.encode`` cuts them: once the vocabulary is known, a table from
    provisional to final ids turns them into the epoch's chunks without reading the
    text again (``provisional_chunks``).

    >>> counts = PlainCounts(lowercase=True)
    >>> counts.add(b"The cat\\nthe end "), counts.add(b"Cat", final=True)
    (True, True)
    >>> counts.items(), counts.word_counts().tolist()
    ([('the', 2), ('cat', 2), ('end', 1)], [2, 2, 1])
    """

    def __init__(self, lowercase: bool, max_token_length: int = 100, max_sentence_length: int = 10_000,
                 sink: IdSink | None = None, max_table: int | None = None, trim_rule: TrimRule | None = None) -> None:
        self.lowercase, self.max_token_length = lowercase, max_token_length
        # Checked after each block: a pruning renumbers the tokens, so from then on the
        # sink gets nothing more and ``pruned`` tells its owner to drop what it got.
        self.pruning, self.pruned = Pruning(max_table, trim_rule), False
        self.max_sentence_length, self.sink = max_sentence_length, sink
        self.slots = np.full(1 << 16, _EMPTY, dtype=np.int32)
        self.hashes = np.zeros(1 << 15, dtype=np.uint64)
        self.starts = np.zeros(1 << 15, dtype=np.int64)
        self.lengths = np.zeros(1 << 15, dtype=np.int64)
        self.counts = np.zeros(1 << 15, dtype=np.int64)
        self.arena = np.zeros(1 << 18, dtype=np.uint8)
        self.words = 0
        self.arena_used = 0
        self.line_tokens = 0
        self.cuts = np.zeros(1, dtype=np.int64)  # lines cut at max_sentence_length tokens, once per cut
        self.carry = b""

    def add(self, block: bytes, final: bool = False) -> bool:
        """Count the tokens of ``block`` (a token cut by its end waits for the next
        block); False, and nothing more is counted, once a byte is neither an ASCII
        letter nor a blank, or a token is longer than ``max_token_length``."""
        data = np.frombuffer(self.carry + block, dtype=np.uint8)
        capture = self.sink is not None
        ids = np.empty(len(data) // 2 + 1 if capture else 1, dtype=np.int32)
        sentence_starts = np.empty(len(data) + 2 if capture else 1, dtype=np.int64)  # as in encode
        position = n_ids = n_starts = 0
        while True:
            status, position, self.words, self.arena_used, n_ids, n_starts, self.line_tokens = count_block(
                data, position, final, self.lowercase, self.max_token_length, self.slots, self.hashes,
                self.starts, self.lengths, self.counts, self.arena, self.words, self.arena_used,
                capture, self.max_sentence_length, self.line_tokens, ids, n_ids, sentence_starts, n_starts, self.cuts)
            if status == _NOT_PLAIN_TEXT:
                return False
            if status == _COUNTED:
                break
            self._grow()
        self.carry = data[position:].tobytes()
        if len(self.carry) > self.max_token_length:
            return False
        if capture:
            self.sink(ids[:n_ids], sentence_starts[:n_starts])
        max_table = self.pruning.max_table
        while max_table is not None and self.words > max_table:
            kept = self.pruning.survivors(self.counts[: self.words], self.word)
            self.words, self.arena_used = _compact(kept, self.hashes, self.starts, self.lengths, self.counts,
                                                   self.arena)
            self.slots.fill(_EMPTY)
            _rehash(self.slots, self.hashes, self.words)
            self.pruned, self.sink = True, None
        return True

    def _grow(self) -> None:
        words = self.words
        if 4 * (words + 1) > self.slots.shape[0]:  # kept at most a quarter full
            self.slots = np.full(4 * self.slots.shape[0], _EMPTY, dtype=np.int32)
            _rehash(self.slots, self.hashes, words)
        if words + 1 >= self.hashes.shape[0]:
            size = 2 * self.hashes.shape[0]
            for name in ("hashes", "starts", "lengths", "counts"):
                old = getattr(self, name)
                new = np.zeros(size, dtype=old.dtype)
                new[:words] = old[:words]
                setattr(self, name, new)
        if self.arena_used + self.max_token_length + 1 > self.arena.shape[0]:
            arena = np.zeros(2 * self.arena.shape[0], dtype=np.uint8)
            arena[: self.arena_used] = self.arena[: self.arena_used]
            self.arena = arena

    def word(self, number: int) -> str:
        """The text of the ``number``-th distinct token."""
        start = self.starts[number]
        return self.arena[start : start + self.lengths[number]].tobytes().decode("ascii")

    def word_counts(self) -> np.ndarray:
        """Each distinct token's count, in order of first appearance; ``word`` gives
        their text. Only the words kept need become Python strings: at 220k distinct
        tokens, making all of them cost 50 MB of peak memory."""
        return self.counts[: self.words]

    def items(self) -> list[tuple[str, int]]:
        """(token, count) in order of first appearance."""
        return [(self.word(i), int(count)) for i, count in enumerate(self.word_counts())]


def count_plain(path: str | os.PathLike | Segment, lowercase: bool, max_token_length: int = 100,
                block_bytes: int = 4 * BLOCK_BYTES, max_sentence_length: int = 10_000,
                sink: IdSink | None = None, max_table: int | None = None,
                counts: PlainCounts | None = None, trim_rule: TrimRule | None = None) -> PlainCounts | None:
    """The tokens of a plain file (ASCII letters and blanks only), or of a segment of
    one (``embed.text.shards``), counted as ``read_sentences`` with the default pattern
    would count them, added to ``counts`` where given (a shard's segments one after
    another); None as soon as the text proves not to be plain (that pass must then be
    made in Python). Decompressing the next block overlaps counting this one: both let
    go of the GIL. ``sink`` receives the provisional ids (see ``PlainCounts``), and
    ``max_table`` prunes as ``embed.text.vocab.Pruning`` says (with ``trim_rule``),
    after each block."""
    if counts is None:
        counts = PlainCounts(lowercase, max_token_length, max_sentence_length, sink, max_table, trim_rule)
    opened = open_binary(path) if isinstance(path, (str, os.PathLike)) else path.open()
    with opened as stream, read_ahead(stream, block_bytes) as blocks:
        for number, block in enumerate(blocks):
            if not counts.add(block, final=not block):
                return None
            if number == 0:
                release_compiler_pages()  # loading the counter ran LLVM; counting runs without it
    return counts


def provisional_chunks(blocks: Iterable[tuple[np.ndarray, np.ndarray]], final_ids: np.ndarray,
                       chunk_words: int = 10_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The chunks ``plain_id_chunks`` reads from the text, from the blocks of
    provisional ids a counting pass gave its sink: ``final_ids[p]`` is provisional id
    p's id in the vocabulary, or -1 for a word left out.

    >>> blocks = [(np.array([0, 1, 2, 0], np.int32), np.array([2]))]   # "a b\\nc a"
    >>> [(i.tolist(), o.tolist()) for i, o in provisional_chunks(blocks, np.array([0, -1, 1], np.int32))]
    [([0, 1, 0], [0, 1, 3])]
    """

    def mapped() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        # A block holds hundreds of thousands of ids, and this frame keeps whatever it
        # names while the block trains: only the block's result is named at the yield,
        # and the counts are int32 (a block is far below 2**31 ids), not NumPy's int64.
        for block in blocks:
            ids = final_ids[block[0]]
            kept = ids >= 0
            kept_before = np.zeros(len(ids) + 1, dtype=np.int32)
            np.cumsum(kept, dtype=np.int32, out=kept_before[1:])
            block = ids[kept], kept_before[block[1]]
            del ids, kept, kept_before
            yield block

    return chunk_sentences(block_sentences(mapped()), chunk_words)


@njit(cache=True, nogil=True)
def count_block(data, position, final, fold, max_token_length, slots, hashes, starts, lengths, counts, arena, words,
                arena_used, capture, max_sentence_length, line_tokens, ids, n_ids, sentence_starts, n_starts, cuts):
    """The jitted body of ``PlainCounts.add``: (status, position reached, words, arena
    used, ids and sentence starts captured, the open line's tokens); ``cuts[0]`` counts
    the cuts of long lines.
    _GROW stops before a token that might not fit."""
    classes = _BYTE_CLASSES
    end = data.shape[0]
    if not final:
        while end > 0 and classes[data[end - 1]] == _LETTER:
            end -= 1
    mask = slots.shape[0] - 1
    k = position
    while k < end:
        c = classes[data[k]]
        if c != _LETTER:
            if c == 0:
                return _NOT_PLAIN_TEXT, k, words, arena_used, n_ids, n_starts, line_tokens
            if c == _NEWLINE:
                if capture:
                    sentence_starts[n_starts] = n_ids
                    n_starts += 1
                line_tokens = 0
            k += 1
            continue
        token_start = k
        while k < end and classes[data[k]] == _LETTER:
            k += 1
        length = k - token_start
        if length > max_token_length:
            return _NOT_PLAIN_TEXT, token_start, words, arena_used, n_ids, n_starts, line_tokens
        if 4 * (words + 1) > slots.shape[0] or words + 1 >= hashes.shape[0] or arena_used + length > arena.shape[0]:
            return _GROW, token_start, words, arena_used, n_ids, n_starts, line_tokens
        h = _hash(data, token_start, k, fold)
        slot = np.int64(h & np.uint64(mask))
        while True:
            word = slots[slot]
            if word == _EMPTY:
                word = words
                slots[slot] = word
                hashes[word], starts[word], lengths[word], counts[word] = h, arena_used, length, 1
                for j in range(length):
                    byte = data[token_start + j]
                    arena[arena_used + j] = byte + 32 if fold and byte <= 90 else byte
                arena_used += length
                words += 1
                break
            if hashes[word] == h and lengths[word] == length and _same_bytes(data, token_start, length, fold, arena,
                                                                             starts[word]):
                counts[word] += 1
                break
            slot = (slot + 1) & mask
        if line_tokens == max_sentence_length:  # as encode_block cuts a long line
            cuts[0] += 1
            if capture:
                sentence_starts[n_starts] = n_ids
                n_starts += 1
            line_tokens = 0
        line_tokens += 1
        if capture:
            ids[n_ids] = word
            n_ids += 1
    return _COUNTED, end, words, arena_used, n_ids, n_starts, line_tokens


@njit(cache=True, nogil=True)
def _compact(kept, hashes, starts, lengths, counts, arena):
    """Keep only the tokens numbered in ``kept`` (ascending), renumbered from 0 in that
    order, their bytes moved down the arena; (tokens, arena bytes) left."""
    used = 0
    for new in range(kept.shape[0]):
        old = kept[new]
        start, length = starts[old], lengths[old]
        for j in range(length):  # never forward of its source: kept ascends
            arena[used + j] = arena[start + j]
        hashes[new], starts[new], lengths[new], counts[new] = hashes[old], used, length, counts[old]
        used += length
    return kept.shape[0], used


@njit(cache=True, nogil=True)
def _rehash(slots, hashes, words):
    mask = slots.shape[0] - 1
    for word in range(words):
        slot = np.int64(hashes[word] & np.uint64(mask))
        while slots[slot] != _EMPTY:
            slot = (slot + 1) & mask
        slots[slot] = word
