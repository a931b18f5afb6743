"""Handing vectors to gensim and taking them back.

gensim is an optional peer: it is imported only when these functions run, and without
it they say how to install it.

>>> import numpy as np
>>> kv = to_gensim(["a", "b"], np.eye(2, dtype=np.float32), counts=[5, 3])  # doctest: +SKIP
>>> words, vectors, counts = from_gensim(kv)  # doctest: +SKIP
>>> words, counts.tolist()  # doctest: +SKIP
(['a', 'b'], [5, 3])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import EmbedError

if TYPE_CHECKING:  # for the annotations only: gensim stays optional
    from gensim.models import KeyedVectors


def to_gensim(words: Sequence[str], vectors: np.ndarray, counts: Sequence[int] | None = None) -> KeyedVectors:
    """A ``gensim.models.KeyedVectors`` holding ``words`` in the same order, a float32 copy
    of ``vectors`` (gensim's ``unit_normalize_all`` changes its matrix in place), and
    ``counts``, where given, as each word's ``"count"`` attribute (``get_vecattr``).

    >>> import numpy as np
    >>> kv = to_gensim(["king", "queen", "man"], np.eye(3, dtype=np.float32), [9, 4, 7])  # doctest: +SKIP
    >>> kv.index_to_key, kv.get_vecattr("queen", "count")  # doctest: +SKIP
    (['king', 'queen', 'man'], 4)
    """
    gensim = _gensim("to_gensim")
    words = list(words)
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise EmbedError(f"expected a {len(words)} x d matrix for {len(words)} words, got shape {vectors.shape}")
    for i, word in enumerate(words):
        if not isinstance(word, str):
            raise EmbedError(f"words are strings, got {word!r} (word {i})")
    index = {word: i for i, word in enumerate(words)}
    if len(index) != len(words):  # gensim would keep both rows and find only the second
        seen: set[str] = set()
        duplicate = next(w for w in words if w in seen or seen.add(w))
        raise EmbedError(f"word {duplicate!r} appears twice")
    if counts is not None:
        counts = np.asarray(counts)
        if counts.shape != (len(words),) or not np.issubdtype(counts.dtype, np.integer):
            raise EmbedError(f"counts must be {len(words)} whole numbers >= 0, one per word, "
                             f"got an array of shape {counts.shape} and type {counts.dtype}")
        if (counts < 0).any():
            row = int(np.flatnonzero(counts < 0)[0])
            raise EmbedError(f"counts must be whole numbers >= 0, got {counts[row]} for {words[row]!r}")
    # Filled in place, as gensim's own loaders fill a preallocated KeyedVectors: add_vectors
    # would hold three copies of the matrix at once on its way.
    kv = gensim.models.KeyedVectors(vectors.shape[1], count=len(words), dtype=np.float32)
    kv.vectors[:] = vectors
    kv.index_to_key[:] = words
    kv.key_to_index = index
    kv.next_index = len(words)
    if counts is not None:
        # What set_vecattr(word, "count", int) stores, in one assignment instead of one call per word.
        kv.allocate_vecattrs(attrs=["count"], types=[np.int64])
        kv.expandos["count"][:] = counts
    return kv


def from_gensim(kv: KeyedVectors | Any) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """The words (``index_to_key``), a float32 copy of the vectors and the ``"count"``
    attribute (None where gensim has none) of a gensim ``KeyedVectors``, or of a model
    that has one as ``.wv`` (``Word2Vec``, ``FastText``).

    A ``KeyedVectors`` read by gensim's ``load_word2vec_format`` without ``fvocab=`` has
    counts that gensim made up (the number of words minus the rank); they come back as such.

    >>> from gensim.models import Word2Vec  # doctest: +SKIP
    >>> model = Word2Vec([["a", "b", "a"]], vector_size=4, min_count=1)  # doctest: +SKIP
    >>> words, vectors, counts = from_gensim(model)  # doctest: +SKIP
    >>> words, vectors.shape, counts.tolist()  # doctest: +SKIP
    (['a', 'b'], (2, 4), [2, 1])
    """
    keyed = _gensim("from_gensim").models.KeyedVectors
    if not isinstance(kv, keyed) and isinstance(getattr(kv, "wv", None), keyed):
        kv = kv.wv
    if not isinstance(kv, keyed):
        raise EmbedError(f"from_gensim takes a gensim KeyedVectors or a model with one as .wv (Word2Vec, "
                         f"FastText), got {type(kv).__name__}")
    keys = list(kv.index_to_key)
    while keys and keys[-1] is None:  # slots preallocated (KeyedVectors(d, count=n)) and never filled
        keys.pop()
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            raise EmbedError(f"key {key!r} (row {i}) is not a string; embed's words are strings")
    if kv.vectors.ndim != 2 or len(kv.vectors) < len(keys):
        raise EmbedError(f"the gensim vectors have shape {kv.vectors.shape} for {len(keys)} keys")
    vectors = np.array(kv.vectors[: len(keys)], dtype=np.float32)  # a copy: kv may be a read-only memory map
    counts = kv.expandos.get("count") if hasattr(kv, "expandos") else None
    if counts is not None:
        try:
            counts = np.array(counts[: len(keys)], dtype=np.int64)
        except (TypeError, ValueError):  # set_vecattr takes any value; gensim stores None for a missing count
            raise EmbedError(f"the gensim 'count' attribute is not a whole number for every key "
                             f"(its type is {counts.dtype})") from None
    return keys, vectors, counts


def _gensim(caller: str) -> Any:
    """gensim, or a one-line EmbedError saying how to get it."""
    try:
        import gensim.models
    except ImportError:
        raise EmbedError(f"{caller} needs gensim: pip install gensim") from None
    except Exception as error:  # installed but broken (a NumPy it was not built for, say)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EmbedError(f"{caller} needs gensim, which is installed but cannot be imported: {reason}") from None
    return gensim
