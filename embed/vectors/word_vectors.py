"""Word vectors and the queries people run on them.

Queries use the unit-normalised matrix and one matrix product each; input words never
come back as answers. Names follow gensim's KeyedVectors where they mean the same thing.
"""

from __future__ import annotations

import bisect
import difflib
import os
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np

from ..errors import EmbedError, UnknownWordError, check_switch, described, is_whole, shown
from ..text.location import file_path
from ..text.vocab import first_bad_word
from . import formats, native

WordOrVector = str | np.ndarray


class Vectors:
    """Words and their vectors.

    >>> v = Vectors(["paris", "france", "rome", "italy"],
    ...             np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]], dtype=np.float32))
    >>> v.analogy("france", "paris", "italy")
    'rome'
    >>> [w for w, _ in v.most_similar("paris", topn=2)]
    ['france', 'rome']
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray, counts: Sequence[int] | None = None,
                 order: np.ndarray | None = None) -> None:
        words = word_list(words, "Vectors")
        try:
            vectors = np.asarray(vectors, dtype=np.float32)
        except (TypeError, ValueError) as error:  # strings, or rows of different lengths
            raise EmbedError(f"vectors must be a matrix of numbers, a row for each word: {error}") from None
        if vectors.ndim != 2 or vectors.shape[0] != len(words) or vectors.shape[1] < 1:  # no file could hold d = 0
            raise EmbedError(f"expected a {len(words)} x d matrix for {len(words)} words, d >= 1, got shape "
                             f"{vectors.shape}")
        if order is None:  # words read from a file (``order``) are strings already
            _check_strings(words)  # queries look words up by string: another could never be found
        self.words = words
        self.vectors = vectors
        # A file's counts are whole already, and a mapped file's stay mapped (a copy read 24 MB
        # at 3M words, where the mapping opens at once).
        self.counts = (None if counts is None else np.asarray(counts, np.int64) if order is not None
                       else _counts(counts, len(words)))
        # ``order`` (the rows sorted by their words, as a vectors file keeps them, its
        # words distinct) finds a word by bisection; without it the dict of every word,
        # which takes 1.5 s to build at 3M words, is built here and checks for repeats.
        self._order = order
        self._index: dict[str, int] | None = None
        if order is None:
            self._build_index()
        self.norms: np.ndarray | None = None  # gensim's name; filled on the first query
        self._divisors: np.ndarray | None = None
        self._normed: np.ndarray | None = None

    # -- basics -----------------------------------------------------------------------
    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.words)

    @property
    def index(self) -> dict[str, int]:
        """Each word's row."""
        if self._index is None:
            self._build_index()
        return self._index

    def _build_index(self) -> None:
        self._index = {word: i for i, word in enumerate(self.words)}
        if len(self._index) != len(self.words):
            raise EmbedError(f"word {_first_repeat(self.words)!r} appears twice")

    def _row(self, word: str) -> int:
        """The row of ``word``, or of its composed form (training composes text: "résumé"
        typed decomposed is found); -1 for neither."""
        row = self._find(word)
        return row if row >= 0 else self._find(unicodedata.normalize("NFC", word))

    def _find(self, word: str) -> int:
        if self._index is not None:
            return self._index.get(word, -1)
        at = bisect.bisect_left(self._order, word, key=self.words.__getitem__)
        return int(self._order[at]) if at < len(self._order) and self.words[self._order[at]] == word else -1

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._row(word) >= 0

    def __getitem__(self, word: str | Sequence[str]) -> np.ndarray:
        """A word's vector, or a matrix of the vectors of a list of words (as gensim's)."""
        if isinstance(word, str) or not isinstance(word, Iterable):
            return self.vectors[self.get_index(word)]  # anything but a word: get_index's line
        return self.vectors[[self.get_index(w) for w in word]].reshape(-1, self.dim)

    # -- gensim's KeyedVectors names --------------------------------------------------
    @property
    def index_to_key(self) -> list[str]:
        """The words in row order (gensim's name for ``words``)."""
        return self.words

    @property
    def key_to_index(self) -> dict[str, int]:
        """Each word's row (gensim's name for ``index``)."""
        return self.index

    @property
    def vector_size(self) -> int:
        """The dimension (gensim's name for ``dim``)."""
        return self.dim

    def has_index_for(self, key: object) -> bool:
        """Whether ``key`` is a word here (``key in vectors``)."""
        return key in self

    def get_vector(self, key: str, norm: bool = False) -> np.ndarray:
        """A word's vector, read-only; ``norm=True`` scales it to unit length (a zero
        vector stays zero, where gensim gives NaN).

        >>> Vectors(["a"], np.array([[3.0, 4.0]], dtype=np.float32)).get_vector("a", norm=True).tolist()
        [0.6000000238418579, 0.800000011920929]
        """
        index = self.get_index(key)
        check_switch(norm, "norm")
        vector = self.vectors[index] / self._safe_norms()[index] if norm else self.vectors[index]
        vector.setflags(write=False)  # a write through it would leave the norms stale
        return vector

    def add_vectors(self, keys: str | Sequence[str], weights: np.ndarray | Sequence, replace: bool = False) -> None:
        """Add words and their vectors (a word and a vector, or a list and a matrix of a
        row each) after the others; a word already here keeps its vector unless
        ``replace``. New words count 0 where the vectors have counts.

        >>> v = Vectors(["a"], np.ones((1, 2), np.float32))
        >>> v.add_vectors(["b", "a"], np.array([[1, 0], [0, 1]]))
        >>> v.index_to_key, v["a"].tolist()
        (['a', 'b'], [1.0, 1.0])
        """
        check_switch(replace, "replace")
        single = isinstance(keys, str)
        keys = [keys] if single else word_list(keys, "add_vectors")
        _check_strings(keys)
        repeated = _first_repeat(keys)
        if repeated is not None:  # which of its vectors would it keep?
            raise EmbedError(f"word {repeated!r} appears twice among the words to add")
        try:
            weights = np.asarray(weights, dtype=np.float32)
        except (TypeError, ValueError) as error:
            raise EmbedError(f"add_vectors takes vectors of numbers, a row for each word: {error}") from None
        if single and weights.ndim == 1:
            weights = weights[None, :]
        if weights.shape != (len(keys), self.dim):
            wanted = f"a vector of {self.dim} numbers" if single else f"a {len(keys)} x {self.dim} matrix"
            raise EmbedError(f"add_vectors expected {wanted} for {len(keys)} word{'s' * (len(keys) != 1)} "
                             f"(these vectors have d = {self.dim}), got shape {weights.shape}")
        rows = np.array([self._find(key) for key in keys], np.int64)
        known = rows >= 0
        if replace and known.any():
            if not self.vectors.flags.writeable:  # a mapped file's matrix: the file stays as it was
                self.vectors = np.array(self.vectors)
            self.vectors[rows[known]] = weights[known]
        new = [key for key, row in zip(keys, rows) if row < 0]
        if new:
            self.vectors = np.concatenate([self.vectors, weights[~known]])
            if self.counts is not None:
                self.counts = np.concatenate([self.counts, np.zeros(len(new), np.int64)])
            first = len(self.words)
            self.words = self.words + new  # a new list: a model's ``wv`` shares its vocabulary's
            if self._order is not None:  # a mapped file's words, found by bisection of their order
                self._order = None
                self._build_index()
            else:
                self._index.update((key, first + i) for i, key in enumerate(new))
        if new or replace and known.any():
            self._forget_norms()

    def _forget_norms(self) -> None:
        """The matrix changed: the norms and the unit rows are made again when a query needs them."""
        self.norms = self._divisors = self._normed = None

    def add_vector(self, key: str, vector: np.ndarray | Sequence[float]) -> int:
        """Add a word and its vector after the others; return its row. A word already here
        is refused: ``vectors[key] = vector`` replaces its vector. Each call copies the
        matrix, as gensim's does: many words go in one ``add_vectors``.

        >>> Vectors(["a"], np.ones((1, 2), np.float32)).add_vector("b", [0.5, 2])
        1
        """
        if not isinstance(key, str):
            raise EmbedError(f"words are strings, got {described(key)}")
        if self._find(key) >= 0:
            raise EmbedError(f"word {key!r} is here already (row {self.get_index(key)}); vectors[{key!r}] = vector "
                             "replaces its vector")
        self.add_vectors(key, vector)
        return len(self.words) - 1

    def __setitem__(self, keys: str | Sequence[str], weights: np.ndarray | Sequence) -> None:
        """``vectors["word"] = vector`` (or a list of words and a matrix): add the words, or
        replace their vectors where they are here (gensim's ``add_vectors(..., replace=True)``)."""
        self.add_vectors(keys, weights, replace=True)

    def fill_norms(self, force: bool = False) -> None:
        """Compute ``norms``, each row's length (again with ``force``, after the matrix changed)."""
        check_switch(force, "force")
        if self.norms is None or force:
            # A block of rows at a time: norm() of the whole matrix would square it into a
            # temporary as large as itself, doubling the memory of a mapped 3M x 300.
            self.norms = np.empty(len(self.vectors), np.float32)
            for start in range(0, len(self.vectors), 1 << 16):
                block = self.vectors[start : start + (1 << 16)]
                self.norms[start : start + len(block)] = np.sqrt(np.einsum("ij,ij->i", block, block))
            bad = np.flatnonzero(~np.isfinite(self.norms))
            if bad.size:
                # Every score would be NaN, and the words ranked anyhow. The file readers refuse
                # such vectors as they read them; a matrix built in memory, a model's weights
                # assigned by hand or a mapped file changed on disk are checked here, where
                # the lengths read every row anyway.
                self.norms = None
                row = bad[0]
                what = ("a value that is NaN or infinite" if not np.isfinite(self.vectors[row]).all()
                        else "values whose squares overflow float32 (a length beyond 1.8e19)")
                raise EmbedError(f"the vector of {shown(self.words[row])} (row {row}) has {what} ({bad.size} such "
                                 "words); queries need finite vectors")
            # Divisors with zeros as ones, so that a zero row stays zero when divided.
            self._divisors = np.where(self.norms == 0, np.float32(1), self.norms)
            self._normed = None

    def get_normed_vectors(self) -> np.ndarray:
        """Every row at unit length (zero rows stay zero): a copy in memory, also for a
        memory-mapped matrix, which the queries themselves never copy."""
        return self.normed

    def unit_rows(self, limit: int | None = None) -> np.ndarray:
        """The first ``limit`` rows (all by default) at unit length, as a new array.

        >>> Vectors(["a", "b"], np.array([[3, 4], [0, 2]], dtype=np.float32)).unit_rows(1).tolist()
        [[0.6000000238418579, 0.800000011920929]]
        """
        formats.check_limit(limit)  # -1 dropped the last row, silently
        return self.vectors[:limit] / self._safe_norms()[:limit, None]

    def get_mean_vector(
        self,
        keys: Sequence[WordOrVector],
        weights: Sequence[float] | np.ndarray | None = None,
        pre_normalize: bool = True,
        post_normalize: bool = False,
        ignore_missing: bool = True,
    ) -> np.ndarray:
        """The weighted mean of the keys' vectors (unit vectors with ``pre_normalize``;
        arrays are taken as they are), divided by the sum of the absolute weights, as gensim.

        >>> v = Vectors(["a", "b"], np.array([[2, 0], [0, 1]], dtype=np.float32))
        >>> v.get_mean_vector(["a", "b"]).tolist(), v.get_mean_vector(["a", "zz"], pre_normalize=False).tolist()
        ([0.5, 0.5], [2.0, 0.0])
        """
        keys = word_list(keys, "get_mean_vector")
        for name, value in (("pre_normalize", pre_normalize), ("post_normalize", post_normalize),
                            ("ignore_missing", ignore_missing)):
            check_switch(value, name)
        if len(keys) == 0:
            raise EmbedError("get_mean_vector needs at least one key")
        try:
            weights = np.ones(len(keys), np.float32) if weights is None else np.asarray(weights, np.float32)
        except (TypeError, ValueError):
            weights = None
        if weights is None or not np.isfinite(weights).all():  # NaN gave a NaN vector
            raise EmbedError("get_mean_vector: weights must be finite numbers, one for each key")
        if weights.shape != (len(keys),):
            raise EmbedError(f"get_mean_vector: {len(keys)} keys but weights of shape {weights.shape}")
        mean, total = np.zeros(self.dim, np.float32), 0.0
        for key, weight in zip(keys, weights):
            if not isinstance(key, str):  # a vector of the wrong size broke numpy's broadcast
                mean += weight * self._vector(key)
            elif key in self:
                mean += weight * self.get_vector(key, norm=pre_normalize)
            elif not ignore_missing:
                self.get_index(key)  # the usual error, with close spellings
            else:
                continue
            total += abs(float(weight))
        if total > 0:
            mean /= total
        return _unit(mean) if post_normalize else mean

    def closer_than(self, key1: str, key2: str) -> list[str]:
        """The words closer to ``key1`` than ``key2`` is, nearest first excluded ``key1``.

        >>> v = Vectors(["a", "b", "c"], np.array([[1, 0], [1, .1], [0, 1]], dtype=np.float32))
        >>> v.closer_than("a", "c"), v.closer_than("a", "b")
        (['b'], [])
        """
        first, second = self.get_index(key1), self.get_index(key2)
        scores = self._scores(self._unit(key1, set()))
        closer = np.flatnonzero(scores > scores[second])
        return [self.words[i] for i in closer if i != first]

    def most_similar_to_given(self, key1: str, keys_list: Sequence[str]) -> str:
        """The word of ``keys_list`` most similar to ``key1``.

        >>> v = Vectors(["a", "b", "c"], np.array([[1, 0], [1, .1], [0, 1]], dtype=np.float32))
        >>> v.most_similar_to_given("a", ["c", "b"])
        'b'
        """
        keys_list = word_list(keys_list, "most_similar_to_given")
        if not keys_list:
            raise EmbedError("most_similar_to_given needs at least one word to choose from")
        return keys_list[int(np.argmax([self.similarity(key1, key) for key in keys_list]))]

    def distance(self, w1: str, w2: str) -> float:
        """Cosine distance, 1 - similarity."""
        return 1.0 - self.similarity(w1, w2)

    def relative_cosine_similarity(self, wa: str, wb: str, topn: int = 10) -> float:
        """``wb``'s similarity to ``wa`` over the sum of ``wa``'s ``topn`` nearest words'
        (Leeuwenberg et al. 2016, as gensim computes it): above 1 / topn, ``wb`` is
        likely a synonym of ``wa``.

        >>> v = Vectors(["a", "b", "c"], np.array([[1, 0], [1, 1], [0, 1]], dtype=np.float32))
        >>> round(v.relative_cosine_similarity("a", "b", topn=2), 4)  # 0.7071 / (0.7071 + 0)
        1.0
        """
        nearest = self.similar_by_key(wa, topn=topn)
        total = sum(score for _, score in nearest)
        if total == 0:  # gensim divides by it
            raise EmbedError(f"relative_cosine_similarity: the {topn} nearest words of {wa!r} sum to a similarity "
                             "of 0, which it divides by")
        return self.similarity(wa, wb) / total

    def similar_by_key(self, key: str, topn: int = 10, restrict_vocab: int | None = None):
        """gensim 4's name for ``similar_by_word``."""
        return self.similar_by_word(key, topn=topn, restrict_vocab=restrict_vocab)

    def get_vecattr(self, key: str, attr: str) -> int:
        """gensim's per-word attributes; embed keeps one, ``"count"``: the word's count in
        the corpus it was trained on.

        >>> Vectors(["a", "b"], np.eye(2), counts=[7, 3]).get_vecattr("b", "count")
        3
        """
        if attr != "count":
            raise EmbedError(f"get_vecattr: embed keeps one attribute a word, 'count'; got {shown(attr)}")
        index = self.get_index(key)
        if self.counts is None:
            raise EmbedError(f"get_vecattr: these vectors have no counts (their file holds none); {key!r} has none")
        return int(self.counts[index])

    def set_vecattr(self, key: str, attr: str, val: int) -> None:
        """Set a word's ``"count"`` (``get_vecattr``'s one attribute); vectors without
        counts start every other word at 0.

        >>> v = Vectors(["a", "b"], np.eye(2))
        >>> v.set_vecattr("b", "count", 4); v.counts.tolist()
        [0, 4]
        """
        if attr != "count":
            raise EmbedError(f"set_vecattr: embed keeps one attribute a word, 'count'; got {shown(attr)}")
        index = self.get_index(key)
        if not is_whole(val, 0):
            raise EmbedError(f"set_vecattr: a count is a whole number >= 0, got {described(val)} for {key!r}")
        # A copy: a mapped file's counts stay as they were.
        counts = np.zeros(len(self.words), np.int64) if self.counts is None else np.array(self.counts)
        counts[index] = val
        self.counts = counts

    def vectors_for_all(self, keys: Iterable[str], allow_inference: bool = True,
                        copy_vecattrs: bool = False) -> Vectors:
        """New vectors of the ``keys`` that are words here, each once, in the order given
        (gensim's name): a vocabulary cut down to a corpus's words. Words not here are
        left out, as gensim leaves them; ``copy_vecattrs`` keeps their counts.
        ``allow_inference`` is gensim's for fastText's subwords, which word2vec's vectors
        have none of.

        >>> v = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32), counts=[3, 2, 1])
        >>> cut = v.vectors_for_all(["c", "zz", "a", "c"], copy_vecattrs=True)
        >>> cut.words, cut.get_vecattr("c", "count")
        (['c', 'a'], 1)
        """
        keys = word_list(keys, "vectors_for_all")
        check_switch(allow_inference, "allow_inference")
        check_switch(copy_vecattrs, "copy_vecattrs")
        _check_strings(keys, "vectors_for_all: ")  # a number is a row in gensim, not a word
        rows = list(dict.fromkeys(row for row in map(self._row, keys) if row >= 0))
        counts = self.counts[rows] if copy_vecattrs and self.counts is not None else None
        return Vectors([self.words[row] for row in rows], self.vectors[rows], counts)

    def sort_by_descending_frequency(self) -> None:
        """Reorder the words by count, the most frequent first (ties keep their order;
        gensim reverses them).

        >>> v = Vectors(["a", "b", "c"], np.eye(3), counts=[1, 5, 1]); v.sort_by_descending_frequency(); v.words
        ['b', 'a', 'c']
        """
        if self.counts is None:
            raise EmbedError("sort_by_descending_frequency: these vectors have no counts (their file holds none) to "
                             "sort by")
        order = np.argsort(-np.asarray(self.counts), kind="stable")
        self.words = [self.words[i] for i in order]
        self.vectors = self.vectors[order]
        self.counts = np.asarray(self.counts)[order]
        self._order = None
        self._build_index()
        self._forget_norms()

    def unit_normalize_all(self) -> None:
        """Scale every vector to unit length, in place (zero vectors stay zero; gensim's
        replacement of ``init_sims(replace=True)``). A mapped file's matrix is copied
        first; the file stays as it was.

        >>> v = Vectors(["a"], np.array([[3.0, 4.0]])); v.unit_normalize_all(); v.vectors.tolist()
        [[0.6000000238418579, 0.800000011920929]]
        """
        divisors = self._safe_norms()
        if not self.vectors.flags.writeable:
            self.vectors = np.array(self.vectors)
        for start in range(0, len(self.vectors), 1 << 16):  # a block at a time, as fill_norms reads them
            self.vectors[start : start + (1 << 16)] /= divisors[start : start + (1 << 16), None]
        self.fill_norms(force=True)

    @staticmethod
    def cosine_similarities(vector_1: np.ndarray, vectors_all: np.ndarray) -> np.ndarray:
        """Cosines of one vector with each row of a matrix, as gensim's static method
        computes them, except that a zero vector scores 0 where gensim gives NaN.

        >>> Vectors.cosine_similarities(np.array([1.0, 0.0]), np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 0.0]])).round(4)
        array([1.    , 0.7071, 0.    ])
        """
        try:
            vector_1, vectors_all = np.asarray(vector_1, np.float64), np.asarray(vectors_all, np.float64)
        except (TypeError, ValueError) as error:
            raise EmbedError(f"cosine_similarities takes a vector and a matrix of numbers: {error}") from None
        if vector_1.ndim != 1 or vectors_all.ndim != 2 or vectors_all.shape[1] != vector_1.shape[0]:
            raise EmbedError(f"cosine_similarities takes a vector of d numbers and a matrix of d columns, got shapes "
                             f"{vector_1.shape} and {vectors_all.shape}")
        norms = np.linalg.norm(vectors_all, axis=1) * np.linalg.norm(vector_1)
        return (vectors_all @ vector_1) / np.where(norms == 0, 1.0, norms)

    def __repr__(self) -> str:
        return f"Vectors({len(self)} words, dim={self.dim})"

    def __getattr__(self, name: str):
        # Only for names not found: gensim's older names, answered with where the thing is.
        hint = _GENSIM_NAMES.get(name)
        if hint is None:
            raise AttributeError(f"'Vectors' object has no attribute {name!r}")
        raise AttributeError(f"'Vectors' object has no attribute {name!r}; {hint}")

    def get_index(self, word: str) -> int:
        """The row of ``word``; an UnknownWordError (a KeyError) names it and close spellings."""
        if not isinstance(word, str):
            # gensim takes a number for the row: here a row is ``vectors[i]``, and a word a string.
            row = is_whole(word, 0) and word < len(self.words)
            hint = f"; row {word}'s vector is .vectors[{word}]" if row else ""
            raise EmbedError(f"words are strings, got {shown(word)}{hint}")
        row = self._row(word)
        if row < 0:
            raise UnknownWordError(word, self._close_spellings(word))
        return row

    def _close_spellings(self, word: str) -> list[str]:
        # The most frequent words first, so suggestions favour common spellings.
        return difflib.get_close_matches(word, self.words[:200_000], n=3, cutoff=0.75)

    @property
    def normed(self) -> np.ndarray:
        """Unit-length rows (zero rows stay zero), computed once."""
        if self._normed is None:
            self._normed = self.unit_rows()
        return self._normed

    def unit_vector(self, word: str) -> np.ndarray:
        return self.get_vector(word, norm=True)

    def _safe_norms(self) -> np.ndarray:
        self.fill_norms()
        return self._divisors

    def _scores(self, unit: np.ndarray, limit: int | None = None) -> np.ndarray:
        """Cosines of a unit vector with the first ``limit`` rows: from the matrix as it
        is and the norms, so a memory-mapped matrix is read, never copied."""
        return (self.vectors[:limit] @ unit) / self._safe_norms()[:limit]

    # -- queries ----------------------------------------------------------------------
    def most_similar(
        self,
        positive: WordOrVector | Iterable[WordOrVector] = (),
        negative: WordOrVector | Iterable[WordOrVector] = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Words closest by cosine to the mean of the positive minus the negative unit vectors (3CosAdd).

        >>> v = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32) + 0.1)
        >>> v.most_similar("a", topn=1)[0][0] in ("b", "c")
        True
        """
        positive, negative = _as_list(positive, "most_similar"), _as_list(negative, "most_similar")
        if not positive and not negative:
            raise EmbedError("most_similar needs at least one positive or negative word")
        query, exclude = self._combine([(item, 1.0) for item in positive] + [(item, -1.0) for item in negative])
        return self._top(self._scores(query, self._limit(restrict_vocab)), topn, exclude)

    def most_similar_cosmul(
        self,
        positive: WordOrVector | Iterable[WordOrVector] = (),
        negative: WordOrVector | Iterable[WordOrVector] = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """3CosMul (Levy and Goldberg 2014): product of positive over product of negative shifted cosines.

        >>> v = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32) + 0.1)
        >>> len(v.most_similar_cosmul(["a", "b"], topn=5))
        1
        """
        positive, negative = _as_list(positive, "most_similar_cosmul"), _as_list(negative, "most_similar_cosmul")
        if not positive and not negative:
            raise EmbedError("most_similar_cosmul needs at least one positive or negative word")
        _no_repeats(positive + negative)
        limit = self._limit(restrict_vocab)
        exclude: set[int] = set()

        def shifted(item: WordOrVector) -> np.ndarray:
            unit = self._unit(item, exclude)
            return (1.0 + self._scores(unit, limit)) / 2.0  # cosines moved to [0, 1] so products behave

        score = np.ones(len(self.vectors[:limit]), dtype=np.float32)
        for item in positive:
            score *= shifted(item)
        for item in negative:
            score /= shifted(item) + 1e-6
        return self._top(score, topn, exclude)

    def similar_by_vector(self, vector: np.ndarray, topn: int = 10, restrict_vocab: int | None = None):
        """Words closest by cosine to a vector.

        >>> v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
        >>> v.similar_by_vector(np.array([1.0, 0.1]), topn=1)[0][0]
        'a'
        """
        if isinstance(vector, str):  # numpy's "could not convert string to float"
            raise EmbedError(f"similar_by_vector takes a vector of {self.dim} numbers, got the string {vector!r}: "
                             f"use similar_by_word({vector!r})")
        return self.most_similar([self._vector(vector)], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_word(self, word: str, topn: int = 10, restrict_vocab: int | None = None):
        return self.most_similar([word], topn=topn, restrict_vocab=restrict_vocab)

    def analogy(self, a: str, b: str, c: str, restrict_vocab: int | None = None) -> str:
        """``a`` is to ``b`` as ``c`` is to the answer: b - a + c (3CosAdd).

        >>> v = Vectors(["paris", "france", "rome", "italy"],
        ...             np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]], dtype=np.float32))
        >>> v.analogy("france", "paris", "italy")
        'rome'
        """
        found = self.most_similar(positive=[b, c], negative=[a], topn=1, restrict_vocab=restrict_vocab)
        if not found:  # it was an IndexError
            raise EmbedError(f"analogy: {NO_ANSWER}")
        return found[0][0]

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words.

        >>> Vectors(["a", "b"], np.array([[1, 0], [1, 1]], dtype=np.float32)).similarity("a", "b")
        0.7071...
        """
        return float(self.unit_vector(a) @ self.unit_vector(b))

    def n_similarity(self, words1: Sequence[str], words2: Sequence[str]) -> float:
        """Cosine similarity of the mean vectors of two sets of words (as gensim computes it).

        >>> Vectors(["a", "b"], np.eye(2, dtype=np.float32)).n_similarity(["a"], ["a", "b"])
        0.7071...
        """
        words1, words2 = word_list(words1, "n_similarity"), word_list(words2, "n_similarity")
        if not words1 or not words2:
            raise EmbedError("n_similarity needs two non-empty lists of words")
        first = np.mean([self[w] for w in words1], axis=0)
        second = np.mean([self[w] for w in words2], axis=0)
        return float(_unit(first) @ _unit(second))

    def wmdistance(self, document1: Sequence[str], document2: Sequence[str], norm: bool = True) -> float:
        """Word Mover's Distance between two texts, lists of tokens (Kusner et al. 2015;
        ``embed.vectors.movers_distance``): the least distance their words' vectors (at
        unit length, with ``norm``) must travel for one text's bag of words to become
        the other's. Tokens not here are left out, as gensim leaves them; a text with no
        word here is infinitely far.

        >>> v = Vectors(["a", "b", "c"], np.array([[0, 0], [3, 4], [6, 8]], dtype=np.float32))
        >>> v.wmdistance(["a", "a"], ["b", "c"], norm=False)
        7.5
        """
        from .movers_distance import bag_of_words, word_movers_distance  # SciPy's solver, loaded when asked

        check_switch(norm, "norm")
        documents = [word_list(document1, "wmdistance"), word_list(document2, "wmdistance")]
        for number, tokens in enumerate(documents, 1):
            at = first_bad_word(tokens)
            if at >= 0:
                raise EmbedError(f"wmdistance: tokens are strings, got {described(tokens[at])} (token {at + 1} of "
                                 f"document {number})")
        (rows1, shares1), (rows2, shares2) = (bag_of_words([row for row in map(self._row, tokens) if row >= 0])
                                              for tokens in documents)
        if not rows1 or not rows2:
            return float("inf")

        def vectors_of(rows: list[int]) -> np.ndarray:
            return self.vectors[rows] / self._safe_norms()[rows, None] if norm else self.vectors[rows]

        return word_movers_distance(vectors_of(rows1), shares1, vectors_of(rows2), shares2)

    def distances(self, word: WordOrVector, others: Sequence[str] = ()) -> np.ndarray:
        """Cosine distances (1 - similarity) from ``word`` to ``others``, or to every word.

        >>> Vectors(["a", "b"], np.eye(2, dtype=np.float32)).distances("a").tolist()
        [0.0, 1.0]
        """
        unit = self._unit(word, set())
        others = word_list(others, "distances")
        if not others:
            return 1.0 - self._scores(unit)
        rows = [self.get_index(w) for w in others]
        return 1.0 - (self.vectors[rows] @ unit) / self._safe_norms()[rows]

    def rank(self, word: str, other: str) -> int:
        """Where ``other`` stands among ``word``'s neighbours (1 is the closest).

        >>> Vectors(["a", "b", "c"], np.array([[1, 0], [1, .1], [0, 1]], dtype=np.float32)).rank("a", "b")
        1
        """
        target = self.get_index(other)
        if target == self.get_index(word):  # it answered the vocabulary's size
            raise EmbedError(f"rank: {word!r} is not among its own neighbours; give another word")
        scores = self._scores(self.unit_vector(word))
        scores[self.get_index(word)] = -np.inf
        return int((scores > scores[target]).sum()) + 1

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word furthest from the mean of the others' unit vectors.

        >>> v = Vectors(["a", "b", "c"], np.array([[1, 0], [1, .1], [0, 1]], dtype=np.float32))
        >>> v.doesnt_match(["a", "b", "c"])
        'c'
        """
        words = word_list(words, "doesnt_match")
        if len(words) < 2:
            raise EmbedError("doesnt_match needs at least two words")
        return words[int(np.argmin(self._centrality(words)))]

    def rank_by_centrality(self, words: Sequence[str], use_norm: bool = True) -> list[tuple[float, str]]:
        """The words from the most central to the least, as gensim's (score, word) pairs:
        each one's vector (unit, unless ``use_norm`` is False) dotted with the unit mean
        of those vectors; ties in gensim's order (the word later in alphabetical order first).

        >>> v = Vectors(["a", "b", "c"], np.array([[1, 0], [1, .1], [0, 1]], dtype=np.float32))
        >>> [word for _, word in v.rank_by_centrality(["a", "b", "c"])]
        ['b', 'a', 'c']
        """
        words = word_list(words, "rank_by_centrality")
        if not words:
            raise EmbedError("rank_by_centrality needs at least one word")
        return sorted(zip(self._centrality(words, use_norm).tolist(), words), reverse=True)

    def _centrality(self, words: list[str], unit: bool = True) -> np.ndarray:
        """Each word's vector (unit vector) dotted with the unit mean of those vectors."""
        rows = np.array([self.get_vector(w, norm=unit) for w in words])
        return rows @ _unit(rows.mean(axis=0))

    def most_similar_batch(
        self, queries: Sequence[tuple[Sequence[str], Sequence[str]]], topn: int = 10, restrict_vocab: int | None = None
    ) -> list[list[tuple[str, float]]]:
        """Many 3CosAdd queries (positive, negative) answered with one matrix product.

        >>> v = Vectors(["a", "b", "c"], np.eye(3, dtype=np.float32) + 0.1)
        >>> [r[0][0] in "bc" for r in v.most_similar_batch([(["a"], []), (["a"], ["b"])], topn=1)]
        [True, True]
        """
        # Python's "not enough values to unpack", or numpy's matmul
        queries = [(word_list(pos, "most_similar_batch"), word_list(neg, "most_similar_batch"))
                   for pos, neg in word_pairs(queries, "most_similar_batch",
                                              "most_similar_batch takes (positive words, negative words) pairs")]
        if not queries:
            return []
        limit = self._limit(restrict_vocab)
        empty = next((number for number, (pos, neg) in enumerate(queries, 1) if not pos and not neg), None)
        if empty is not None:
            raise EmbedError(f"most_similar_batch: query {empty} has no words")
        combined = [self._combine([(w, 1.0) for w in pos] + [(w, -1.0) for w in neg]) for pos, neg in queries]
        scores = (self.vectors[:limit] @ np.stack([q for q, _ in combined]).T).T / self._safe_norms()[:limit]
        return [self._top(row, topn, exclude) for row, (_, exclude) in zip(scores, combined)]

    # -- evaluation -------------------------------------------------------------------
    def evaluate_word_analogies(
        self,
        path: str | os.PathLike,
        restrict_vocab: int | None = 30_000,
        case_insensitive: bool = True,
        method: str = "3cosadd",
        dummy4unknown: bool = False,
    ):
        """Accuracy on a questions-words file, per section and in total (see ``embed.evaluate``).

        >>> from embed.data import bundled
        >>> result = vectors.evaluate_word_analogies(bundled("questions-words.txt"))  # doctest: +SKIP
        >>> result.accuracy, result.semantic.accuracy, result.total.skipped            # doctest: +SKIP
        """
        from .evaluate import evaluate_word_analogies

        return evaluate_word_analogies(self, path, restrict_vocab, case_insensitive, method,
                                       dummy4unknown=dummy4unknown)

    def evaluate_word_pairs(
        self, path: str | os.PathLike, restrict_vocab: int | None = 300_000, case_insensitive: bool = True,
        dummy4unknown: bool = False,
    ):
        """Pearson and Spearman correlation with human scores (WordSim-353, SimLex-999).

        >>> vectors.evaluate_word_pairs(bundled("wordsim353.tsv")).spearman  # doctest: +SKIP
        """
        from .evaluate import evaluate_word_pairs

        return evaluate_word_pairs(self, path, restrict_vocab, case_insensitive, dummy4unknown)

    # -- files ------------------------------------------------------------------------
    def save_word2vec_format(self, path: str | os.PathLike, binary: bool | None = None,
                             write_header: bool = True) -> None:
        """Write the word2vec text format, or its binary format when ``binary`` (default:
        path ends in .bin); ``write_header=False`` writes GloVe's text (no header line).
        A name ending in .gz, .bz2 or .xz is compressed."""
        formats.save_word2vec_format(path, self.words, self.vectors, binary=binary, write_header=write_header)

    @classmethod
    def load_word2vec_format(cls, path: str | os.PathLike, binary: bool | None = None, limit: int | None = None,
                             no_header: bool | None = None, unicode_errors: str = "strict") -> Vectors:
        """Read word2vec text or binary (binary: default when the path ends in .bin),
        fastText's .vec, or GloVe's text without a header (detected; or ``no_header=True``),
        compressed or not; ``limit`` keeps the first that many words, reading no further.

        >>> Vectors.load_word2vec_format("glove.6B.100d.txt", limit=50_000)  # doctest: +SKIP
        """
        words, vectors = formats.load_word2vec_format(path, binary=binary, limit=limit, unicode_errors=unicode_errors,
                                                      no_header=no_header)
        return cls(words, vectors)

    @classmethod
    def load(cls, path: str | os.PathLike, limit: int | None = None, mmap: str | None = None) -> Vectors:
        """Vectors from any file embed reads: a vectors file (``.vectors``, memory-mapped
        with ``mmap="r"``: opened in a fraction of a second, queried on the mapped matrix),
        a whole model (``.embed``), word2vec binary or text, fastText's .vec or GloVe's
        text; ``limit`` keeps the first (most frequent) that many words.

        >>> Vectors.load("factbook.bin").most_similar("paris")  # doctest: +SKIP
        >>> Vectors.load("news.vectors", mmap="r")              # doctest: +SKIP
        """
        from .vectors_file import is_vectors_file, read_vectors_file, read_word_order

        path = file_path(path)
        if is_vectors_file(path):
            words, vectors, counts = read_vectors_file(path, mmap=mmap, limit=limit)
            return cls(words, vectors, counts, read_word_order(path, mmap=mmap, limit=limit))
        if mmap is not None:
            raise EmbedError(f"{path}: only a .vectors file can be memory-mapped; write one with "
                             "embed convert IN OUT.vectors or Vectors.save")
        if native.is_model_file(path):
            formats.check_limit(limit)
            model = native.read_model(path)
            words = model.words[:limit]
            formats.check_finite(path, words, model.w_in[:limit])
            return cls(words, model.w_in[:limit], model.counts[:limit])
        return cls.load_word2vec_format(path, limit=limit)

    def save(self, path: str | os.PathLike) -> None:
        """Write the vectors file that ``load(path, mmap="r")`` maps instead of reading
        (``.vectors``): words, counts and the matrix, nothing to parse but the words.

        >>> v.save("wiki.vectors"); Vectors.load("wiki.vectors", mmap="r")  # doctest: +SKIP
        """
        from .vectors_file import write_vectors_file

        write_vectors_file(path, self.words, self.vectors, self.counts)

    def to_gensim(self):
        """A gensim ``KeyedVectors`` with these words, vectors and counts (needs gensim).

        >>> kv = Vectors(["a"], np.ones((1, 2), np.float32)).to_gensim()  # doctest: +SKIP
        """
        from .interop import to_gensim

        return to_gensim(self.words, self.vectors, self.counts)

    @classmethod
    def from_gensim(cls, kv) -> Vectors:
        """Vectors from a gensim ``KeyedVectors`` (or a model's ``.wv``), counts included.

        >>> Vectors.from_gensim(gensim_model.wv).most_similar("paris")  # doctest: +SKIP
        """
        from .interop import from_gensim

        return cls(*from_gensim(kv))

    # -- helpers ----------------------------------------------------------------------
    @staticmethod
    def _limit(restrict_vocab: int | None) -> int | None:
        formats.check_limit(restrict_vocab, "restrict_vocab")
        return restrict_vocab

    def _unit(self, item: WordOrVector, exclude: set[int]) -> np.ndarray:
        if isinstance(item, str):
            index = self.get_index(item)
            exclude.add(index)
            return self.get_vector(item, norm=True)
        return _unit(self._vector(item))

    def _vector(self, item: object) -> np.ndarray:
        """``item``, a query's vector: ``dim`` finite numbers; anything else is one line."""
        try:
            vector = np.asarray(item, dtype=np.float32)
        except (TypeError, ValueError):  # gensim's (word, weight) pairs among them: numpy's "could not convert"
            vector = None
        if vector is None or vector.ndim == 0:  # a number is neither a word nor a vector
            raise EmbedError(f"a query takes words and vectors of {self.dim} numbers, got {item!r}")
        if vector.shape != (self.dim,):
            raise EmbedError(f"a query vector must have shape ({self.dim},), got {vector.shape}")
        if not np.isfinite(vector).all():  # every score would be NaN, and the words ranked anyhow
            raise EmbedError("a query vector has a value that is NaN or infinite")
        return vector

    def _combine(self, weighted: list[tuple[WordOrVector, float]]) -> tuple[np.ndarray, set[int]]:
        _no_repeats([item for item, _ in weighted])
        exclude: set[int] = set()
        mean = np.mean([weight * self._unit(item, exclude) for item, weight in weighted], axis=0)
        return _unit(mean.astype(np.float32)), exclude

    def _top(self, scores: np.ndarray, topn: int, exclude: set[int]) -> list[tuple[str, float]]:
        if not is_whole(topn):
            raise EmbedError(f"topn must be an integer >= 1, got {topn!r}")
        wanted = min(len(scores), topn + len(exclude))
        best = np.argpartition(-scores, wanted - 1)[:wanted] if wanted < len(scores) else np.arange(len(scores))
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.words[i], float(scores[i])) for i in best if i not in exclude][:topn]


# A query whose every candidate word is one of its own (a tiny vocabulary, or restrict_vocab).
NO_ANSWER = "no answer: every word it may choose from is a word of the query itself"


# gensim's KeyedVectors names from before 4.0, and those that live elsewhere in embed.
_GENSIM_NAMES = {
    "vocab": "gensim 4 replaced it with key_to_index (each word's row) and get_vecattr(word, 'count')",
    "index2word": "gensim 4 renamed it index_to_key", "index2entity": "gensim 4 renamed it index_to_key",
    "word_vec": "gensim 4 renamed it get_vector(word, norm=...)",
    "words_closer_than": "gensim 4 renamed it closer_than",
    "init_sims": "gensim 4 replaced it with fill_norms(), and init_sims(replace=True) with unit_normalize_all()",
    "vectors_norm": "gensim 4 replaced it with get_normed_vectors()",
    "intersect_word2vec_format": "embed's is a model's: Word2Vec.intersect_vectors(path)",
    "wv": "these are the vectors already (a model's .wv)",
}


def _check_strings(words: list, where: str = "") -> None:
    """Refuse a word that is not a string, naming it and its place.

    >>> _check_strings(["a", 5], "f: ")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: f: words are strings, got int 5 (word 2)
    """
    at = first_bad_word(words)
    if at >= 0:
        raise EmbedError(f"{where}words are strings, got {described(words[at])} (word {at + 1})")


def _first_repeat(items: Iterable) -> object | None:
    """The first item seen a second time, or None.

    >>> _first_repeat(["a", "b", "b", "a"]), _first_repeat(["a"])
    ('b', None)
    """
    seen: set = set()
    return next((item for item in items if item in seen or seen.add(item)), None)


def _no_repeats(items: list[WordOrVector]) -> None:
    repeated = _first_repeat(item for item in items if isinstance(item, str))
    if repeated is not None:
        raise EmbedError(f"word {repeated!r} appears twice in the query")


def word_list(value: Iterable, method: str) -> list:
    """``value``, a sequence of words, as a list. A single string is refused: taken as a
    sequence it is its letters, and a query on them answered as if asked.

    >>> word_list(("a", "b"), "n_similarity")
    ['a', 'b']
    >>> word_list("ab", "n_similarity")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: n_similarity takes a list of words, got the string 'ab': pass ['ab']
    """
    if isinstance(value, str):
        raise EmbedError(f"{method} takes a list of words, got the string {value!r}: pass [{value!r}]")
    if not isinstance(value, Iterable):  # Python's "not iterable"
        raise EmbedError(f"{method} takes a list of words, got {described(value)}")
    return list(value)


def word_pairs(value: Iterable, method: str, wanted: str) -> list[tuple]:
    """``value``, a list of pairs (tuples, lists, or the rows of a two-column NumPy array),
    as a list of tuples; anything else is one line, ``wanted`` saying what is wanted of
    ``method``'s argument.

    >>> word_pairs(np.array([["paris", "france"]]), "lines", "lines are pairs of words")
    [('paris', 'france')]
    >>> word_pairs([("paris",)], "lines", "lines are pairs of words")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: lines are pairs of words, got ('paris',) as item 1
    """
    pairs = []
    value = value.tolist() if isinstance(value, np.ndarray) else value  # NumPy's strings as Python's
    for number, item in enumerate(word_list(value, method), 1):
        pair = tuple(item) if isinstance(item, Iterable) and not isinstance(item, str) else None
        if pair is None or len(pair) != 2:
            raise EmbedError(f"{wanted}, got {shown(item)} as item {number}")
        pairs.append(pair)
    return pairs


def _as_list(items: WordOrVector | Iterable[WordOrVector], method: str) -> list[WordOrVector]:
    if isinstance(items, (str, np.ndarray)):
        return [items]
    if not isinstance(items, Iterable):
        raise EmbedError(f"{method} takes a word, a vector or a list of them, got {described(items)}")
    return list(items)


def _counts(counts: Sequence[int] | np.ndarray, words: int) -> np.ndarray:
    """``counts`` as whole numbers >= 0, one for each of ``words`` words; anything else
    is one line (they were numpy's "invalid literal for int()", or taken as they were).

    >>> _counts([3, 2.0], 2).tolist()
    [3, 2]
    >>> _counts([3, -1], 2)
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: counts must be whole numbers >= 0, one for each word, got -1 for word 2
    """
    try:
        given = np.asarray(counts)
    except (TypeError, ValueError) as error:
        raise EmbedError(f"counts must be whole numbers >= 0, one for each word: {error}") from None
    if given.shape != (words,):
        raise EmbedError(f"counts must be whole numbers >= 0, one for each of the {words} words, got shape {given.shape}")
    if given.dtype.kind in "iuf":
        with np.errstate(invalid="ignore"):  # NaN compares false: no warning of numpy's
            fine = (given >= 0) & (given < 2.0**63) & (np.floor(given) == given)
    else:  # strings, objects, booleans
        fine = np.zeros(words, bool)
    if not fine.all():
        bad = int(np.flatnonzero(~fine)[0])
        value = given[bad].item() if hasattr(given[bad], "item") else given[bad]
        raise EmbedError(f"counts must be whole numbers >= 0, one for each word, got {value!r} for word {bad + 1}")
    return given.astype(np.int64, copy=False)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def load_vectors(path: str | os.PathLike, limit: int | None = None, mmap: str | None = None) -> Vectors:
    """``Vectors.load``: vectors from any file embed reads.

    >>> load_vectors("factbook.bin").most_similar("paris")   # doctest: +SKIP
    """
    return Vectors.load(path, limit=limit, mmap=mmap)
