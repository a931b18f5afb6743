"""Sentences of tokens to chunks of word ids: the unit of work a kernel call trains on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from .vocab import Vocabulary


def id_chunks(
    sentences: Iterable[Sequence[str]], vocab: Vocabulary, chunk_words: int = 10_000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (ids, offsets): sentence s is ``ids[offsets[s]:offsets[s + 1]]``.

    Out-of-vocabulary tokens are dropped before windows are formed, as in word2vec, and
    a chunk closes once it holds at least ``chunk_words`` ids.

    >>> vocab = Vocabulary(["a", "b"], [2, 1])
    >>> [(i.tolist(), o.tolist()) for i, o in id_chunks([["a", "x", "b"], ["b"]], vocab)]
    [([0, 1, 1], [0, 2, 3])]
    """
    return chunk_sentences((vocab.encode(sentence) for sentence in sentences), chunk_words)


def chunk_sentences(sentences: Iterable[np.ndarray], chunk_words: int = 10_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Sentences of ids, empty ones skipped, gathered into chunks of at least ``chunk_words`` ids."""
    pieces: list[np.ndarray] = []
    held = 0
    for ids in sentences:
        if len(ids) == 0:
            continue
        pieces.append(ids)
        held += len(ids)
        if held >= chunk_words:
            yield join_sentences(pieces)
            pieces, held = [], 0
    if pieces:
        yield join_sentences(pieces)

def join_sentences(pieces: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One chunk from its sentences' id arrays: (ids, offsets)."""
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in pieces], out=offsets[1:])
    return np.concatenate(pieces), offsets


class ChunkCache:
    """Id chunks kept in a temporary file after the first epoch, so that later epochs
    skip reading, decompressing and tokenising the text. It costs 4 bytes a token on
    disk and no memory beyond one chunk.

    >>> cache = ChunkCache()
    >>> cache.append(np.array([1, 2, 3], np.int32), np.array([0, 1, 3]))
    >>> [(i.tolist(), o.tolist()) for i, o in cache]
    [([1, 2, 3], [0, 1, 3])]
    >>> cache.close()
    """

    def __init__(self, folder: str | None = None) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile(dir=folder, prefix="embed-chunks-")
        self.chunks = 0

    def append(self, ids: np.ndarray, offsets: np.ndarray) -> None:
        header = np.array([len(ids), len(offsets)], dtype=np.int64)
        self._file.write(header.tobytes() + ids.astype(np.int32, copy=False).tobytes()
                         + offsets.astype(np.int64, copy=False).tobytes())
        self.chunks += 1

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.chunks):
            sizes = np.frombuffer(self._file.read(16), dtype=np.int64)
            ids = np.frombuffer(self._file.read(4 * int(sizes[0])), dtype=np.int32)
            offsets = np.frombuffer(self._file.read(8 * int(sizes[1])), dtype=np.int64)
            yield ids, offsets

    def close(self) -> None:
        self._file.close()
