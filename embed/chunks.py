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
    pieces: list[np.ndarray] = []
    held = 0
    for sentence in sentences:
        ids = vocab.encode(sentence)
        if len(ids) == 0:
            continue
        pieces.append(ids)
        held += len(ids)
        if held >= chunk_words:
            yield _join(pieces)
            pieces, held = [], 0
    if pieces:
        yield _join(pieces)


def _join(pieces: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in pieces], out=offsets[1:])
    return np.concatenate(pieces), offsets
