"""Standard evaluations: Google analogies (questions-words) and word-pair similarity
(WordSim-353, SimLex-999). The rules follow gensim's ``evaluate_word_analogies`` and
``evaluate_word_pairs`` so that the numbers can be compared with published ones.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..errors import EmbedError, check_switch, described, is_whole
from ..text.corpus import open_binary
from .formats import check_limit

if TYPE_CHECKING:  # Vectors calls these functions: a runtime import would be a cycle
    from .word_vectors import Vectors

Question = tuple[str, str, str, str]


def check_vectors(value: object, method: str) -> None:
    """Refuse what is not ``Vectors`` where they go; a model, the likely mistake, is told
    where its vectors are (it failed with "'Word2Vec' object has no attribute 'words'").
    By what vectors have: this module is what ``Vectors`` calls, and does not import it.

    >>> check_vectors("v.vec", "evaluate_word_pairs")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: evaluate_word_pairs takes an embed.Vectors, got str 'v.vec': embed.load_vectors(path) reads one
    """
    if all(hasattr(value, name) for name in ("words", "vectors", "unit_rows", "unit_vector")):
        return
    hint = ("pass model.wv" if hasattr(value, "wv") else "embed.load_vectors(path) reads one"
            if isinstance(value, (str, os.PathLike)) else "build one with Vectors(words, matrix)")
    raise EmbedError(f"{method} takes an embed.Vectors, got {described(value)}: {hint}")


def read_analogies(path: str | os.PathLike) -> list[tuple[str, list[Question]]]:
    """Sections of a questions-words file: ``[(name, [(a, b, c, expected), ...]), ...]``.

    A line that is neither a section nor four words is an error naming it (gensim
    skips such lines, and a damaged file then scores silently on fewer questions).
    """
    sections: list[tuple[str, list[Question]]] = []
    with open_binary(path) as stream:
        for number, raw in enumerate(stream, start=1):
            line = _decode(path, number, raw)
            if line.startswith(": "):
                sections.append((line[2:].strip(), []))
                continue
            parts = line.split()
            if not parts:
                continue
            if not sections:
                raise EmbedError(f"{path}: line {number}: a question before the first ': section' line")
            if len(parts) != 4:
                raise EmbedError(f"{path}: line {number}: expected a ': section' line or four words, got {len(parts)}")
            sections[-1][1].append(tuple(parts))
    return sections


@dataclass
class AnalogySection:
    name: str
    correct: list[Question] = field(default_factory=list)
    incorrect: list[Question] = field(default_factory=list)
    skipped: int = 0  # questions with a word outside the (restricted) vocabulary

    @property
    def answered(self) -> int:
        return len(self.correct) + len(self.incorrect)

    @property
    def accuracy(self) -> float:
        return len(self.correct) / self.answered if self.answered else 0.0


@dataclass
class AnalogyResult:
    """Accuracy per section and in total. It unpacks as gensim's result does, ``score,
    sections = vectors.evaluate_word_analogies(path)``: the accuracy, and each section
    as gensim's dict of its name and its correct and incorrect questions, then the total
    as "Total accuracy"."""

    sections: list[AnalogySection]
    total: AnalogySection
    semantic: AnalogySection
    syntactic: AnalogySection

    @property
    def accuracy(self) -> float:
        return self.total.accuracy

    def __iter__(self) -> Iterator:
        named = [*((part.name, part) for part in self.sections), ("Total accuracy", self.total)]
        return iter((self.accuracy, [{"section": name, "correct": part.correct, "incorrect": part.incorrect}
                                     for name, part in named]))

    @property
    def failed(self) -> list[Question]:
        return self.total.incorrect

    def table(self) -> str:
        rows = [f"{'section':<30} {'accuracy':>8} {'correct':>8} {'answered':>8} {'skipped':>8}"]
        for part in [*self.sections, self.semantic, self.syntactic, self.total]:
            rows.append(
                f"{part.name:<30} {100 * part.accuracy:7.1f}% {len(part.correct):8d} {part.answered:8d} {part.skipped:8d}"
            )
        return "\n".join(rows)


def _merge(name: str, parts: list[AnalogySection]) -> AnalogySection:
    merged = AnalogySection(name)
    for part in parts:
        merged.correct += part.correct
        merged.incorrect += part.incorrect
        merged.skipped += part.skipped
    return merged


def _restricted_index(vectors: Vectors, restrict_vocab: int | None, case_insensitive: bool) -> dict[str, int]:
    # As the queries take it: 0 skipped every question and -1 dropped the last word, silently.
    check_limit(restrict_vocab, "restrict_vocab")
    check_switch(case_insensitive, "case_insensitive")
    # With case folding the first (most frequent) spelling of a word wins, as in gensim.
    words = vectors.words[:restrict_vocab]
    index: dict[str, int] = {}
    for i, word in enumerate(words):
        index.setdefault(word.upper() if case_insensitive else word, i)
    return index


def evaluate_word_analogies(
    vectors: Vectors,
    path: str | os.PathLike,
    restrict_vocab: int | None = 30_000,
    case_insensitive: bool = True,
    method: str = "3cosadd",
    batch_size: int = 256,
    dummy4unknown: bool = False,
) -> AnalogyResult:
    """Accuracy on a questions-words file: a is to b as c is to expected.

    A question counts only if its four words are among the ``restrict_vocab`` most
    frequent (with ``dummy4unknown``, gensim's, the others count as wrong answers); the
    answer is the nearest word to b - a + c (3CosAdd) or by 3CosMul among
    them, the three question words excluded. Questions are answered in batches, one
    matrix product per batch.

    >>> from embed.data import bundled as corpus_path
    >>> from embed.vectors import Vectors
    >>> v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    >>> evaluate_word_analogies(v, corpus_path("questions-words.txt")).total.answered
    0
    """
    check_vectors(vectors, "evaluate_word_analogies")
    if method not in ("3cosadd", "3cosmul"):
        raise EmbedError(f"method must be '3cosadd' or '3cosmul', got {method!r}")
    if not is_whole(batch_size):  # 0 was range()'s ValueError, -1 answered no question
        raise EmbedError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    check_switch(dummy4unknown, "dummy4unknown")
    fold = (lambda w: w.upper()) if case_insensitive else (lambda w: w)
    index = _restricted_index(vectors, restrict_vocab, case_insensitive)
    limit = len(vectors) if restrict_vocab is None else min(restrict_vocab, len(vectors))
    matrix = vectors.unit_rows(limit)
    folded_words = [fold(w) for w in vectors.words[:limit]]
    sections = []
    for name, questions in read_analogies(path):
        section = AnalogySection(name)
        known = []
        for question in questions:
            keys = [fold(w) for w in question]
            if all(k in index for k in keys):
                known.append((question, keys))
            elif dummy4unknown:
                section.incorrect.append(question)
            else:
                section.skipped += 1
        for start in range(0, len(known), batch_size):
            batch = known[start : start + batch_size]
            ids = np.array([[index[k] for k in keys[:3]] for _, keys in batch])
            scores = _analogy_scores(matrix, ids, method)
            rows = np.arange(len(batch))
            for column in range(3):
                scores[rows, ids[:, column]] = -np.inf
            kth = min(5, limit) - 1  # gensim looks at the five best answers
            np.negative(scores, out=scores)
            top = np.argpartition(scores, kth, axis=1)[:, : kth + 1]
            np.negative(scores, out=scores)
            for row, (question, keys) in enumerate(batch):
                order = top[row][np.argsort(-scores[row, top[row]], kind="stable")]
                ignore = set(keys[:3])
                predicted = None
                for candidate in order:
                    predicted = folded_words[candidate]
                    if predicted not in ignore:
                        break
                (section.correct if predicted == keys[3] else section.incorrect).append(question)
        sections.append(section)
    semantic = _merge("semantic", [s for s in sections if not s.name.startswith("gram")])
    syntactic = _merge("syntactic", [s for s in sections if s.name.startswith("gram")])
    return AnalogyResult(sections, _merge("total", sections), semantic, syntactic)


def _analogy_scores(matrix: np.ndarray, ids: np.ndarray, method: str) -> np.ndarray:
    a, b, c = matrix[ids[:, 0]], matrix[ids[:, 1]], matrix[ids[:, 2]]
    if method == "3cosadd":
        query = b - a + c  # the mean of (b, c, -a) scaled: same direction, same ranking
        query /= np.maximum(np.linalg.norm(query, axis=1, keepdims=True), 1e-12)
        return query @ matrix.T
    shifted = lambda rows: (1.0 + rows @ matrix.T) / 2.0  # noqa: E731
    return shifted(b) * shifted(c) / (shifted(a) + 1e-6)


def analogy_answers(vectors: Vectors, a: str, b: str, c: str, expected: str, method: str = "3cosadd",
                    topn: int = 3) -> tuple[list[str], int]:
    """a is to b as c is to ?: the ``topn`` best answers by ``method``, and the rank of
    ``expected`` among every word but the three of the question (1: the answer).

    >>> from embed.vectors import Vectors
    >>> v = Vectors(["a", "b", "c", "d", "e"], np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [0, -1, 1]],
    ...                                                  dtype=np.float32))
    >>> analogy_answers(v, "a", "b", "c", "d")
    (['d', 'e'], 1)
    """
    if method not in ("3cosadd", "3cosmul"):
        raise EmbedError(f"method must be '3cosadd' or '3cosmul', got {method!r}")
    ids = np.array([[vectors.get_index(w) for w in (a, b, c)]])
    scores = _analogy_scores(vectors.normed, ids, method)[0]
    scores[ids[0]] = -np.inf
    target = scores[vectors.get_index(expected)]
    order = np.argsort(-scores, kind="stable")[: min(topn, len(vectors) - 3)]
    return [vectors.words[i] for i in order], int((scores > target).sum()) + 1


class Correlation(NamedTuple):
    """A correlation and its p-value, as SciPy gives them (``statistic``, ``pvalue``, or [0], [1])."""

    statistic: float
    pvalue: float


@dataclass(frozen=True)
class PairResult:
    """Correlations with the human scores. It unpacks as gensim's result does,
    ``pearson, spearman, oov_ratio = vectors.evaluate_word_pairs(path)``, each
    correlation with its p-value."""

    pearson: float
    spearman: float
    oov_ratio: float  # percent of pairs skipped for an unknown word
    pairs: int  # pairs scored
    pearson_pvalue: float = math.nan
    spearman_pvalue: float = math.nan

    def __iter__(self) -> Iterator:
        return iter((Correlation(self.pearson, self.pearson_pvalue), Correlation(self.spearman, self.spearman_pvalue),
                     self.oov_ratio))


def read_word_pairs(path: str | os.PathLike) -> list[tuple[str, str, float]]:
    """(word, word, score) from a tab- or space-separated file; '#' lines are comments,
    and line 1, where it names the columns (``pair_line``), is skipped. Any other line that
    is not two words and a finite score is an error naming it."""
    pairs = []
    for number, line in pair_file_lines(path):
        parts = pair_fields(line)
        if len(parts) != 3:
            raise EmbedError(f"{path}: line {number}: expected two words and a score, got {len(parts)} fields")
        try:
            score = float(parts[2])
        except ValueError:
            score = math.nan
        if not math.isfinite(score):
            raise EmbedError(f"{path}: line {number}: the score {parts[2].strip()!r} is not a finite number")
        pairs.append((parts[0].strip(), parts[1].strip(), score))
    return pairs


def pair_file_lines(path: str | os.PathLike, strict: bool = True) -> Iterator[tuple[int, str]]:
    """A word-pairs file's lines that may hold pairs, numbered from 1 and stripped: not
    blank, not '#' comments, and not line 1 where it names the columns (``pair_line``),
    which was refused, and took the file for text where ``validate=`` asked what it is.
    Bytes that are not UTF-8 are an error naming the line, or with ``strict`` False replaced."""
    with open_binary(path) as stream:
        for number, raw in enumerate(stream, start=1):
            line = _decode(path, number, raw, "strict" if strict else "replace").strip()
            if line and not line.startswith("#") and not (number == 1 and pair_line(line) == "header"):
                yield number, line


def pair_fields(line: str) -> list[str]:
    """A word-pairs line's fields: split at its two tabs, or else at blanks."""
    return line.split("\t") if line.count("\t") == 2 else line.split()


def pair_line(line: str) -> str:
    """What a word-pairs line is: "pair" (two words and a number), "header" (three
    fields, the last no number and without a digit: the column names WordSim-353's
    ``combined.tab`` starts with, "Word 1, Word 2, Human (mean)", which a file may have
    as its first line) or "other".

    >>> pair_line("Word 1\\tWord 2\\tHuman (mean)"), pair_line("tiger\\tcat\\t7.35"), pair_line("a b")
    ('header', 'pair', 'other')
    """
    parts = pair_fields(line)
    if len(parts) != 3:
        return "other"
    try:
        float(parts[2])
    except ValueError:  # a score with a digit is a bad score ("7,35"), not a column's name
        return "other" if any(character.isdigit() for character in parts[2]) else "header"
    return "pair"


def evaluate_word_pairs(
    vectors: Vectors, path: str | os.PathLike, restrict_vocab: int | None = 300_000, case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> PairResult:
    """Pearson and Spearman correlation of cosine similarity with human scores; with
    ``dummy4unknown`` (gensim's), a pair with a word outside the vocabulary is scored
    at similarity 0 rather than left out (``oov_ratio`` counts it either way).

    >>> from embed.data import bundled as corpus_path
    >>> from embed.vectors import Vectors
    >>> v = Vectors(["tiger", "cat", "dog"], np.array([[1, 0], [1, .2], [0, 1]], dtype=np.float32))
    >>> evaluate_word_pairs(v, corpus_path("wordsim353.tsv")).pairs  # tiger-cat, cat-dog
    2
    """
    from scipy import stats

    check_vectors(vectors, "evaluate_word_pairs")
    check_switch(dummy4unknown, "dummy4unknown")
    fold = (lambda w: w.upper()) if case_insensitive else (lambda w: w)
    index = _restricted_index(vectors, restrict_vocab, case_insensitive)
    gold, model, oov = [], [], 0
    pairs = read_word_pairs(path)
    for a, b, score in pairs:
        a, b = fold(a), fold(b)
        if a not in index or b not in index:
            oov += 1
            if dummy4unknown:
                gold.append(score)
                model.append(0.0)
            continue
        gold.append(score)
        first, second = vectors.words[index[a]], vectors.words[index[b]]
        model.append(float(vectors.unit_vector(first) @ vectors.unit_vector(second)))
    if len(gold) < 2:
        raise EmbedError(f"{path}: fewer than two word pairs are in the vocabulary ({oov} pairs have unknown words)")
    if len(set(gold)) == 1:  # scipy's warning, twice, and a correlation of nan
        raise EmbedError(f"{path}: the human scores of the {len(gold)} pairs in the vocabulary are all {gold[0]:g}: "
                         "a correlation with them is not defined")
    pearson, spearman = stats.pearsonr(gold, model), stats.spearmanr(gold, model)
    return PairResult(
        pearson=float(pearson[0]),
        spearman=float(spearman[0]),
        oov_ratio=100.0 * oov / len(pairs),
        pairs=len(gold),
        pearson_pvalue=float(pearson[1]),
        spearman_pvalue=float(spearman[1]),
    )


def _decode(path, number: int, raw: bytes, errors: str = "strict") -> str:
    try:
        # A first line may start with the byte-order mark Windows tools write: it became part
        # of the first word, or made a section line a question.
        return raw.decode("utf-8-sig" if number == 1 else "utf-8", errors)
    except UnicodeDecodeError as error:
        raise EmbedError(f"{path}: line {number}, byte {error.start}: not valid UTF-8") from None
