"""The vocabulary: words, their counts and ids, built in one streaming pass."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ..errors import EmbedError, described


def checked_sentence(sentence: object, number: int | None = None) -> Sequence[str]:
    """``sentence`` where it is a sequence of tokens, else one line naming it (its
    ``number``, from 1, where known). A string was counted letter by letter, and None
    was Python's "not iterable".

    >>> checked_sentence(["a", "b"], 1)
    ['a', 'b']
    >>> checked_sentence("rome italy", 2)
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: sentence 2: a sentence must be a list of tokens, got the string 'rome italy'; split each sentence into tokens, or pass a file's path
    """
    if isinstance(sentence, (list, tuple)):
        return sentence
    where = f"sentence {number}: " if number is not None else ""
    if isinstance(sentence, (str, bytes)):
        raise EmbedError(f"{where}a sentence must be a list of tokens, got the string {sentence[:40]!r}; "
                         "split each sentence into tokens, or pass a file's path")
    if not isinstance(sentence, Iterable):
        raise EmbedError(f"{where}a sentence must be a list of tokens, got {described(sentence)}")
    return list(sentence)


# A trim rule's answers, gensim.utils' values, so that a rule written for gensim runs here.
RULE_DEFAULT, RULE_DISCARD, RULE_KEEP = 0, 1, 2
TrimRule = Callable[[str, int, int], object]


def check_trim_rule(trim_rule: object) -> None:
    """Refuse a ``trim_rule`` that is not a function, before any counting (it was Python's
    "object is not callable" once the count ended)."""
    if trim_rule is not None and not callable(trim_rule):
        raise EmbedError(f"trim_rule is a function of (word, count, min_count) that returns RULE_KEEP, RULE_DISCARD or "
                         f"RULE_DEFAULT, got {described(trim_rule)}")


def kept_by_rule(trim_rule: TrimRule, word: str, count: int, min_count: int) -> bool:
    """Whether ``trim_rule(word, count, min_count)`` keeps ``word`` in the vocabulary:
    RULE_KEEP keeps it, RULE_DISCARD drops it, RULE_DEFAULT (or None) leaves it to
    ``min_count``. Anything else is one line: gensim took it for RULE_DEFAULT, and True
    (equal to RULE_DISCARD) for a discard.

    >>> kept_by_rule(lambda word, count, min_count: RULE_KEEP if word == "rare" else RULE_DEFAULT, "rare", 1, 5)
    True
    >>> kept_by_rule(lambda word, count, min_count: True, "a", 9, 5)
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: trim_rule returned True for 'a' (count 9); a rule returns RULE_KEEP (2), RULE_DISCARD (1) or RULE_DEFAULT (0): embed's or gensim.utils'
    """
    answer = trim_rule(word, count, min_count)
    if isinstance(answer, (bool, np.bool_)) or answer not in (None, RULE_DEFAULT, RULE_DISCARD, RULE_KEEP):
        raise EmbedError(f"trim_rule returned {answer!r} for {word!r} (count {count}); a rule returns RULE_KEEP (2), "
                         "RULE_DISCARD (1) or RULE_DEFAULT (0): embed's or gensim.utils'")
    return count >= min_count if answer is None or answer == RULE_DEFAULT else answer == RULE_KEEP


def not_tokens(sentence: Sequence[object], number: int | None = None) -> EmbedError:
    """The error for a sentence (number ``number``, where known) whose tokens are not all
    strings, naming the first that is not."""
    bad = sentence[first_bad_word(sentence)]
    where = f"sentence {number}: " if number is not None else ""
    return EmbedError(f"{where}tokens must be strings, got {described(bad)}; a sentence is a list of strings")


def first_bad_word(words: Sequence[object], forbidden: str | None = None) -> int:
    """The index of the first of ``words`` that is not a string, or with ``forbidden``
    (characters a file cannot hold in a word) given, is empty or holds one of them; -1
    for none. By index: a check for the first bad word by value passed a word that was None.

    >>> first_bad_word(["a", None]), first_bad_word(["a", "b c"], " "), first_bad_word(["a", ""])
    (1, 1, -1)
    """
    for index, word in enumerate(words):
        if not isinstance(word, str) or forbidden is not None and (not word or any(c in word for c in forbidden)):
            return index
    return -1


class Vocabulary:
    """Words sorted by descending count; ties keep the order of first appearance.

    >>> vocab = Vocabulary.build([["a", "b", "a"], ["c", "a", "b"]], min_count=2)
    >>> vocab.words, vocab.counts.tolist(), vocab["b"]
    (['a', 'b'], [3, 2], 1)
    >>> vocab.encode(["c", "b", "a"]).tolist()
    [1, 0]
    """

    def __init__(self, words: Sequence[str], counts: Sequence[int] | np.ndarray) -> None:
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        if len(self.words) != len(self.counts):
            raise EmbedError(f"vocabulary has {len(self.words)} words but {len(self.counts)} counts")
        self.index = {word: i for i, word in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise EmbedError("vocabulary has duplicate words")
        # Every token counted, the words left out included (from_counts knows them all).
        self.corpus_tokens = int(self.counts.sum())
        # Counting forgot words seen at most this many times to stay within max_table
        # (see keep_within); 0 where it forgot none.
        self.pruned_at = 0

    @classmethod
    def build(
        cls, sentences: Iterable[Sequence[str]], min_count: int = 5, max_vocab: int | None = None, source: str = "corpus",
        max_final_vocab: int | None = None, max_table: int | None = None, trim_rule: TrimRule | None = None,
    ) -> Vocabulary:
        counter: Counter[str] = Counter()
        pruning = Pruning(max_table, trim_rule)
        for number, sentence in enumerate(sentences, 1):
            sentence = checked_sentence(sentence, number)
            try:
                counter.update(sentence)
            except TypeError:  # a token that cannot be a word: a list, where sentences are nested too deep
                raise not_tokens(sentence, number) from None
            pruning.keep_within(counter)
        words = list(counter)
        vocab, _ = cls.from_counts(np.fromiter(counter.values(), np.int64, len(words)), words.__getitem__, min_count,
                                   max_vocab, source, max_final_vocab, pruning, trim_rule)
        return vocab

    @classmethod
    def from_counts(
        cls, counts: np.ndarray, word: Callable[[int], str], min_count: int = 5, max_vocab: int | None = None,
        source: str = "corpus", max_final_vocab: int | None = None, pruning: Pruning | None = None,
        trim_rule: TrimRule | None = None,
    ) -> tuple[Vocabulary, np.ndarray]:
        """The vocabulary of tokens counted elsewhere: ``counts[i]`` is the count of
        token i, tokens numbered in order of first appearance, and ``word(i)`` its text,
        asked only of the tokens kept (of every token, where a ``trim_rule`` decides
        instead of ``min_count``: ``kept_by_rule``). Also returns each token's id in the
        vocabulary (-1 for those left out); ``pruning``, where the counting pruned, says
        what it forgot. ``max_final_vocab`` raises ``min_count`` to one more
        than the count of the (N+1)th most frequent token, as gensim does: ties at the
        cut all go, where ``max_vocab`` keeps exactly N by order of first appearance.
        The rule sees the raised ``min_count``, and ``max_vocab`` cuts what it kept.

        >>> vocab, ids = Vocabulary.from_counts(np.array([1, 3, 1]), ["b", "a", "c"].__getitem__, min_count=1)
        >>> vocab.words, ids.tolist()
        (['a', 'b', 'c'], [1, 0, 2])
        """
        counts = np.asarray(counts, dtype=np.int64)
        if not len(counts) and pruning is not None and pruning.forgotten:
            raise EmbedError(f"{source}: counting under max_table={pruning.max_table:,} forgot every word (the "
                             f"{pruning.forgotten:,} tokens it saw): raise --max-table")
        if not len(counts):
            raise EmbedError(f"{source}: no tokens found (the corpus is empty or has no words the tokenizer accepts)")
        raised = ""
        if max_final_vocab is not None and max_final_vocab < len(counts):
            cut = int(np.partition(counts, len(counts) - 1 - max_final_vocab)[len(counts) - 1 - max_final_vocab])
            if cut + 1 > min_count:
                min_count, raised = cut + 1, f", as max_final_vocab={max_final_vocab} raised it"
        if trim_rule is None:
            kept = np.flatnonzero(counts >= min_count)
        else:  # a Python call a token, as gensim makes
            kept = np.flatnonzero([kept_by_rule(trim_rule, word(i), count, min_count)
                                   for i, count in enumerate(counts.tolist())]).astype(np.int64)
        if not len(kept) and trim_rule is not None:
            raise EmbedError(f"{source}: trim_rule and min_count={min_count}{raised} kept no word of the "
                             f"{len(counts)} distinct words")
        if not len(kept):
            raise EmbedError(
                f"{source}: no word occurs at least min_count={min_count} times{raised} "
                f"({len(counts)} distinct words, the most frequent occurs {counts.max()} times); lower --min-count"
            )
        kept = kept[np.argsort(-counts[kept], kind="stable")]  # stable: ties stay in order of first appearance
        if max_vocab is not None:
            kept = kept[:max_vocab]
        ids = np.full(len(counts), -1, dtype=np.int32)
        ids[kept] = np.arange(len(kept), dtype=np.int32)
        vocab = cls([word(int(i)) for i in kept], counts[kept])
        vocab.corpus_tokens = int(counts.sum())
        if pruning is not None and pruning.min_reduce > 1:
            vocab.corpus_tokens += pruning.forgotten
            vocab.pruned_at = pruning.min_reduce - 1
        return vocab, ids

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> int:
        try:
            return self.index[word]
        except KeyError:
            raise KeyError(f"word {word!r} is not in the vocabulary") from None

    @property
    def total(self) -> int:
        """How many corpus tokens the vocabulary covers."""
        return int(self.counts.sum())

    def known_tokens(self, sentences: Iterable[Sequence[str]]) -> int:
        """How many tokens of ``sentences`` are vocabulary words; what is not a sentence
        of tokens is refused, as ``build`` refuses it.

        >>> Vocabulary(["a", "b"], [2, 1]).known_tokens([["a", "x"], ["b", "a"]])
        3
        """
        index, known = self.index, 0
        for number, sentence in enumerate(sentences, 1):
            sentence = checked_sentence(sentence, number)
            try:
                known += sum(1 for token in sentence if token in index)
            except TypeError:
                raise not_tokens(sentence, number) from None
        return known

    def encode(self, tokens: Iterable[str]) -> np.ndarray:
        """Ids of the tokens that are in the vocabulary; the others are dropped, as word2vec does."""
        tokens = tokens if isinstance(tokens, list) else list(checked_sentence(tokens))
        try:
            ids = np.fromiter(map(self.index.get, tokens, itertools.repeat(-1)), dtype=np.int32, count=len(tokens))
        except TypeError:
            raise not_tokens(tokens) from None
        return ids[ids >= 0]

    def keep_probabilities(self, sample: float) -> np.ndarray:
        """word2vec's subsampling: keep a word with probability (sqrt(f/s) + 1) * s/f, capped at 1.

        f is the word's share of the corpus and s the ``sample`` threshold; 0 keeps everything.
        """
        if sample <= 0:
            return np.ones(len(self), dtype=np.float32)
        threshold = sample * self.total
        counts = self.counts.astype(np.float64)
        keep = (np.sqrt(counts / threshold) + 1.0) * threshold / counts
        return np.minimum(keep, 1.0).astype(np.float32)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} words, {self.total} tokens)"


class Pruning:
    """word2vec's ReduceVocab, for counting a vocabulary too large to hold: whenever
    more than ``max_table`` distinct words are held, the words seen at most
    ``min_reduce`` times so far are forgotten and ``min_reduce`` rises by one (it starts
    at 1). A forgotten word seen again starts from nothing, so a rare word's count is a
    lower bound, and which words survive depends on where in the text the table filled.
    ``max_table`` None never prunes. A ``trim_rule`` decides instead, as gensim's
    pruning asks it, each held word's fate: its ``min_count`` is the count a word needs
    to be kept (``min_reduce`` + 1), so that RULE_DEFAULT keeps what word2vec keeps.

    >>> counts, pruning = {"a": 3, "b": 1, "c": 2}, Pruning(max_table=2)
    >>> pruning.keep_within(counts), counts, pruning.min_reduce, pruning.forgotten
    (True, {'a': 3, 'c': 2}, 2, 1)
    >>> keep_b = lambda word, count, min_count: RULE_KEEP if word == "b" else RULE_DEFAULT
    >>> counts = {"a": 3, "b": 1, "c": 1}
    >>> Pruning(max_table=2, trim_rule=keep_b).keep_within(counts), counts
    (True, {'a': 3, 'b': 1})
    """

    def __init__(self, max_table: int | None, trim_rule: TrimRule | None = None) -> None:
        self.max_table = max_table
        self.trim_rule = trim_rule
        self.min_reduce = 1
        self.forgotten = 0  # tokens of the words forgotten

    def keep_within(self, counts: dict[str, int]) -> bool:
        """Prune ``counts`` until it holds at most ``max_table`` words; whether it pruned."""
        if self.max_table is None or len(counts) <= self.max_table:
            return False
        while len(counts) > self.max_table:
            held = list(counts.items())
            kept = self.survivors(np.fromiter(counts.values(), np.int64, len(counts)), lambda i: held[i][0])
            counts.clear()
            for i in kept.tolist():  # assigned, not update(): a Counter's update would count the pairs
                counts[held[i][0]] = held[i][1]
        return True

    def survivors(self, counts: np.ndarray, word: Callable[[int], str] | None = None) -> np.ndarray:
        """One pruning of words counted ``counts`` times (``word(i)``: the text of word
        i, for a ``trim_rule``): the positions of those kept, in order; what the others
        held is recorded as forgotten."""
        if self.trim_rule is None:
            kept = np.flatnonzero(counts > self.min_reduce)
        else:  # a Python call a word held, as gensim makes
            kept = np.flatnonzero([kept_by_rule(self.trim_rule, word(i), count, self.min_reduce + 1)
                                   for i, count in enumerate(counts.tolist())]).astype(np.int64)
            if len(kept) > self.max_table and self.min_reduce >= counts.max():
                # Every word left is one the rule keeps whatever its count: pruning cannot end.
                raise EmbedError(f"trim_rule keeps {len(kept):,} words through counting, more than max_table="
                                 f"{self.max_table:,} distinct words: raise --max-table, or keep fewer")
        self.forgotten += int(counts.sum() - counts[kept].sum())
        self.min_reduce += 1
        return kept
