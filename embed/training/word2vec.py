"""``Word2Vec``: the model users build, train, save and query.

It holds the settings, the vocabulary, the weights (``weights``), the tables the
kernels compute with (``tables``) and where training stands (``schedule``); the epochs
run on threads (``threads``) and the model file is written by ``model_file``. The
learning rate follows the words before each chunk and each chunk's random states its
number, so with one worker a run is bit-for-bit reproducible, and a run resumed from a
checkpoint ends with the vectors an uninterrupted run would have.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import inspect
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import EmbedError, check_switch, described, is_whole, shown
from ..kernels.optimizer import Optimizer
from ..memory import fix_malloc_threshold, release_compiler_pages
from ..text.chunks import ChunkCache, epoch_cache, id_chunks
from ..text import location
from ..text.corpus import COMPRESSED, ReadReport, as_sentences, ascii_compatible, combined, text_codec
from ..text.shards import Files, Segment, corpus_files, names_files, split_shards
from ..text.plaintext import VocabularyHash, count_plain, plain_id_chunks, provisional_chunks
from ..text.tokenizer import DEFAULT_PATTERN, FunctionTokenizer, Tokenizer, check_tokenizer
from ..text.vocab import TrimRule, Vocabulary, check_trim_rule, first_bad_word, kept_by_rule, not_tokens
from ..vectors.atomic import check_writable
from ..vectors.formats import check_named
from ..vectors.word_vectors import Vectors
from .config import GENSIM_ARGUMENT_HINTS, GENSIM_NAMES, Config, likely_meant, warn_of_idle_settings
from .model_file import load_model, save_model
from .schedule import Checkpoints, CheckpointWriter, EpochStats, RunState, Schedule
from .tables import expected_updates, make_plan, untrained_loss
from .threads import ready_kernels, train_epoch
from .report import RunReport
from .validation import EarlyStop, Validation, validation_for

if TYPE_CHECKING:
    from .phrases import Phrases
from .weights import Weights

# A file, a directory or glob of files, a list of paths, or sentences of tokens in memory.
Corpus = str | os.PathLike | Sequence[str | os.PathLike] | Iterable[Sequence[str]]
EpochCallback = Callable[["Word2Vec", int, float], None]
# An epoch whose loss is this many times a model's that learned nothing has diverged: a
# learning model scores below it (a tiny vocabulary, whose noise words are often the true
# context, about at it); alpha 1 with negative sampling on 3,200 words scored 1.4 and 3.2
# times it in its first two epochs, alpha 5 over 800 times.
DIVERGED = 3.0


class Word2Vec:
    """A word2vec model: configuration, vocabulary and the two weight matrices. The
    settings are a ``Config``, or its fields as keywords (as ``Phrases`` takes its own).

    >>> sentences = [["paris", "france", "rome", "italy"]] * 50
    >>> model = Word2Vec(Config(dim=8, min_count=1, workers=1, epochs=2))
    >>> model.build_vocab(sentences).train(sentences, progress=False).wv["paris"].shape
    (8,)
    >>> Word2Vec(dim=8, min_count=1).config.dim
    8
    """

    def __init__(self, config: Config | None = None, tokenizer: Callable[[str], list[str]] | None = None,
                 phrases: Phrases | str | os.PathLike | None = None, **settings: object) -> None:
        if config is not None and settings:
            _config(config)  # gensim's Word2Vec(sentences, vector_size=...): the sentences are no Config
            raise EmbedError("give Word2Vec a Config or settings, not both")
        # Keywords as gensim's Word2Vec takes them (its names are told apart: vector_size is dim).
        self.config = Config(**settings) if settings else _config(config)
        # A function from a line of text to its tokens, for text a pattern cannot split
        # (Chinese, Japanese); not saved with the model: give it again to train on.
        self.tokenize = None if tokenizer is None else check_tokenizer(tokenizer)
        # Phrases joined as the corpus is read (embed.training.phrases); not saved either.
        self.phrases: Phrases | None = None
        self.vocab: Vocabulary | None = None
        self.weights: Weights | None = None
        self.plan = None  # the kernels' embed.kernels.piece.Plan, once there is a vocabulary
        self.history: list[EpochStats] = []
        self.chunks_done = 0  # numbers each chunk's random states across train() calls
        self.epochs_done = 0
        self.run: RunState | None = None  # set while a train() call is unfinished
        self._vocab_source: str | None = None  # the corpus file the vocabulary was counted on
        self._source_words: int | None = None  # how many of its tokens the vocabulary covers
        self._vectors: Vectors | None = None  # what wv gave out, until the weights change
        self._plain_file: tuple | None = None  # (path, size, mtime) of a corpus embed.text.plaintext can read
        # The plain corpus's tokens as the vocabulary pass met them, and the table from
        # those provisional ids to the vocabulary's: every epoch's chunks without reading
        # the text again (embed.text.plaintext.provisional_chunks).
        self._counted_ids: tuple[ChunkCache, np.ndarray] | None = None
        self._watch: EarlyStop | None = None  # the validation of the train() call under way
        self.best_epoch: int | None = None  # the epoch whose weights an early stop kept
        # The last vocabulary pass's reading: tokens, cut lines, cut tokens, repaired bytes (None: not recorded).
        self._reading: dict | None = None
        if phrases is not None:
            self.use_phrases(phrases)

    @property
    def w_in(self) -> np.ndarray | None:
        """Input vectors, a row per vocabulary word: the word vectors (a view of the
        matrix the kernels train; assigning copies)."""
        return None if self.weights is None else self.weights.w_in

    @w_in.setter
    def w_in(self, values: np.ndarray) -> None:
        self._existing_weights().w_in = values
        self._vectors = None

    @property
    def w_out(self) -> np.ndarray | None:
        """Output vectors, a row per word (negative sampling, full softmax) or per inner
        node of the Huffman tree (hierarchical softmax, whose last row is unused)."""
        return None if self.weights is None else self.weights.w_out

    @w_out.setter
    def w_out(self, values: np.ndarray) -> None:
        self._existing_weights().w_out = values

    def _existing_weights(self) -> Weights:
        if self.weights is None:
            raise EmbedError("the model has no weights yet: call build_vocab() first")
        return self.weights

    # -- vocabulary -------------------------------------------------------------------
    def tokenizer(self) -> Tokenizer:
        if self.tokenize is not None:
            return FunctionTokenizer(self.tokenize, self.config.max_token_length)
        return Tokenizer(self.config.token_pattern, self.config.lowercase, self.config.max_token_length)

    def use_phrases(self, phrases: Phrases | str | os.PathLike) -> None:
        """Join ``phrases`` (an ``embed.Phrases`` or the file its ``save`` wrote) as the
        corpus is read, for the vocabulary and every epoch. They must have been learnt on
        text read as this model reads it: phrases of other tokens would never match.

        >>> model.use_phrases("wiki.phrases.json")  # doctest: +SKIP
        """
        from .phrases import READER_FIELDS, Phrases

        if not isinstance(phrases, (Phrases, str, os.PathLike)):
            raise EmbedError(f"phrases must be an embed.Phrases or the path of a file its save wrote, got "
                             f"{described(phrases)}")
        if not isinstance(phrases, Phrases):
            phrases = Phrases.load(phrases)
        for name in READER_FIELDS:
            theirs, ours = getattr(phrases.config, name), getattr(self.config, name)
            if theirs != ours:
                raise EmbedError(f"the phrases were learnt with {name}={theirs!r} and training reads with {ours!r}: "
                                 f"give both the same {name}")
        self.phrases = phrases
        self._drop_counted_ids()
        self._plain_file = None

    def _sentences(self, corpus: Corpus) -> Iterable[Sequence[str]]:
        if self.phrases is not None:
            return self.phrases.sentences(corpus)
        config = self.config
        if names_files(corpus):
            return Files(corpus_files(corpus), self.tokenizer(), config.max_sentence_length, config.encoding_errors,
                         config.encoding)
        return as_sentences(corpus, self.tokenizer(), config.max_sentence_length, config.encoding_errors,
                            config.encoding)

    def _shards(self, corpus: Corpus) -> list:
        """``config.shards`` shards of the corpus: byte ranges of its files, or runs of
        its sentences when they are in memory."""
        count = self.config.shards
        if self.phrases is not None:
            raise EmbedError("training in rounds reads the files on its shards; phrases are joined on one machine: "
                             "write the joined corpus with embed phrases and train on that")
        if names_files(corpus) or isinstance(corpus, (str, os.PathLike)):
            if self.tokenize is not None:
                raise EmbedError("training in rounds reads files with a token pattern; a tokenizer function "
                                 "cannot be sent to the shards: pass the sentences tokenised instead")
            if not ascii_compatible(text_codec(self.config.encoding)):
                raise EmbedError(f"training in rounds cuts files at blanks, which {self.config.encoding} text does "
                                 "not have as single bytes: convert the corpus to UTF-8")
            return split_shards(corpus_files(corpus), count)
        sentences = list(self._sentences(corpus))
        sizes = np.cumsum([len(sentence) for sentence in sentences])
        total = int(sizes[-1]) if len(sizes) else 0
        cuts = [0] + [int(np.searchsorted(sizes, total * i // count, side="right")) for i in range(1, count)] + [
            len(sentences)]
        return [sentences[a:b] for a, b in zip(cuts, cuts[1:])]

    def build_vocab(self, corpus: Corpus | None = None, cluster: object = None, update: bool = False,
                    trim_rule: TrimRule | None = None, **others: object) -> Word2Vec:
        """Count words, keep those seen ``min_count`` times, and initialise the weights.
        With ``cluster`` (a ``distributed.Client``, "local:N" or a scheduler's address)
        the shards are counted on its workers and merged: the same vocabulary.

        With ``update=True`` a trained (or loaded) model takes in new text: the words
        that occur ``min_count`` times in it join the vocabulary after the words it has,
        whose ids and vectors stay; every count grows by the new text's; the noise
        table and Huffman tree are made again from the merged counts; new input rows
        start as word2vec starts them and new output rows at zero. ``train(corpus)``
        then runs a new learning-rate schedule (see its ``start_alpha``). With
        hierarchical softmax the output rows stay by index while the tree is rebuilt,
        as gensim keeps them: a node's row may then serve another node until trained.

        ``trim_rule(word, count, min_count)``, gensim's, decides instead of ``min_count``:
        it returns ``RULE_KEEP``, ``RULE_DISCARD`` or ``RULE_DEFAULT`` (``min_count``
        decides), from ``embed`` or ``gensim.utils``. A model file does not keep it: an
        update with new text takes it again. Counting under ``max_table`` asks it too,
        as gensim's does, whenever the counts outgrow the table (its ``min_count`` then
        the count a word needs to be kept: ``embed.text.vocab.Pruning``), so that a word
        it keeps is never forgotten on the way.

        >>> Word2Vec(Config(min_count=1)).build_vocab([["a", "b", "a"]]).vocab.words
        ['a', 'b']
        >>> from embed import RULE_DEFAULT, RULE_KEEP
        >>> keep_b = lambda word, count, min_count: RULE_KEEP if word == "b" else RULE_DEFAULT
        >>> Word2Vec(Config(min_count=2)).build_vocab([["a", "b", "a"]], trim_rule=keep_b).vocab.words
        ['a', 'b']
        >>> model = Word2Vec(Config(min_count=1)).build_vocab([["a", "b", "a"]])
        >>> model.build_vocab([["c", "a"]], update=True).vocab.words, model.vocab.counts.tolist()
        (['a', 'b', 'c'], [3, 1, 1])
        """
        _refuse_keywords("build_vocab", others, self.build_vocab)
        fix_malloc_threshold()
        check_switch(update, "update")  # "no" was true: the vocabulary grew where it was to be made anew
        check_trim_rule(trim_rule)
        if update:
            return self._add_words(corpus, cluster, trim_rule)
        vocab = self._count(corpus, cluster, self.config, trim_rule)
        _check_not_single(vocab, _name(corpus))
        self.vocab = vocab
        return self._vocabulary_ready(corpus)

    def _add_words(self, corpus: Corpus, cluster: object, trim_rule: TrimRule | None) -> Word2Vec:
        self._check_growable("build_vocab")
        config = self.config.replace(min_count=1, max_vocab=None, max_final_vocab=None)
        return self._grown(self._count(corpus, cluster, config, trim_rule), trim_rule, _source(corpus))

    def _check_growable(self, method: str) -> None:
        if self.vocab is None:
            raise EmbedError(f"{method}(update=True) adds words to a model's vocabulary: build one first, or load a "
                             "model with Word2Vec.load")
        if self.run is not None:
            raise EmbedError("the model's last train() call did not finish: resume() it before adding words")

    def _grown(self, fresh: Vocabulary, trim_rule: TrimRule | None, source: str | None) -> Word2Vec:
        """The model with the words of ``fresh`` (every word counted in new text) that
        ``min_count`` or ``trim_rule`` keeps added, and every count grown by the new text's."""
        config, old = self.config, self.vocab
        ids = np.fromiter((fresh.index.get(word, -1) for word in old.words), np.int64, len(old))
        counts = old.counts + np.where(ids >= 0, fresh.counts[np.maximum(ids, 0)], 0)
        added = np.array([i for i, word in enumerate(fresh.words) if word not in old and (
            fresh.counts[i] >= config.min_count if trim_rule is None
            else kept_by_rule(trim_rule, word, int(fresh.counts[i]), config.min_count))], np.int64)
        self.vocab = Vocabulary(old.words + [fresh.words[i] for i in added],
                                np.concatenate([counts, fresh.counts[added]]).astype(np.int64))
        merged = np.full(len(fresh), -1, np.int32)  # each freshly counted word's id in the merged vocabulary
        merged[ids[ids >= 0]] = np.flatnonzero(ids >= 0)
        merged[added] = np.arange(len(old), len(self.vocab))
        if self._counted_ids is not None:  # the ids met while counting, renumbered: the first epoch reads no text
            cache, provisional = self._counted_ids
            self._counted_ids = (cache, np.where(provisional >= 0, merged[np.maximum(provisional, 0)], -1))
        self._vocab_source = source
        self._source_words = int(fresh.counts[merged >= 0].sum())
        # Seeded by the size it grows from, so that one update on one model always adds the same rows.
        self.weights = self.weights.grown(len(self.vocab), seed=hash((config.seed, len(old))) & 0x7FFFFFFF)
        self.plan = make_plan(config, self.vocab)
        self._vectors = None
        return self

    def _count(self, corpus: Corpus, cluster: object, config: Config, trim_rule: TrimRule | None = None) -> Vocabulary:
        """The vocabulary ``config`` keeps of ``corpus``, counted on ``cluster`` or here;
        a warning says so where max_table pruned the counting."""
        vocab = self._count_words(corpus, cluster, config, trim_rule)
        # A number or None would train, and no query could name it, nor a file hold it; nor
        # would one hold an empty token or one with a newline (refused only at the save).
        at = first_bad_word(vocab.words, "\n")
        if at >= 0 and not isinstance(vocab.words[at], str):
            raise EmbedError(f"{_name(corpus)}: {not_tokens(vocab.words)}")
        if at >= 0:
            odd = vocab.words[at]
            raise EmbedError(f"{_name(corpus)}: a token {'is empty' if not odd else 'holds a newline'} ({odd!r}): "
                             "no vectors file can hold it as a word; drop it from the sentences")
        if vocab.pruned_at:
            warnings.warn(f"{_name(corpus)}: counting outgrew max_table={config.max_table:,} distinct words, so words "
                          f"seen at most {vocab.pruned_at} times so far were forgotten as it went (word2vec's "
                          "pruning): rare words' counts are lower bounds", PruningWarning, stacklevel=3)
        return vocab

    def _count_words(self, corpus: Corpus, cluster: object, config: Config, trim_rule: TrimRule | None) -> Vocabulary:
        if cluster is not None:
            from .cluster import DaskTransport, connected
            from .rounds import merged_vocabulary

            shards = self._shards(corpus)
            self._drop_counted_ids()
            with connected(cluster) as client:
                counted = DaskTransport(client).count(shards, config, trim_rule)
            vocab = merged_vocabulary(counted, config, _name(corpus), trim_rule)
            self._reading = _tokens_read(vocab)
            if names_files(corpus) or isinstance(corpus, (str, os.PathLike)):  # not sentences given in memory
                reports = combined(report for shard in counted for report in shard.reports)
                self._reading.update(_repairs(reports))
                for report in reports:
                    report.warn()  # the workers' repairs, said here once a file
            return vocab
        sentences = self._sentences(corpus)  # a missing file or a pipe is refused here
        self._plain_file = None
        default_tokens = config.token_pattern == DEFAULT_PATTERN and self.tokenize is None and self.phrases is None
        counted = ids = None
        self._drop_counted_ids()
        one_file = isinstance(corpus, (str, os.PathLike)) and not names_files(corpus)
        if default_tokens and one_file and ascii_compatible(text_codec(config.encoding)):
            # The plain-text pass counts in jitted code; it gives up at the first byte that
            # needs the tokenizer (Python), and the pass is then made there. It keeps the
            # tokens' ids as it goes, so that the first epoch too reads no text.
            ids = epoch_cache(config.cache_dir, _estimated_tokens(corpus))
            counted = count_plain(corpus, config.lowercase, config.max_token_length,
                                  max_sentence_length=config.max_sentence_length,
                                  sink=ids.append if ids is not None else None, max_table=config.max_table,
                                  trim_rule=trim_rule)
        vocab = None
        try:
            if counted is not None:
                vocab, final_ids = Vocabulary.from_counts(counted.word_counts(), counted.word, config.min_count,
                                                          config.max_vocab, _name(corpus), config.max_final_vocab,
                                                          counted.pruning, trim_rule)
                self._plain_file = _file_identity(corpus)
                # Plain text has no byte to repair, and a token over the cap makes a file not plain.
                self._reading = {"tokens": vocab.corpus_tokens, "cut_sentences": int(counted.cuts[0]),
                                 "cut_tokens": 0, "repaired_bytes": 0}
                if ids is not None and not ids.failed and not counted.pruned:
                    ids.complete = True
                    self._counted_ids = (ids, final_ids)
        finally:
            if ids is not None and self._counted_ids is None:
                ids.close()
        if counted is None:
            vocab = Vocabulary.build(sentences, config.min_count, config.max_vocab, _name(corpus),
                                     config.max_final_vocab, config.max_table, trim_rule)
            report = getattr(sentences, "report", None)
            if report is not None and report.plain and not report.truncated_tokens and default_tokens:
                self._plain_file = _file_identity(corpus)
            self._reading = _tokens_read(vocab)
            # One file's report, or several files' (one a file).
            reports = [report] if report is not None else getattr(sentences, "reports", None)
            if reports is not None:
                self._reading.update(_repairs(reports))
        return vocab

    def build_vocab_from_freq(self, word_freq: Mapping[str, int], update: bool = False,
                              trim_rule: TrimRule | None = None) -> Word2Vec:
        """The vocabulary from words counted elsewhere (gensim's name): ``word_freq``
        maps each word to its count (a dict, a ``Counter``). ``min_count``,
        ``max_vocab``, ``max_final_vocab`` and ``trim_rule`` keep words as
        ``build_vocab`` keeps them, ties in the mapping's order; ``update=True`` adds to
        a model's vocabulary as ``build_vocab`` does. No corpus is read: ``train`` reads
        one, and counts its words as it goes.

        >>> Word2Vec(Config(min_count=2)).build_vocab_from_freq({"paris": 5, "rome": 3, "oslo": 1}).vocab.words
        ['paris', 'rome']
        """
        check_switch(update, "update")
        check_trim_rule(trim_rule)
        if not isinstance(word_freq, Mapping):
            raise EmbedError("build_vocab_from_freq takes a mapping of words to their counts (a dict, a Counter), "
                             f"got {described(word_freq)}")
        words, counts = list(word_freq), list(word_freq.values())
        if not words:
            raise EmbedError("build_vocab_from_freq: word_freq holds no word")
        at = first_bad_word(words, "\n")
        if at >= 0:
            raise EmbedError(f"build_vocab_from_freq: words are strings, neither empty nor holding a newline, got "
                             f"{described(words[at])}")
        bad = next((i for i, count in enumerate(counts) if not is_whole(count, 0)), None)
        if bad is not None:
            raise EmbedError(f"build_vocab_from_freq: the count of {words[bad]!r} must be a whole number >= 0, got "
                             f"{described(counts[bad])}")
        counts = np.array(counts, np.int64)
        if update:
            self._check_growable("build_vocab_from_freq")
            self._drop_counted_ids()  # ids met counting another text: this update read none
            fresh, _ = Vocabulary.from_counts(counts, words.__getitem__, 0, source="word_freq")
            return self._grown(fresh, trim_rule, None)
        vocab, _ = Vocabulary.from_counts(counts, words.__getitem__, self.config.min_count, self.config.max_vocab,
                                          "word_freq", self.config.max_final_vocab, trim_rule=trim_rule)
        _check_not_single(vocab, "word_freq")
        self._drop_counted_ids()
        self.vocab = vocab
        self._reading = _tokens_read(vocab)
        return self._vocabulary_ready(None)

    def _vocabulary_ready(self, corpus: Corpus) -> Word2Vec:
        # Before the weights: count_plain released LLVM's pages after its first block, but a
        # file it gave up on within that block, and the other counters, leave them mapped.
        release_compiler_pages()
        self._vocab_source = _source(corpus)
        self._source_words = self.vocab.total
        self.weights = Weights.initial(len(self.vocab), self.config.dim, self.config.seed)
        self.plan = make_plan(self.config, self.vocab)
        self._vectors = None
        return self

    def intersect_vectors(self, vectors: Vectors | str | os.PathLike) -> int:
        """Set the input vector of every vocabulary word that ``vectors`` (or the vectors
        file at that path, as ``load_vectors`` reads it) has to its vector there
        (gensim's ``intersect_word2vec_format``); returns how many. The other rows keep
        their start, and ``train`` trains them all.

        >>> model = Word2Vec(Config(min_count=1, dim=2)).build_vocab([["a", "b"]])
        >>> model.intersect_vectors(Vectors(["b", "z"], np.ones((2, 2), np.float32))), model.w_in[1].tolist()
        (1, [1.0, 1.0])
        """
        if self.vocab is None:
            raise EmbedError("intersect_vectors needs a vocabulary: call build_vocab() first")
        if isinstance(vectors, (str, os.PathLike)):
            vectors = Vectors.load(vectors)
        if not isinstance(vectors, Vectors):
            raise EmbedError(f"intersect_vectors takes an embed.Vectors or a vectors file's path, got "
                             f"{described(vectors)}")
        if vectors.dim != self.config.dim:
            raise EmbedError(f"vectors of dimension {vectors.dim} cannot start a model of dim {self.config.dim}")
        rows = [(i, vectors.index[word]) for i, word in enumerate(self.vocab.words) if word in vectors.index]
        if rows:
            ours, theirs = (np.array(side, np.int64) for side in zip(*rows))
            self.weights.input[ours, : self.config.dim] = vectors.vectors[theirs]
        self._vectors = None
        return len(rows)

    # -- training ---------------------------------------------------------------------
    def train(
        self,
        corpus: Corpus | None = None,
        epochs: int | None = None,
        progress: bool = True,
        on_epoch_end: EpochCallback | None = None,
        checkpoints: Checkpoints | None = None,
        cluster: object = None,
        start_alpha: float | None = None,
        end_alpha: float | None = None,
        validate: str | os.PathLike | Iterable[Sequence[str]] | Validation | None = None,
        early_stop: int | None = None,
        **others: object,
    ) -> Word2Vec:
        """Train for ``epochs`` (default: the config's) passes over ``corpus``.

        With ``config.deterministic``, or on a ``cluster`` (a ``distributed.Client``,
        "local:N" or a scheduler's address), training runs in rounds over
        ``config.shards`` shards (``embed.training.rounds``): the same vectors whatever
        the threads or machines.

        The learning rate falls linearly from alpha to min_alpha over all the words of
        this call (from ``start_alpha`` to ``end_alpha`` where given, gensim's names:
        a call that goes on with new text may start lower).

        ``validate`` scores the model at every epoch's end, kept in ``history`` and
        printed beside the loss: an analogies file (accuracy), a word-pairs file
        (Spearman) or held-out text (its loss, the training loss with nothing updated;
        see ``embed.training.validation``). ``early_stop=N`` ends the call after N epochs
        without improvement and puts back the best epoch's weights (``best_epoch``). ``on_epoch_end(model, epoch, loss)`` runs after every epoch. On Ctrl-C
        each worker finishes the sentence it is in (in rounds: the round in flight ends, or
        with ``full_merge_every`` the rounds to the next full merge, and a second Ctrl-C
        drops them) and KeyboardInterrupt is raised; the model is then
        consistent, can be saved, and ``resume(corpus)`` continues the call as if it had
        not stopped.

        >>> model = Word2Vec(Config(dim=8, min_count=1, workers=1, sample=0)).build_vocab([["a", "b"]] * 9)
        >>> len(model.train([["a", "b"]] * 9, epochs=2, progress=False).history)
        2
        """
        _refuse_keywords("train", others, self.train)
        if self.vocab is None:
            raise EmbedError("build_vocab(corpus) must come before train(corpus)")
        _check_callbacks(on_epoch_end, checkpoints, progress)
        epochs = self.config.epochs if epochs is None else epochs
        if not is_whole(epochs):
            raise EmbedError(f"epochs must be an integer >= 1, got {epochs!r}")
        epochs = int(epochs)  # kept in the run's state, which a model file holds as JSON
        steps = self.config.lr_step_epochs
        if self.config.lr_schedule == "step" and steps and max(steps) > epochs:
            # The rate never changed, without a word. (Against the call's epochs, which
            # train(epochs=) may set: a config is not wrong for a run it is not given to.)
            raise EmbedError(f"lr_step_epochs {steps} go beyond this run's {epochs} epochs: a step at epoch {max(steps)} "
                             "would never come")
        rates = {name: value for name, value in (("alpha", start_alpha), ("min_alpha", end_alpha)) if value is not None}
        rates = {name: getattr(self.config.replace(**rates), name) for name in rates}  # checked as the settings are
        if early_stop is not None and validate is None:
            raise EmbedError("early_stop needs validate: a score to stop on")
        self._watch = EarlyStop(validation_for(validate), early_stop) if validate is not None else None
        if self._watch is not None:
            self._watch.validation.prepare(self)
        self.best_epoch = None
        rounds = cluster is not None or self.config.deterministic
        if not self.history:  # a model's first run: a loop of one-epoch calls hears it once
            warn_of_idle_settings(self.config, tokenizer=self.tokenize is not None, rounds=rounds)
        if rounds:
            self.config.replace(deterministic=True)  # refuses what rounds cannot do
            self.run = RunState(epochs, 0, first_chunk=self.chunks_done, rounds=True, **rates)
            try:
                return self._train_rounds(corpus, progress, on_epoch_end, checkpoints, cluster, check_corpus=False)
            except BaseException:
                if self.run is not None and self.run.corpus is None:  # failed before its first round
                    self.run = None
                raise
        source = _source(corpus)
        words_per_epoch = self._source_words if source is not None and source == self._vocab_source else None
        identity = self._corpus_identity(corpus, words_per_epoch)
        if identity["words"] == 0:
            raise EmbedError(f"{_name(corpus)}: has no word of the vocabulary to train on")
        self.run = RunState(epochs, identity["words"], first_chunk=self.chunks_done, corpus=identity, **rates)
        return self._continue(corpus, progress, on_epoch_end, checkpoints)

    def _corpus_identity(self, corpus: Corpus, words: int | None = None) -> dict:
        """What a run trains on, to recognise it at a resume: a file's size and a hash of
        its first megabyte (a moved file is the same corpus, an edited one is not), and
        the count of its vocabulary words (counted here unless given)."""
        sentences = self._sentences(corpus)  # a missing file or a pipe is refused here
        if words is None:
            words = self.vocab.known_tokens(sentences)
        if not isinstance(corpus, (str, os.PathLike)) or names_files(corpus):
            return {"path": None, "words": words}
        path = os.fspath(corpus)
        with location.open_url(path) if location.is_url(path) else open(path, "rb") as stream:
            head = hashlib.sha256(stream.read(1 << 20)).hexdigest()[:32]
        return {"path": path if location.is_url(path) else os.path.abspath(path), "bytes": location.getsize(path),
                "head": head, "words": words}

    def resume(
        self,
        corpus: Corpus,
        progress: bool = True,
        on_epoch_end: EpochCallback | None = None,
        checkpoints: Checkpoints | None = None,
        check_corpus: bool = True,
        cluster: object = None,
    ) -> Word2Vec:
        """Finish an interrupted ``train`` call (after Ctrl-C, or from a checkpoint file)
        on the same corpus; ``check_corpus=False`` goes on with another. A call that
        trained in rounds goes on in rounds, on ``cluster`` or on this machine's threads:
        the vectors are the same either way.

        >>> model = Word2Vec.load("model.embed.partial")  # doctest: +SKIP
        >>> model.resume("corpus.txt")                     # doctest: +SKIP
        """
        _check_callbacks(on_epoch_end, checkpoints, progress)
        check_switch(check_corpus, "check_corpus")
        if self.run is None:
            raise EmbedError("nothing to resume: the model's last train() call finished")
        if self.run.rounds:
            return self._train_rounds(corpus, progress, on_epoch_end, checkpoints, cluster, check_corpus)
        if cluster is not None:
            raise EmbedError("this run trained on threads (Hogwild), not in rounds: resume it without a cluster")
        if check_corpus and self.run.corpus is not None:
            self._check_same_corpus(corpus, self.run.corpus)
        return self._continue(corpus, progress, on_epoch_end, checkpoints)

    def _check_same_corpus(self, corpus: Corpus, trained: dict) -> None:
        if trained["path"] is None:  # sentences in memory: known by their word count
            now = self._corpus_identity(corpus)
            same = now["words"] == trained["words"]
            was = f"sentences of {trained['words']:,} vocabulary words; these have {now['words']:,}"
        elif not isinstance(corpus, (str, os.PathLike)):
            same, was = False, f"the file {trained['path']}"
        else:
            now = self._corpus_identity(corpus, trained["words"])
            same = now["bytes"] == trained["bytes"] and now["head"] == trained["head"]
            was = f"{trained['path']} of {trained['bytes']:,} bytes; this file has {now['bytes']:,} bytes"
            was += ", and other text at its start" if now["bytes"] == trained["bytes"] else ""
        if not same:
            raise EmbedError(
                f"{_name(corpus)}: not the corpus this run was trained on ({was}); resume on that corpus, "
                "or go on with this one on purpose: --resume-other-corpus (Python: check_corpus=False)"
            )

    def _first_pass_chunks(self, corpus: Corpus) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Chunks of ids read from the corpus; straight from the bytes when the
        vocabulary pass found the file to be plain letters and blanks and it has not
        changed since."""
        config = self.config
        if self._plain_file is not None and _file_identity(corpus) == self._plain_file:
            table = VocabularyHash(self.vocab, config.lowercase, config.max_token_length)
            return plain_id_chunks(corpus, table, config.max_sentence_length, config.chunk_words)
        return id_chunks(self._sentences(corpus), self.vocab, config.chunk_words)

    def _continue(self, corpus, progress, on_epoch_end, checkpoints) -> Word2Vec:
        config, run = self.config, self.run
        fix_malloc_threshold()
        if config.momentum or config.l2:
            velocity_in, velocity_out = self.weights.velocities()
            self.plan = self.plan._replace(optimizer=Optimizer(config.momentum, config.l2, velocity_in, velocity_out))
        per_epoch = run.words_per_epoch
        schedule = Schedule.for_run(config, run.epochs, per_epoch, run.alpha, run.min_alpha)
        ready_kernels(self.weights, self.plan, (lambda line: print(line, file=sys.stderr, flush=True)) if progress
                      else None)
        bar = _progress_bar(progress, run.epochs * per_epoch, run.epoch * per_epoch + run.words)
        counted = self._counted_ids if _file_identity(corpus) == self._plain_file else None
        if counted is None:
            self._drop_counted_ids()  # another corpus: the ids counted are of no further use
        cache = epoch_cache(config.cache_dir, per_epoch) if run.epochs - run.epoch > 1 and counted is None else None
        writer = CheckpointWriter(checkpoints, self.save)
        try:
            while run.epoch < run.epochs:
                schedule.done = run.epoch * per_epoch
                if counted is not None:
                    chunks = provisional_chunks(counted[0], counted[1], config.chunk_words)
                elif cache is not None and cache.complete:
                    chunks = iter(cache)
                else:
                    chunks = self._first_pass_chunks(corpus)
                    if cache is not None:
                        chunks = cache.recording(chunks)
                label = f"epoch {run.epoch + 1}/{run.epochs}"

                def advance(words: int, alpha: float, label: str = label) -> None:
                    bar.set_postfix_str(f"{label} alpha {alpha:.5f}", refresh=False)
                    bar.update(words)

                chunks_read = train_epoch(self.weights, self.plan, config.loss, config.workers, chunks, run, schedule,
                                          advance, writer)
                self._vectors = None  # an on_epoch_end callback may have taken wv
                stats = run.epoch_done(self.epochs_done + 1)
                self.chunks_done = run.first_chunk + chunks_read
                run.first_chunk = self.chunks_done
                self.history.append(stats)
                self.epochs_done += 1
                if stats.words == 0:
                    raise EmbedError(f"{_name(corpus)}: epoch {self.epochs_done} read no word of the vocabulary "
                                     "(was the corpus emptied or changed since build_vocab?)")
                if run.epoch == run.epochs and not any(h.examples for h in self.history[-run.epochs:]):
                    raise _no_example(corpus, config)
                self._check_epoch(stats, corpus)
                stats = self._score_epoch()
                if progress:
                    bar.write(_epoch_line(stats, self._watch))
                stop = self._watch is not None and self._watch.after_epoch(self, self.epochs_done, stats.validation)
                if run.epoch == run.epochs or stop:
                    self.run = None
                if writer.due_after_epoch(run.epoch):
                    writer.write()
                if on_epoch_end is not None:
                    on_epoch_end(self, self.epochs_done, stats.loss)
                if stop:
                    self._stop_early(bar if progress else None)
                    break
            else:
                self._keep_best()
        finally:
            self._vectors = None  # the weights changed, also where an epoch was cut short
            bar.close()
            if cache is not None:
                cache.close()
        return self

    def _train_rounds(self, corpus: Corpus, progress: bool, on_epoch_end: EpochCallback | None,
                      checkpoints: Checkpoints | None, cluster: object, check_corpus: bool) -> Word2Vec:
        from .rounds import LocalTransport, train_rounds, warn_of_unbalanced_shards, warn_of_overshoot

        config, run = self.config, self.run
        fix_malloc_threshold()
        self._drop_counted_ids()
        shards = self._shards(corpus)
        with contextlib.ExitStack() as stack:
            if cluster is None:
                transport = LocalTransport(config.workers)
            else:
                from .cluster import DaskTransport, connected

                transport = DaskTransport(stack.enter_context(connected(cluster)))
            stack.callback(transport.close)
            bounds, reports = transport.encode(shards, self.vocab.words, config)
            for report in combined(reports):
                report.warn()  # once a file, as the count said them (a corpus other than the one counted has its own)
            per_epoch = sum(int(words.sum()) for _, words in bounds)
            if per_epoch == 0:
                raise EmbedError(f"{_name(corpus)}: has no word of the vocabulary to train on")
            identity = _shards_identity(shards, per_epoch)
            if run.corpus is None:
                run.words_per_epoch, run.corpus = per_epoch, identity
            elif check_corpus and identity != run.corpus:
                raise EmbedError(f"{_name(corpus)}: not the corpus this run was trained on ({_shards_text(run.corpus)};"
                                 f" this is {_shards_text(identity)}); resume on that corpus, or go on with this one "
                                 "on purpose: --resume-other-corpus (Python: check_corpus=False)")
            elif per_epoch != run.words_per_epoch:
                raise EmbedError(f"{_name(corpus)}: has {per_epoch:,} vocabulary words where the run had "
                                 f"{run.words_per_epoch:,}: rounds cannot go on over other text")
            warn_of_overshoot(len(bounds), config.merge)
            warn_of_unbalanced_shards(shards, bounds)
            bar = stack.enter_context(contextlib.closing(
                _progress_bar(progress, run.epochs * per_epoch, run.epoch * per_epoch + run.words)))
            first = self.epochs_done - run.epoch  # the epochs the model had when this call started
            label = [f"epoch {run.epoch + 1}/{run.epochs}"]

            def advance(words: int, alpha: float) -> None:
                bar.set_postfix_str(f"{label[0]} alpha {alpha:.5f}", refresh=False)
                bar.update(words)

            def epoch_done(stats: EpochStats) -> None:
                self._vectors = None
                self.history.append(stats)
                self.epochs_done += 1
                self._check_epoch(stats, corpus)
                stats = self._score_epoch()
                if progress:
                    bar.write(_epoch_line(stats, self._watch))
                label[0] = f"epoch {run.epoch + 1}/{run.epochs}"
                stop = self._watch is not None and self._watch.after_epoch(self, self.epochs_done, stats.validation)
                if run.epoch == run.epochs or stop:
                    self.run = None
                if on_epoch_end is not None:
                    on_epoch_end(self, self.epochs_done, stats.loss)
                if stop:
                    raise _StopEarly

            try:
                updates = (expected_updates(config, self.vocab, self.plan, self.weights.rows)
                           if config.merge == "frequency" else None)
                # The user's callback may read and change the weights, the validation reads them.
                train_rounds(self.weights, self.plan, config, bounds, transport, run, first, advance, epoch_done,
                             CheckpointWriter(checkpoints, self.save), updates,
                             epoch_end_reads=on_epoch_end is not None or self._watch is not None,
                             epoch_end_changes=on_epoch_end is not None)
                self._keep_best()
            except _StopEarly:
                self._stop_early(bar if progress else None)
            finally:
                self._vectors = None
                if self.epochs_done > first + run.epoch:
                    # A stop whose copy of the weights failed put ``run`` back to the last copy,
                    # which may be an epoch's end or more before the epochs recorded here: the
                    # weights hold those epochs no more than the run does.
                    del self.history[first + run.epoch:]
                    self.epochs_done = first + run.epoch
        if not any(h.examples for h in self.history[first:]):
            raise _no_example(corpus, config)
        return self

    def _score_epoch(self) -> EpochStats:
        """The last epoch's statistics, with the validation score of the weights as the
        epoch left them once the checks found them sound (a diverged epoch is not scored)."""
        if self._watch is not None:
            self._vectors = None
            score = float(self._watch.validation.score(self))
            self.history[-1] = dataclasses.replace(self.history[-1], validation=score)
        return self.history[-1]

    def _stop_early(self, bar) -> None:
        watch = self._watch
        watch.restore(self)
        self.best_epoch = watch.best_epoch
        if bar is not None:
            epochs = "1 epoch" if watch.patience == 1 else f"{watch.patience} epochs"
            bar.write(f"stopped early: {watch.validation.name} did not improve for {epochs}; "
                      f"the weights of epoch {watch.best_epoch} ({watch.best:.4f}) are kept")

    def _keep_best(self) -> None:
        if self._watch is not None:
            self.best_epoch = self._watch.best_epoch

    def _check_epoch(self, stats: EpochStats, corpus: Corpus) -> None:
        if (stats.examples and not math.isfinite(stats.loss)) or not np.isfinite(self.w_in).all():
            raise EmbedError(f"training diverged in epoch {self.epochs_done} (loss {stats.loss}); "
                             f"try a lower alpha than {self.config.alpha}")
        if stats.examples and stats.loss > DIVERGED * (untrained := untrained_loss(self.config, self.vocab, self.plan)):
            # The saturation bound keeps the weights finite while the loss grows: alpha 1 with
            # negative sampling on 2 MB of wiki scored 483 in its first epoch, where a model
            # that learned nothing scores 4.16; its neighbours were noise.
            raise EmbedError(f"training diverged in epoch {self.epochs_done} (loss {stats.loss:.4g}, where a model "
                             f"that learned nothing scores {untrained:.4g}); try a lower alpha than "
                             f"{self.config.alpha}")

    def _drop_counted_ids(self) -> None:
        if self._counted_ids is not None:
            self._counted_ids[0].close()
            self._counted_ids = None

    # -- files ------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the whole model (vectors, output weights, vocabulary, config, training
        state) to one file, atomically.

        >>> model.save("factbook.embed")                # doctest: +SKIP
        >>> Word2Vec.load("factbook.embed").train(...)   # doctest: +SKIP
        """
        if self.vocab is None:
            raise EmbedError("nothing to save: the model has no vocabulary yet")
        state = {
            "epochs_done": self.epochs_done,
            "chunks_done": self.chunks_done,
            "history": [dataclasses.asdict(s) for s in self.history],
            "run": dataclasses.asdict(self.run) if self.run is not None else None,
            "vocab_source": self._vocab_source,
            "source_words": self._source_words,
            "reading": self._reading,
        }
        velocity = self.weights.velocity
        if velocity is not None:
            velocity = tuple(v[: self.weights.rows, : self.weights.dim] for v in velocity)
        save_model(path, self.config, self.vocab, self.w_in, self.w_out, state, velocity)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Word2Vec:
        """Read a model written by ``save``; it can be queried and trained further.

        >>> model = Word2Vec.load("factbook.embed")     # doctest: +SKIP
        """
        config, vocab, w_in, w_out, state, velocity = load_model(path)
        model = cls(config)
        model.vocab, model.weights = vocab, Weights(w_in, w_out)
        model.weights.set_velocities(velocity)
        try:  # a file whose state lost a part was a KeyError
            model.epochs_done = state["epochs_done"]
            model.chunks_done = state["chunks_done"]
            model.history = [EpochStats(**{**s, "tenths": tuple(s.get("tenths", ()))}) for s in state["history"]]
            model.run = RunState(**state["run"]) if state["run"] else None
        except (KeyError, TypeError, AttributeError) as error:
            raise EmbedError(f"{os.fspath(path)}: damaged model file (its training state: {error!r})") from None
        model._vocab_source = state.get("vocab_source")
        model._source_words = state.get("source_words", vocab.total)
        model._reading = state.get("reading")
        model.plan = make_plan(config, vocab)
        return model

    # -- results ----------------------------------------------------------------------
    @property
    def wv(self) -> Vectors:
        """The trained input vectors as a query object: a copy, made once until the
        weights change (training on does not change a ``wv`` already taken)."""
        if self.vocab is None:
            raise EmbedError("the model has no vocabulary yet: call build_vocab() and train()")
        if self._vectors is None:
            self._vectors = Vectors(self.vocab.words, self.w_in.copy(), self.vocab.counts)
        return self._vectors

    @property
    def report(self) -> RunReport | None:
        """What the run did to the text: tokens read and dropped by min_count, long lines
        and tokens cut, bytes repaired, words subsampled, and how much of the validation
        set is out of the vocabulary (``embed train`` prints it at the end).

        >>> print(embed.train(bundled("factbook.txt.xz")).report)   # doctest: +SKIP
        """
        if self.vocab is None or self._reading is None:
            return None
        keep = self.plan.keep_prob[: len(self.vocab)].astype(np.float64)
        source_counts = self.vocab.counts  # merged counts after an update: the share is the same estimate
        share = float((source_counts * (1 - keep)).sum() / max(1, source_counts.sum()))
        source_words = self._source_words if self._source_words is not None else self.vocab.total
        oov = ()
        if self._watch is not None:
            found = self._watch.validation.oov_share(self)
            oov = () if found is None else ((self._watch.validation.describe(), found),)
        reading = self._reading
        return RunReport(tokens_read=reading["tokens"], vocabulary_tokens=source_words,
                         vocabulary_words=len(self.vocab), min_count=self.config.min_count,
                         cut_sentences=reading["cut_sentences"], cut_tokens=reading["cut_tokens"],
                         repaired_bytes=reading["repaired_bytes"], subsampled=share * source_words,
                         epochs=self.history[-1].epoch if self.history else 0, validation_oov=oov,
                         max_sentence_length=self.config.max_sentence_length,
                         max_token_length=self.config.max_token_length)

    @property
    def loss_history(self) -> list[float]:
        return [stats.loss for stats in self.history]

    def score(self, sentences: Iterable[Sequence[str]], total_sentences: int | None = None,
              **others: object) -> np.ndarray:
        """Each sentence's log probability by the model's output layer (gensim's name;
        hierarchical softmax or the full softmax; see ``embed.training.score``): one float
        a sentence, at most ``total_sentences`` of them where given.

        >>> model.score([["paris", "is", "the", "capital", "of", "france"]])   # doctest: +SKIP
        """
        _refuse_keywords("score", others, self.score)
        from .score import score_sentences

        return score_sentences(self, sentences, total_sentences)

    def predict_output_word(self, context_words_list: Sequence[str], topn: int = 10) -> list[tuple[str, float]]:
        """The ``topn`` most probable centre words given the context words, by the model's
        output layer (gensim's name; see ``embed.training.predict``).

        >>> model.predict_output_word(["capital", "of", "france"], topn=3)   # doctest: +SKIP
        """
        from .predict import predict_output_word

        return predict_output_word(self, context_words_list, topn)

    def __getattr__(self, name: str):
        # Only for names the model lacks. gensim's Word2Vec keeps its settings and counts as
        # attributes, and code ported from it (model.train(corpus, total_examples=
        # model.corpus_count, epochs=model.epochs)) met a bare AttributeError.
        hint = _GENSIM_ATTRIBUTES.get(name)
        if hint is None:
            raise AttributeError(f"'Word2Vec' object has no attribute {name!r}")
        raise AttributeError(f"'Word2Vec' object has no attribute {name!r}, gensim's name: {hint}")

    def __repr__(self) -> str:
        words = len(self.vocab) if self.vocab is not None else 0
        return f"Word2Vec({self.config.arch}, {self.config.loss}, dim={self.config.dim}, {words} words)"


# gensim's Word2Vec attributes, and where embed keeps what they hold: its settings under
# their own names, or under those the config's refusal of gensim's names gives.
_GENSIM_ATTRIBUTES = {
    **{name: f"the setting is model.config.{name}"
       for name in ("epochs", "window", "min_count", "sample", "alpha", "min_alpha", "seed", "workers", "negative",
                    "ns_exponent", "cbow_mean", "shrink_windows", "max_final_vocab")},
    **{name: f"the setting is model.config.{ours}" for name, ours in GENSIM_NAMES.items()
       if ours is not None and "=" not in ours},  # not callbacks, an argument of train()
    "syn1neg": "model.w_out, the output weights (with loss 'negative')",
    "syn1": "model.w_out, the output weights (with loss 'hierarchical')",
    "corpus_count": "embed's train() reads the corpus itself and takes no total_examples: model.train(corpus)",
    "corpus_total_words": "the tokens counted are model.vocab.corpus_tokens; train() takes no total_words",
    "get_latest_training_loss": "each epoch's loss is kept in model.loss_history (and model.history), always",
    "compute_loss": "each epoch's loss is kept in model.loss_history (and model.history), always",
}


def train(
    corpus: Corpus,
    config: Config | None = None,
    progress: bool = True,
    tokenizer: Callable[[str], list[str]] | None = None,
    cluster: object = None,
    validate: str | os.PathLike | Iterable[Sequence[str]] | Validation | None = None,
    early_stop: int | None = None,
    phrases: Phrases | str | os.PathLike | None = None,
    trim_rule: TrimRule | None = None,
    **fields: object,
) -> Word2Vec:
    """Build the vocabulary and train in one call; keyword arguments set Config fields,
    ``tokenizer`` is a function from a line of text to its tokens and ``phrases`` an
    ``embed.Phrases`` (or its saved file) whose phrases are joined as the text is read
    (see ``Word2Vec``); ``trim_rule`` is ``Word2Vec.build_vocab``'s, ``validate`` and
    ``early_stop`` are ``Word2Vec.train``'s.
    ``cluster``: a ``distributed.Client``, a scheduler's address, or "local:N" for a
    LocalCluster of N worker processes, closed at the end (in a script, call it under
    ``if __name__ == "__main__":``, as each worker process runs the script again); its
    worker threads train, so ``workers`` beside it is warned of.

    >>> import embed
    >>> model = embed.train([["a", "b", "c"]] * 20, dim=10, min_count=1, epochs=1, progress=False)
    >>> len(model.wv)
    3
    """
    config = _config(config).replace(**fields) if fields else _config(config)
    model = Word2Vec(config, tokenizer, phrases)
    checks = dict(validate=validate, early_stop=early_stop)
    if cluster is None:
        return model.build_vocab(corpus, trim_rule=trim_rule).train(corpus, progress=progress, **checks)
    from .cluster import connected, warn_of_workers_beside_cluster

    if "workers" in fields:
        warn_of_workers_beside_cluster(fields["workers"], cluster)
    with connected(cluster) as client:  # one cluster for both passes
        return model.build_vocab(corpus, cluster=client, trim_rule=trim_rule).train(corpus, progress=progress,
                                                                                    cluster=client, **checks)


class PruningWarning(UserWarning):
    """Counting the vocabulary forgot rare words to stay within max_table."""


class _StopEarly(Exception):
    """Raised from the end of an epoch in rounds to end the call (early_stop)."""


def _no_example(corpus: Corpus, config: Config) -> EmbedError:
    """The error of a run that trained on nothing, and the likely cause on a small corpus."""
    why = (f" left after subsampling (sample={config.sample}; a corpus this small needs 0, which turns it off)"
           if config.sample else "")
    return EmbedError(f"{_name(corpus)}: training saw no example: no sentence has two vocabulary words{why}")


def _epoch_line(stats: EpochStats, watch: EarlyStop | None) -> str:
    line = f"epoch {stats.epoch}: loss {stats.loss:.4f} per example, {stats.words / max(stats.seconds, 1e-9):,.0f} words/s"
    if watch is not None:
        line += f", {watch.validation.name} {stats.validation:.4f}"
    return line


def _tokens_read(vocab: Vocabulary) -> dict[str, int | None]:
    """What reading the text did, where only the tokens counted are known: the cuts and
    repairs (None) are the file readers' to tell."""
    return {"tokens": vocab.corpus_tokens, "cut_sentences": None, "cut_tokens": None, "repaired_bytes": None}


def _check_not_single(vocab: Vocabulary, source: str) -> None:
    if len(vocab) < 2:  # it trained, to a loss of 0: no word to tell it from
        raise EmbedError(f"{source}: the vocabulary has a single word, {vocab.words[0]!r}: word2vec learns a word from "
                         "the others it is told apart from; lower min_count (--min-count), or raise max_vocab, or give "
                         "more text")


def _source(corpus: Corpus) -> str | None:
    """What identifies a corpus file: its absolute path. A list has no identity that
    lasts (a new list can take a freed one's id()), so its words are always counted."""
    if isinstance(corpus, (str, os.PathLike)):
        return os.path.abspath(os.fspath(corpus))
    return None


def _shards_identity(shards: list, words: int) -> dict:
    """What a run in rounds trains on, to recognise it at a resume: its files with their
    sizes (sentences in memory: none) and the vocabulary words of an epoch."""
    files = {str(segment.path): None for shard in shards for segment in shard if isinstance(segment, Segment)}
    return {"path": None, "files": [[path, location.getsize(path)] for path in files], "words": words}


def _shards_text(identity: dict) -> str:
    files = identity.get("files") or []
    named = f"{len(files)} file{'s' if len(files) != 1 else ''} of {sum(size for _, size in files):,} bytes, " \
        if files else ""
    return f"{named}{identity['words']:,} vocabulary words an epoch"


def _file_identity(corpus: Corpus) -> tuple | None:
    if not isinstance(corpus, (str, os.PathLike)) or location.is_url(corpus):
        return None
    try:
        status = os.stat(corpus)
    except OSError:
        return None
    return os.path.abspath(os.fspath(corpus)), status.st_size, status.st_mtime_ns


def _estimated_tokens(path: str | os.PathLike) -> int:
    """About how many tokens a plain file holds, for the space its ids will take:
    English runs 5-6 bytes a token, and compression about a quarter of the size."""
    size = location.getsize(os.fspath(path))
    return (4 * size if os.fspath(path).lower().endswith(COMPRESSED) else size) // 5


def _config(config: Config | None) -> Config:
    """``config``, or the defaults; a dict or a name in its place is refused in one line
    (it ended in an AttributeError deep in training)."""
    if config is None:
        return Config()
    if not isinstance(config, Config):
        raise EmbedError(f"config must be an embed.Config, such as Config(dim=50), got {type(config).__name__} "
                         f"{shown(config)}; train also takes the settings as keywords: train(corpus, dim=50)")
    return config


def _repairs(reports: Iterable[ReadReport]) -> dict[str, int]:
    """What reading repaired, added up over ``reports``, as the run's reading keeps it."""
    reports = list(reports)
    return {"cut_sentences": sum(report.cut_sentences for report in reports),
            "cut_tokens": sum(report.truncated_tokens for report in reports),
            "repaired_bytes": sum(report.invalid_bytes for report in reports)}


def _refuse_keywords(method: str, given: dict[str, object], function: Callable) -> None:
    """Refuse keyword arguments that ``function`` does not take, each with what it was
    likely meant to be: gensim's name (``total_examples``, ``corpus_iterable``) or a close
    spelling. Python's "unexpected keyword argument" said neither. (The corpus is
    optional in the signatures only so that gensim's ``corpus_iterable=`` reaches here:
    the corpus checks refuse a missing one.)

    >>> _refuse_keywords("train", {"total_examples": 9, "epoch": 5}, Word2Vec.train)
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: train() takes no total_examples (gensim's: embed counts the corpus itself: model.train(corpus, epochs=N)), epoch (did you mean epochs?)
    """
    if not given:
        return
    known = [name for name in inspect.signature(function).parameters if name not in ("self", "others")]
    said = likely_meant(given, known, GENSIM_ARGUMENT_HINTS)
    raise EmbedError(f"{method}() takes no {', '.join(said)}")


def _check_callbacks(on_epoch_end: object, checkpoints: object, progress: object) -> None:
    """Refuse, before training, what ``train`` and ``resume`` would call or write after
    an epoch (``on_epoch_end=5`` failed once the first epoch was done), and a ``progress``
    that is not True or False ("no" showed the bar)."""
    check_switch(progress, "progress")
    if on_epoch_end is not None and not callable(on_epoch_end):
        raise EmbedError(f"on_epoch_end must be a function of (model, epoch, loss), got {shown(on_epoch_end)}")
    if on_epoch_end is not None:
        try:
            signature = inspect.signature(on_epoch_end)
        except (TypeError, ValueError):  # a builtin without one: called as it is
            signature = None
        if signature is not None:
            try:
                signature.bind(None, 1, 0.0)
            except TypeError:  # gensim's callbacks take the model alone: it failed after the first epoch
                raise EmbedError(f"on_epoch_end must be a function of (model, epoch, loss); this one takes "
                                 f"{signature}") from None
    if checkpoints is not None:
        if not isinstance(checkpoints, Checkpoints):
            raise EmbedError(f"checkpoints must be an embed.training.schedule.Checkpoints(path, epochs=, seconds=), "
                             f"got {described(checkpoints)}")
        check_writable(checkpoints.path)
        check_named(checkpoints.path, "model")  # ckpt.bin: no checkpoint written, one warning an epoch


def _name(corpus: Corpus) -> str:
    return os.fspath(corpus) if isinstance(corpus, (str, os.PathLike)) else "corpus"


def _progress_bar(enabled: bool, total: int, initial: int = 0):
    from tqdm import tqdm

    return tqdm(
        total=total, initial=initial, disable=not enabled, unit="word", unit_scale=True, file=sys.stderr,
        mininterval=0.5, smoothing=0.1, dynamic_ncols=True,
    )
