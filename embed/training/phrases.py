"""Phrases: collocations such as "new york" learnt from counts and joined into one token
("new_york"), as the word2vec C tool's word2phrase does before training.

Learning counts every token and every pair of neighbours within a sentence (a line, cut
every ``max_sentence_length`` tokens as ``embed.text.corpus.read_sentences`` cuts it;
no pair crosses a sentence). A pair (a, b) scores, with N the tokens counted,

- ``"default"`` (word2phrase): ``(count(ab) - min_count) / count(a) / count(b) * N``,
  and is a phrase when count(a), count(b) and count(ab) are all >= min_count and the
  score is > threshold (threshold >= 0; word2phrase's default is 100);
- ``"npmi"`` (gensim's normalised PMI): with p(x) = count(x) / N,
  ``ln(p(ab) / (p(a) p(b))) / -ln(p(ab))``, a phrase when count(ab) >= min_count and the
  score is > threshold (-1 < threshold <= 1).

gensim's own ``scoring="default"`` multiplies by the size of its table (distinct words
plus distinct pairs) where word2phrase multiplies by N; ``word2phrase_score`` is
word2phrase's formula in gensim's scorer signature, to compare the two.

Joining goes left to right: when (a, b) joins, b does not also join with the word
after it in the same pass. With ``passes=2`` a second pass learns on the output of the
first, which makes phrases of three and four words ("new_york_times").

Two choices differ from word2phrase.c, on purpose: its learning pass counts the pair
across each line end (its ``start`` flag is cleared before it is read), and here no
pair crosses a sentence; and it scores in 32-bit floats, here in 64-bit.

Tokens are what ``embed train`` sees with the same reader settings (``READER_FIELDS``:
lowercasing, token pattern, caps, encoding); a list of token lists is taken sentence by
sentence as given. Every token counts and breaks adjacency, rare ones too: dropping a
rare word, as training's reader does, would make its neighbours a false pair. A file
written by ``write`` must be read back with a pattern that keeps the delimiter
(``\\S+``): the default takes runs of letters and would split "new_york".

Memory is bound by the tables, never the corpus: a count per distinct token and a pair
table of 16-byte slots at most two thirds full. When distinct tokens and pairs together
exceed ``max_table``, every token and pair seen at most ``min_reduce`` times is
forgotten (its count starts again) and ``min_reduce`` rises, as word2phrase's
ReduceVocab does; so near the limit a phrase whose occurrences are spread out can be
lost, and counts come out low (a ``PruningWarning`` says so). The default, 40M, is
gensim's max_vocab_size (word2phrase's 350M would need about 10 GB here).

Speed: a plain file (ASCII letters and blanks, as text8) is read by the jitted byte
reader of ``embed.text.plaintext`` and its ids counted in pairs by the jitted table of
``embed.text.phrase_counts``: no Python work per token. Other text goes through the
tokenizer (Python), and its tokens to ids through a dict, a batch at a time.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import numbers
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import EmbedError, described, shown
from ..text.corpus import BLOCK_BYTES, ascii_compatible, open_binary, read_ahead, text_codec
from ..text.location import file_path
from ..text.shards import Files, corpus_files, names_files
from ..text.tokenizer import DEFAULT_PATTERN, Tokenizer
from ..vectors.atomic import atomic_write, check_writable, compressing
from .config import Encoding, OneOf, Pattern, Switch, Whole, refusing_unknown_names, setting

SCORINGS = ("default", "npmi")
# The settings that decide what a token is; give them the values training has, so
# that the phrases learnt are made of the tokens training sees.
READER_FIELDS = ("lowercase", "token_pattern", "max_token_length", "max_sentence_length", "encoding", "encoding_errors")
FORMAT = "embed phrases"
FORMAT_VERSION = 1
_READ_BYTES = 4 * BLOCK_BYTES  # as count_plain reads
_BATCH_TOKENS = 1 << 18  # tokens of in-memory sentences encoded per kernel call
_EMPTY_TOKENS = np.zeros(0, dtype=np.int32)
_NO_STARTS = np.zeros(0, dtype=np.int64)
_START_HERE = np.zeros(1, dtype=np.int64)


def word2phrase_score(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count) -> float:
    """word2phrase's score with its conditions, in the signature gensim's ``Phrases``
    takes for ``scoring=`` (gensim's built-in "default" uses ``len_vocab`` for N).

    >>> word2phrase_score(10, 20, 9, 1000, 5, 1000)
    20.0
    >>> word2phrase_score(4, 20, 9, 1000, 5, 1000)   # a word below min_count
    -inf
    """
    if worda_count < min_count or wordb_count < min_count or bigram_count < min_count:
        return float("-inf")
    return (bigram_count - min_count) / worda_count / wordb_count * corpus_word_count


@dataclass(frozen=True)
class _Threshold:
    """A finite number; its range depends on the scoring (``PhrasesConfig``)."""

    def check(self, name: str, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise EmbedError(f"{name} must be a finite number, got {value!r}")
        return float(value)

    def bad_values(self) -> list:
        return [float("nan"), float("inf"), "100", True]

    def option(self) -> dict:
        return {"type": float, "metavar": "X"}


@dataclass(frozen=True)
class _Delimiter:
    """A non-empty string without blanks: a joined token must stay one token."""

    def check(self, name: str, value: Any) -> Any:
        if not isinstance(value, str) or not value or any(c.isspace() for c in value):
            raise EmbedError(f"{name} must be a non-empty string without blanks, got {value!r}")
        return value

    def bad_values(self) -> list:
        return ["", " ", "a b", 1]

    def option(self) -> dict:
        return {"metavar": "TEXT"}


@refusing_unknown_names("phrases")
@dataclass(frozen=True)
class PhrasesConfig:
    """The settings of ``Phrases``, each declared once with its constraint and help (as
    ``embed.Config``'s are), validated together.

    >>> PhrasesConfig(scoring="npmi", threshold=0.5).threshold
    0.5
    >>> PhrasesConfig(threshold=-1)
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: threshold must be >= 0 with scoring 'default' (...), got -1.0
    """

    min_count: int = setting(5, Whole(1), "ignore words and pairs seen fewer than N times")
    threshold: float = setting(100.0, _Threshold(), "join a pair whose score is above X (default scoring: X >= 0; "
                                                    "npmi: -1 < X <= 1)")
    scoring: str = setting("default", OneOf(SCORINGS), "word2phrase's score, or gensim's normalised PMI")
    delimiter: str = setting("_", _Delimiter(), "the text that joins a phrase's words")
    max_table: int = setting(40_000_000, Whole(1), "distinct words and pairs held while counting; beyond it the "
                                                   "rarest are forgotten, as word2phrase does (about 24 bytes each)")
    passes: int = setting(2, Whole(1, high=10), "passes over the corpus: the second joins phrases into phrases of 3 "
                          "and 4 words, as word2phrase run twice does")
    lowercase: bool = setting(True, Switch(), "lowercase the text before tokenising")
    token_pattern: str = setting(DEFAULT_PATTERN, Pattern(), "regular expression a token matches")
    max_token_length: int = setting(100, Whole(1), "cut longer tokens to N characters")
    max_sentence_length: int = setting(10_000, Whole(1), "cut longer lines into sentences of N tokens")
    encoding: str = setting("utf-8", Encoding(), "the corpus's text encoding")
    encoding_errors: str = setting("replace", OneOf(("replace", "strict")),
                                   "bytes not valid in the encoding: replace and count them, or stop")

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = field.metadata["constraint"].check(field.name, getattr(self, field.name))
            object.__setattr__(self, field.name, value)
        if self.scoring == "default" and self.threshold < 0:
            raise EmbedError(f"threshold must be >= 0 with scoring 'default' (a score is (count(ab) - min_count) / "
                             f"count(a) / count(b) * N), got {self.threshold!r}")
        if self.scoring == "npmi" and not -1 < self.threshold <= 1:
            raise EmbedError(f"threshold must be a number above -1 and at most 1 with scoring 'npmi', "
                             f"got {self.threshold!r}")

    def tokenizer(self) -> Tokenizer:
        return Tokenizer(self.token_pattern, self.lowercase, self.max_token_length)

    def plain_reader(self) -> bool:
        """Whether a file may go through the byte reader (which gives up, and the
        tokenizer takes over, at the first byte that is not an ASCII letter or blank)."""
        return self.token_pattern == DEFAULT_PATTERN and ascii_compatible(text_codec(self.encoding))


@dataclass
class PassStats:
    """What one learning pass counted."""

    tokens: int  # N: the tokens counted (the output of the pass before, from the second on)
    pairs: int  # distinct pairs held at the end
    min_reduce: int  # 1 if nothing was pruned, else one more than the last pruning's floor
    phrases: int


@dataclass
class WriteReport:
    """What ``Phrases.write`` wrote: every token read is in it, ``tokens_read -
    tokens_written`` of them joined to the token before."""

    sentences: int
    tokens_read: int
    tokens_written: int


class PruningWarning(UserWarning):
    """Learning outgrew ``max_table`` and forgot its rarest tokens and pairs."""


class _NotPlain(Exception):
    """A byte the plain reader does not take: the tokenizer must read the text."""


@dataclass
class _Source:
    name: str
    files: list[str] | None = None
    sentences: Iterable[Sequence[str]] | None = None


class Phrases:
    """Collocations learnt from a corpus and joined into single tokens (word2phrase).

    >>> sentences = [["new", "york", "is", "big"], ["in", "new", "york", "now"], ["new", "york", "city"]] * 3
    >>> phrases = Phrases(min_count=3, threshold=1).learn(sentences)
    >>> phrases.apply(["i", "love", "new", "york"])
    ['i', 'love', 'new_york']
    >>> phrases.export_phrases()   # (9 - 3) / 9 / 9 * 33 tokens
    {'new_york': 2.444...}

    The settings are ``PhrasesConfig``'s fields; the corpus is a file (plain, .gz,
    .bz2, .xz), several files, a directory or glob, or a list of token lists.
    """

    def __init__(self, config: PhrasesConfig | None = None, **settings: Any) -> None:
        if config is not None and settings:
            raise EmbedError("give Phrases a PhrasesConfig or settings, not both")
        if config is not None and not isinstance(config, PhrasesConfig):  # an AttributeError at the first use
            raise EmbedError(f"config must be an embed PhrasesConfig, got {described(config)}; "
                             "Phrases also takes the settings as keywords: Phrases(min_count=3)")
        self.config = config if config is not None else PhrasesConfig(**settings)
        self.words: list[str] = []  # the words the phrases are made of; phrase j's id is len(words) + j
        self.first = np.zeros(0, dtype=np.int64)  # phrase j joins the tokens first[j] and second[j]
        self.second = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)  # count(ab) in the pass that made it
        self.scores = np.zeros(0, dtype=np.float64)
        self.pass_sizes: list[int] = []  # phrases made by each pass, in order
        self.stats: list[PassStats] = []
        self._ready()

    # -- learning ---------------------------------------------------------------------
    def learn(self, corpus: Any, passes: int | None = None) -> Phrases:
        """Count ``corpus`` and keep the pairs that score above the threshold, in
        ``passes`` passes (default: the setting), replacing what was learnt before.

        >>> Phrases(min_count=1, threshold=0).learn([["a", "b"], ["a", "b", "c"]]).export_phrases()
        {'a_b': 1.25}
        """
        passes = self.config.passes if passes is None else Whole(1, high=10).check("passes", passes)
        source = self._source(corpus, reads=passes)
        counters: list = []
        joiners: list = []
        passes_found: list[tuple[np.ndarray, ...]] = []
        plain = source.files is not None and self.config.plain_reader()
        reading = _Reading()
        for number in range(passes):
            n_base = reading.words  # 0 in the first pass, which has no phrase to number
            if plain:
                try:
                    counter = self._count_pass(reading.plain(self._plain_blocks(source.files), number > 0, source.name),
                                               joiners, n_base)
                except _NotPlain:
                    if number > 0:
                        raise EmbedError(f"{source.name}: changed while phrases were learnt from it") from None
                    plain, reading = False, _Reading()
            if not plain:
                blocks = _python_blocks(self._sentences_of(source), reading, source.name, fixed=number > 0)
                counter = self._count_pass(blocks, joiners, n_base)
            if counter.tokens == 0:
                raise EmbedError(f"{source.name}: no tokens found (the corpus is empty or has no words the tokenizer "
                                 "accepts)")
            first, second, counts, scores = self._score(counter)
            numbers = np.arange(len(first), dtype=np.int64) + sum(len(p[0]) for p in passes_found)
            passes_found.append((first, second, counts, scores))
            counters.append(PassStats(counter.tokens, counter.pairs_held, counter.min_reduce, len(first)))
            if counter.min_reduce > 1:
                warnings.warn(f"{source.name}: pass {number + 1} outgrew max_table={self.config.max_table:,} distinct "
                              f"tokens and pairs, and forgot those seen at most {counter.min_reduce - 1} times (as "
                              "word2phrase does): raise max_table to keep them", PruningWarning, stacklevel=2)
            joiners.append(_joiner()(first, second, numbers))
            del counter
        self._adopt(passes_found, reading, counters)
        return self

    def _count_pass(self, blocks: Iterable[tuple[np.ndarray, np.ndarray]], joiners: list, n_base: int):
        """Count the tokens of ``blocks`` once the phrases of the passes before have
        joined them (word ids below ``n_base``, phrase j is ``n_base + j``)."""
        from ..text.phrase_counts import PairCounts

        counter = PairCounts(self.config.max_table, capacity=_first_capacity(self.config.max_table))
        for joiner in joiners:
            joiner.reset()
        for tokens, starts in blocks:
            for joiner in joiners:
                tokens, starts = joiner.join(tokens, starts, None, n_base)
            counter.add(tokens, starts, n_base)
        tokens, starts = _EMPTY_TOKENS, _NO_STARTS
        for joiner in joiners:  # let go of the tokens each pass held for a pair
            tokens, starts = joiner.join(tokens, starts, None, n_base, final=True)
        counter.add(tokens, starts, n_base)
        return counter

    def _score(self, counter) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The pairs that are phrases, best first: (first ids, second ids, counts, scores)."""
        config = self.config
        first, second, together = counter.pair_arrays(least=config.min_count)  # most pairs are seen once or twice
        count_a, count_b = counter.unigrams[first], counter.unigrams[second]
        total = float(counter.tokens)
        if config.scoring == "default":
            candidate = (count_a >= config.min_count) & (count_b >= config.min_count)
        else:  # a word pruned away since (count 0) has no probability to score with
            candidate = (count_a > 0) & (count_b > 0)
        first, second, together = first[candidate], second[candidate], together[candidate]
        scores = _scores(config.scoring, count_a[candidate], count_b[candidate], together, total, config.min_count)
        keep = scores > config.threshold
        first, second, together, scores = first[keep], second[keep], together[keep], scores[keep]
        order = np.lexsort((second, first, -scores))
        return first[order], second[order], together[order], scores[order]

    def _adopt(self, passes_found: list, reading: _Reading, stats: list[PassStats]) -> None:
        """Keep the phrases with the words they are made of only (ids renumbered)."""
        n_base = reading.words
        first = np.concatenate([p[0] for p in passes_found]) if passes_found else np.zeros(0, np.int64)
        second = np.concatenate([p[1] for p in passes_found]) if passes_found else np.zeros(0, np.int64)
        parts = np.concatenate([first, second])
        words = np.unique(parts[parts < n_base])
        self.words = [reading.word(int(i)) for i in words]

        def renumbered(ids: np.ndarray) -> np.ndarray:
            return np.where(ids < n_base, np.searchsorted(words, ids), ids - n_base + len(words)).astype(np.int64)

        self.first, self.second = renumbered(first), renumbered(second)
        self.counts = np.concatenate([p[2] for p in passes_found]).astype(np.int64)
        self.scores = np.concatenate([p[3] for p in passes_found]).astype(np.float64)
        self.pass_sizes = [len(p[0]) for p in passes_found]
        self.stats = stats
        self._ready()

    def _ready(self) -> None:
        """The tables that applying needs, from words, first, second and pass_sizes."""
        words, delimiter = self.words, self.config.delimiter
        self.names: list[str] = list(words)  # every token a phrase is made of, phrases last
        for a, b in zip(self.first.tolist(), self.second.tolist()):
            self.names.append(self.names[a] + delimiter + self.names[b])
        self.index = {word: i for i, word in enumerate(words)}
        self._tables: list[dict[tuple[str, str], str]] = []
        start = 0
        for size in self.pass_sizes:
            stop = start + size
            self._tables.append({(self.names[a], self.names[b]): self.names[len(words) + j] for j, a, b in
                                 zip(range(start, stop), self.first[start:stop].tolist(),
                                     self.second[start:stop].tolist())})
            start = stop
        self._joiners = None  # built on first use: it needs numba

    # -- applying ---------------------------------------------------------------------
    def apply(self, tokens: Sequence[str]) -> list[str]:
        """One sentence's tokens with its phrases joined, pass after pass.

        >>> phrases = Phrases(min_count=1, threshold=0).learn([["a", "b"], ["a", "b", "c"]])
        >>> phrases.apply(["a", "b", "b", "a", "b", "a"])
        ['a_b', 'b', 'a_b', 'a']
        """
        if isinstance(tokens, (str, bytes)):
            raise EmbedError(f"apply takes one sentence's tokens (a list of strings), got the string {tokens[:40]!r}")
        if not isinstance(tokens, Iterable):  # Python's "not iterable"
            raise EmbedError(f"apply takes one sentence's tokens (a list of strings), got {described(tokens)}")
        try:
            return self._joined_tokens(list(tokens))
        except TypeError:  # a token that is a list: gensim's phrases[corpus] takes many sentences, apply one
            raise EmbedError("apply takes one sentence's tokens (a list of strings), got a list of lists: "
                             "phrases.sentences(corpus) joins a corpus's") from None

    def _joined_tokens(self, out: list[str]) -> list[str]:
        for table in self._tables:
            if not table or len(out) < 2:
                continue
            joined = []
            i, last = 0, len(out) - 1
            while i < last:
                phrase = table.get((out[i], out[i + 1]))
                if phrase is None:
                    joined.append(out[i])
                    i += 1
                else:
                    joined.append(phrase)
                    i += 2
            if i == last:
                joined.append(out[last])
            out = joined
        return out

    def sentences(self, corpus: Any) -> PhraseSentences:
        """The corpus's sentences with their phrases joined, read again at each
        iteration (so training can take it for several epochs).

        >>> phrases = Phrases(min_count=1, threshold=0).learn([["a", "b"], ["a", "b", "c"]])
        >>> list(phrases.sentences([["c", "a", "b"]]))
        [['c', 'a_b']]
        """
        return PhraseSentences(self, corpus)

    def write(self, corpus: Any, path: str | os.PathLike) -> WriteReport:
        """Write the corpus with its phrases joined, a sentence a line and its tokens
        separated by spaces, in UTF-8; compressed where ``path`` ends with .gz, .bz2 or
        .xz. Every token is kept, in order, rare and unknown ones too. The output is
        checked before anything is read and written through a temporary file.

        Tokenise it again with a pattern that keeps the delimiter (``\\S+``): the
        default pattern takes letters only and would split "new_york".

        >>> import tempfile, os
        >>> out = os.path.join(tempfile.mkdtemp(), "joined.txt")
        >>> phrases = Phrases(min_count=1, threshold=0).learn([["a", "b"], ["a", "b", "c"]])
        >>> phrases.write([["x", "a", "b"], ["c"]], out)
        WriteReport(sentences=2, tokens_read=4, tokens_written=3)
        >>> import pathlib; pathlib.Path(out).read_text()
        'x a_b\\nc\\n'
        """
        source = self._source(corpus, reads=1)
        check_writable(path, tuple(source.files or ()))
        report = WriteReport(0, 0, 0)
        lines: list[str] = []
        held = 0
        with atomic_write(path, "wb") as raw, compressing(raw, path) as stream:
            for sentence, read in self._joined(source):
                lines.append(" ".join(sentence))
                report.sentences += 1
                report.tokens_read += read
                report.tokens_written += len(sentence)
                held += len(sentence)
                if held >= 1 << 18:
                    stream.write(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
                    lines, held = [], 0
            if lines:
                stream.write(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
        return report

    def _joined(self, source: _Source) -> Iterator[tuple[list[str], int]]:
        """Each non-empty sentence with its phrases joined, and how many tokens it had."""
        done = 0
        if source.files is not None and self.config.plain_reader():
            try:
                for found in self._joined_plain(source.files):
                    yield found
                    done += 1
                return
            except _NotPlain:
                pass  # the tokenizer reads it all again, and what was given out is skipped
        sentences = (s for s in self._sentences_of(source) if len(s))
        for sentence in itertools.islice(sentences, done, None):
            if isinstance(sentence, (str, bytes)):
                raise EmbedError(_string_sentence(sentence))
            yield self.apply(sentence), len(sentence)

    def _joined_plain(self, files: list[str]) -> Iterator[tuple[list[str], int]]:
        """``_joined`` for plain files, with the phrases joined in jitted code on the
        reader's ids: the only Python work per token is making its string."""
        joiners = [joiner.fresh() for joiner in self._pass_joiners()]  # readings may go on side by side
        trans = np.zeros(1 << 12, dtype=np.int64)  # the reader's word ids to ours (-1: in no phrase)
        names = np.empty(1 << 12, dtype=object)  # the reader's word ids to their text
        phrase_names = np.array(self.names[len(self.words):] or [""], dtype=object)
        n_base = len(self.words)
        known = 0
        current: list[str] = []
        read = 0

        def strings(tokens: np.ndarray) -> list[str]:
            if not len(tokens) or tokens.min() >= 0:
                return names[tokens].tolist()
            found = names[np.maximum(tokens, 0)]
            joined = tokens < 0
            found[joined] = phrase_names[-tokens[joined] - 1]
            return found.tolist()

        blocks = ((ids, starts, table, False) for ids, starts, table in self._plain_blocks(files))
        for tokens, starts, table, final in itertools.chain(blocks, [(_EMPTY_TOKENS, _NO_STARTS, None, True)]):
            if table is not None and table.words > known:
                if table.words > len(trans):
                    size = 1 << (table.words - 1).bit_length()
                    trans, names = np.resize(trans, size), np.resize(names, size)
                for i in range(known, table.words):  # each word met for the first time, once a read
                    word = table.word(i)
                    names[i] = word
                    trans[i] = self.index.get(word, -1)
                known = table.words
            # tokens read per sentence: counted before joining, by the same starts
            read_bounds = [0, *starts.tolist(), len(tokens)]
            read_sizes = [b - a for a, b in zip(read_bounds, read_bounds[1:])]
            for joiner in joiners:
                tokens, starts = joiner.join(tokens, starts, trans, n_base, final=final)
            found = strings(tokens)
            bounds = [0, *starts.tolist(), len(found)]
            for k, (low, high) in enumerate(zip(bounds, bounds[1:])):
                if k:
                    if current:
                        yield current, read
                    current, read = [], 0
                current.extend(found[low:high])
                read += read_sizes[k]
        if current:
            yield current, read

    def _pass_joiners(self) -> list:
        if self._joiners is None:
            joiner = _joiner()
            self._joiners, start = [], 0
            for size in self.pass_sizes:
                stop = start + size
                self._joiners.append(joiner(self.first[start:stop], self.second[start:stop],
                                            np.arange(start, stop, dtype=np.int64)))
                start = stop
        return self._joiners

    # -- what was learnt --------------------------------------------------------------
    def export_phrases(self) -> dict[str, float]:
        """Each phrase (its words joined by the delimiter) with its score, as gensim 4's
        ``Phrases.export_phrases``; where two passes make the same text, the higher."""
        found: dict[str, float] = {}
        n_base = len(self.words)
        for j, score in enumerate(self.scores.tolist()):
            name = self.names[n_base + j]
            if score > found.get(name, -math.inf):
                found[name] = score
        return found

    def __len__(self) -> int:
        return len(self.first)

    def __repr__(self) -> str:
        c = self.config
        return (f"Phrases({len(self)} phrases in {len(self.pass_sizes)} passes, min_count={c.min_count}, "
                f"threshold={c.threshold}, scoring={c.scoring!r})")

    # -- files ------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the settings, words and phrases as JSON (compressed where the name
        ends with .gz, .bz2 or .xz), through a temporary file.

        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "phrases.json")
        >>> Phrases(min_count=1, threshold=0).learn([["a", "b"], ["a", "b"]]).save(path)
        >>> Phrases.load(path).export_phrases()
        {'a_b': 1.0}
        """
        passes, start = [], 0
        for size, stats in itertools.zip_longest(self.pass_sizes, self.stats):
            stop = start + size
            columns = (self.first, self.second, self.counts, self.scores)
            rows = [list(row) for row in zip(*(column[start:stop].tolist() for column in columns))]
            passes.append({**(dataclasses.asdict(stats) if stats is not None else {}), "phrases": rows})
            start = stop
        document = {"format": FORMAT, "version": FORMAT_VERSION, "settings": dataclasses.asdict(self.config),
                    "words": self.words, "passes": passes}
        text = json.dumps(document, ensure_ascii=False, allow_nan=False)
        with atomic_write(path, "wb") as raw, compressing(raw, path) as stream:
            stream.write(text.encode("utf-8", "surrogateescape"))

    @classmethod
    def load(cls, path: str | os.PathLike) -> Phrases:
        """Read what ``save`` wrote; a damaged file is one EmbedError naming it."""
        path = file_path(path)
        with open_binary(path) as stream:
            data = stream.read()
        try:
            document = json.loads(data.decode("utf-8", "surrogateescape"))
        except ValueError as error:
            raise EmbedError(f"{path}: not a phrases file saved by embed (not JSON: {error})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise EmbedError(f"{path}: not a phrases file saved by embed (no \"format\": \"{FORMAT}\")")
        if document.get("version") != FORMAT_VERSION:
            raise EmbedError(f"{path}: phrases file version {document.get('version')!r}; this embed reads version "
                             f"{FORMAT_VERSION}")
        try:
            return cls._from_document(document)
        except EmbedError as error:
            raise EmbedError(f"{path}: damaged phrases file: {error}") from None

    @classmethod
    def _from_document(cls, document: dict) -> Phrases:
        settings, words, passes = document.get("settings"), document.get("words"), document.get("passes")
        if not isinstance(settings, dict):
            raise EmbedError("no settings")
        known = {field.name for field in dataclasses.fields(PhrasesConfig)}
        if set(settings) - known:
            raise EmbedError(f"unknown settings {sorted(set(settings) - known)}")
        phrases = cls(PhrasesConfig(**settings))
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise EmbedError("\"words\" must be a list of non-empty strings")
        if len(set(words)) != len(words):
            raise EmbedError("a word is listed twice")
        if not isinstance(passes, list):
            raise EmbedError("\"passes\" must be a list")
        rows, sizes, stats = [], [], []
        for number, found in enumerate(passes, 1):
            table = found.get("phrases") if isinstance(found, dict) else None
            if not isinstance(table, list):
                raise EmbedError(f"pass {number} has no list of phrases")
            limit = len(words) + len(rows)  # a phrase joins words and phrases of earlier passes only
            pairs = set()
            for k, row in enumerate(table, 1):
                if (not isinstance(row, list) or len(row) != 4 or not all(_is_int(x) for x in row[:3])
                        or not isinstance(row[3], (int, float)) or isinstance(row[3], bool)
                        or not math.isfinite(row[3])):
                    raise EmbedError(f"pass {number}, phrase {k}: expected [first id, second id, count, score], "
                                     f"got {shown(row, 80)}")
                a, b, count, score = row
                if not (0 <= a < limit and 0 <= b < limit) or count < 1:
                    raise EmbedError(f"pass {number}, phrase {k}: ids must be below {limit} and the count >= 1, "
                                     f"got {shown(row, 80)}")
                if (a, b) in pairs:
                    raise EmbedError(f"pass {number}, phrase {k}: the pair ({a}, {b}) is listed twice")
                pairs.add((a, b))
                rows.append((a, b, count, float(score)))
            sizes.append(len(table))
            fields = {name: found.get(name) for name in ("tokens", "pairs", "min_reduce")}
            if all(_is_int(v) for v in fields.values()):
                stats.append(PassStats(**fields, phrases=len(table)))
        phrases.words = list(words)
        columns = list(zip(*rows)) if rows else [(), (), (), ()]
        phrases.first, phrases.second, phrases.counts = (np.array(c, dtype=np.int64) for c in columns[:3])
        phrases.scores = np.array(columns[3], dtype=np.float64)
        phrases.pass_sizes = sizes
        phrases.stats = stats if len(stats) == len(sizes) else []
        phrases._ready()
        return phrases

    # -- reading ----------------------------------------------------------------------
    def _source(self, corpus: Any, reads: int) -> _Source:
        """Files (a path, a directory, a glob, or a list of them) or sentences of tokens."""
        if isinstance(corpus, (str, os.PathLike)) or names_files(corpus):
            files = corpus_files(corpus)  # refuses a missing file, a pipe, an empty directory, by name
            return _Source(files[0] if len(files) == 1 else f"{files[0]} (and {len(files) - 1} more)", files=files)
        if isinstance(corpus, Iterator) and reads > 1:
            raise EmbedError(f"this reads the corpus {reads} times: pass a list of sentences or a file, not a "
                             "generator, which can be read once")
        if not isinstance(corpus, Iterable):
            raise EmbedError(f"a corpus must be a file's path, a list of paths or a list of token lists, "
                             f"got {type(corpus).__name__}")
        if isinstance(corpus, (list, tuple)) and corpus and all(isinstance(s, str) for s in corpus):
            raise EmbedError(_string_sentence(corpus[0]))
        return _Source("the sentences", sentences=corpus)

    def _sentences_of(self, source: _Source) -> Iterable[Sequence[str]]:
        if source.files is None:
            return source.sentences
        c = self.config
        return Files(source.files, c.tokenizer(), c.max_sentence_length, c.encoding_errors, c.encoding)

    def _plain_blocks(self, files: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray, Any]]:
        """The files' tokens as the plain reader's ids (words numbered as first met,
        so the same numbers at every read), a block at a time with the positions where
        sentences start and the reader's table of words (a PlainCounts); a file's end
        ends a sentence. Decompressing the next block overlaps the work on this one.
        _NotPlain at the first byte the tokenizer must read."""
        from ..text.plaintext import PlainCounts

        c = self.config
        received: list[tuple[np.ndarray, np.ndarray]] = []
        counts = PlainCounts(c.lowercase, c.max_token_length, c.max_sentence_length,
                             sink=lambda ids, starts: received.append((ids, starts)))
        for number, path in enumerate(files):
            if number:
                counts.line_tokens = 0
                yield _EMPTY_TOKENS, _START_HERE, counts
            with open_binary(path) as stream, read_ahead(stream, _READ_BYTES) as blocks:
                for block in blocks:
                    if not counts.add(block, final=not block):
                        raise _NotPlain
                    for ids, starts in received:
                        yield ids, starts, counts
                    received.clear()


class PhraseSentences:
    """A corpus's sentences with phrases joined, read again at each iteration (what
    ``Phrases.sentences`` returns, for training to take like a list of token lists)."""

    def __init__(self, phrases: Phrases, corpus: Any) -> None:
        self.phrases = phrases
        self.source = phrases._source(corpus, reads=2)

    def __iter__(self) -> Iterator[list[str]]:
        return (sentence for sentence, _ in self.phrases._joined(self.source))

    def __repr__(self) -> str:
        return f"PhraseSentences({self.source.name}, {self.phrases!r})"


class _Reading:
    """The words a learning run met, numbered in the order it met them: the plain
    reader's table of the first pass, or a dict; later passes must meet no new word."""

    def __init__(self) -> None:
        self.table = None  # the plain reader's PlainCounts of the first pass
        self.index: dict[str, int] = {}
        self.names: list[str] = []

    @property
    def words(self) -> int:
        return self.table.words if self.table is not None else len(self.names)

    def word(self, number: int) -> str:
        return self.table.word(number) if self.table is not None else self.names[number]

    def plain(self, blocks: Iterator[tuple[np.ndarray, np.ndarray, Any]], fixed: bool,
              name: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The plain reader's blocks, its table kept from the first pass."""
        known = self.words
        for ids, starts, table in blocks:
            if not fixed:
                self.table = table
            elif table.words > known:
                raise EmbedError(f"{name}: changed while phrases were learnt from it (a word the first pass did "
                                 "not meet)")
            yield ids, starts


def _python_blocks(sentences: Iterable[Sequence[str]], reading: _Reading, name: str,
                   fixed: bool) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Sentences of tokens as blocks of ids (words numbered as first met, in
    ``reading``) with the positions where sentences start."""
    index, names = reading.index, reading.names
    batch: list[str] = []
    sizes: list[int] = []

    def encoded() -> tuple[np.ndarray, np.ndarray]:
        ids = np.fromiter(map(index.get, batch, itertools.repeat(-1)), dtype=np.int64, count=len(batch))
        for k in np.flatnonzero(ids < 0).tolist():  # words met for the first time: few, after the first batches
            word = batch[k]
            number = index.get(word)
            if number is None:
                if fixed:
                    raise EmbedError(f"{name}: changed while phrases were learnt from it (the word {word!r} is new)")
                if not isinstance(word, str):
                    raise EmbedError(f"a token must be a string, got {shown(word, 40)}")
                number = index[word] = len(names)
                names.append(word)
            ids[k] = number
        starts = np.zeros(len(sizes), dtype=np.int64)
        np.cumsum(sizes[:-1], out=starts[1:])
        return ids.astype(np.int32), starts

    for sentence in sentences:
        if isinstance(sentence, (str, bytes)):
            raise EmbedError(_string_sentence(sentence))
        if not len(sentence):
            continue
        batch.extend(sentence)
        sizes.append(len(sentence))
        if len(batch) >= _BATCH_TOKENS:
            yield encoded()
            batch, sizes = [], []
    if batch:
        yield encoded()


def _scores(scoring: str, count_a: np.ndarray, count_b: np.ndarray, together: np.ndarray, total: float,
            min_count: int) -> np.ndarray:
    count_a, count_b, together = (x.astype(np.float64) for x in (count_a, count_b, together))
    if scoring == "default":
        return (together - min_count) / count_a / count_b * total
    with np.errstate(divide="ignore", invalid="ignore"):
        p_ab = together / total
        score = np.log(p_ab / ((count_a / total) * (count_b / total))) / -np.log(p_ab)
    # Rounding can put a pair that always occurs together at 1 + 2e-16: threshold 1
    # must still mean no phrase at all.
    return np.clip(score, -1.0, 1.0)


def _first_capacity(max_table: int) -> int:
    """A pair table that pruning keeps small starts small (each pruning walks it all)."""
    return 1 << max(4, min(16, (2 * max_table).bit_length()))


def _joiner():
    from ..text.phrase_counts import PairJoiner  # numba loads on first use, not at import

    return PairJoiner


def _string_sentence(sentence: str | bytes) -> str:
    return (f"a sentence must be a list of tokens, got the string {sentence[:40]!r}; split each sentence into tokens, "
            "or pass a file's path")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


