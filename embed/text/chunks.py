"""Sentences of tokens to chunks of word ids: the unit of work a kernel call trains on."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
import weakref
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


class CacheWarning(UserWarning):
    """The epoch cache could not be kept; the corpus is read again every epoch."""


class ChunkCache:
    """Id chunks kept in a temporary file after the first epoch, so that later epochs
    skip reading, decompressing and tokenising the text. It costs 4 bytes a token on
    disk and no memory beyond one chunk. A write that fails (a full disk) gives up the
    cache with one warning; the corpus is then read again every epoch.

    >>> cache = ChunkCache()
    >>> recorded = list(cache.recording([(np.array([1, 2, 3], np.int32), np.array([0, 1, 3]))]))
    >>> cache.complete, [(i.tolist(), o.tolist()) for i, o in cache]
    (True, [([1, 2, 3], [0, 1, 3])])
    >>> cache.close()
    """

    def __init__(self, folder: str | None = None, limit: int | None = None) -> None:
        self.folder = folder or tempfile.gettempdir()
        self._file = tempfile.TemporaryFile(dir=self.folder, prefix="embed-chunks-")
        # Closed with the cache where nobody closes it (a model with a stopped run, collected):
        # Python's ResourceWarning otherwise.
        weakref.finalize(self, self._file.close)
        self.chunks = 0
        self.complete = False  # every chunk of an epoch is in
        self.failed = False
        self.limit = limit  # bytes it may take: what the folder can spare
        self.bytes = 0

    def recording(self, chunks: Iterable[tuple[np.ndarray, np.ndarray]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``chunks``, each kept as it passes; complete once they run out."""
        self._file.seek(0)
        self._file.truncate()
        self.chunks, self.complete = 0, False
        for ids, offsets in chunks:
            self.append(ids, offsets)
            yield ids, offsets
        self.complete = not self.failed

    def append(self, ids: np.ndarray, offsets: np.ndarray) -> None:
        if self.failed:
            return
        header = np.array([len(ids), len(offsets)], dtype=np.int64)
        record = header.tobytes() + ids.astype(np.int32, copy=False).tobytes() + offsets.astype(np.int64, copy=False).tobytes()
        if self.limit is not None and self.bytes + len(record) > self.limit:
            return self._give_up(f"it has no more than {self.limit / 1e6:,.0f} MB to spare")
        try:
            self._file.write(record)
        except OSError as error:
            return self._give_up(str(error.strerror or error))
        self.bytes += len(record)
        self.chunks += 1

    def _give_up(self, why: str) -> None:
        self.failed = True
        with contextlib.suppress(OSError):
            self._file.truncate(0)  # give the space back at once
        warnings.warn(f"cannot keep the corpus's word ids in {self.folder} ({why}): reading the corpus again every "
                      "epoch instead (--cache-dir names another folder)", CacheWarning)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.chunks):
            sizes = np.frombuffer(self._file.read(16), dtype=np.int64)
            # Read into arrays of their own: arrays over bytes would be read-only, a type
            # for which Numba would load (or compile) every kernel a second time.
            ids = np.empty(int(sizes[0]), dtype=np.int32)
            offsets = np.empty(int(sizes[1]), dtype=np.int64)
            self._file.readinto(memoryview(ids).cast("B"))
            self._file.readinto(memoryview(offsets).cast("B"))
            yield ids, offsets

    def close(self) -> None:
        self._file.close()


def epoch_cache(folder: str | None, words: int) -> ChunkCache | None:
    """A cache for an epoch of ``words`` corpus words in ``folder`` (None: the
    temporary folder; "none": no cache), or None with one warning where the folder
    lacks the space, or is a RAM disk (tmpfs) without the memory to spare."""
    if folder == "none":
        return None
    folder = folder or tempfile.gettempdir()
    # 4 bytes a word, plus 8 a sentence and 16 a chunk: a quarter more covers sentences
    # of 4 words and up; a megabyte more for the file system's own blocks.
    needed = 5 * words + (1 << 20)
    free = shutil.disk_usage(folder).free
    where = f"{folder} has {free / 1e6:,.0f} MB free"
    if _is_ram_disk(folder):
        from ..memory import available_bytes

        memory = available_bytes()
        if memory is not None and memory // 2 < free:
            free, where = memory // 2, f"{folder} is a RAM disk and half the free memory is {memory / 2e6:,.0f} MB"
    if free < needed:
        warnings.warn(f"{where}, and keeping the corpus's word ids between epochs needs about {needed / 1e6:,.0f} MB: "
                      "reading the corpus again every epoch instead (--cache-dir names another folder)", CacheWarning)
        return None
    try:
        return ChunkCache(folder, limit=free - (1 << 20))
    except OSError as error:
        warnings.warn(f"cannot keep the corpus's word ids in {folder} ({error.strerror or error}): reading the "
                      "corpus again every epoch instead (--cache-dir names another folder)", CacheWarning)
        return None


def _is_ram_disk(folder: str) -> bool:
    """Whether ``folder`` lies on a tmpfs, by the longest mount point above it."""
    try:
        with open("/proc/self/mounts") as mounts:
            table = [line.split()[1:3] for line in mounts]
    except OSError:
        return False
    path = os.path.realpath(folder)
    best, kind = "", ""
    for point, fs_type in table:
        point = point.replace("\\040", " ")
        if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, kind = point, fs_type
    return kind in ("tmpfs", "ramfs")
