"""The training loop: chunks of ids from a reader thread, kernels on worker threads.

Workers run the nogil kernels at once on shared matrices without locks (Hogwild, as
word2vec and gensim do). A bounded queue between the reader and the workers keeps
memory flat whatever the corpus length. Each chunk's random states derive from the seed
and the chunk's number, so with one worker a run is bit-for-bit reproducible.
"""

from __future__ import annotations

import math
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .cbow import train_cbow_chunk
from .chunks import ChunkCache, id_chunks
from .config import Config
from .corpus import as_sentences
from .errors import EmbedError
from .huffman import huffman_tree
from .loss import KINDS, empty_tables
from .loss_negative import alias_table, noise_distribution
from .rng import make_state
from .skipgram import train_skipgram_chunk
from .tokenizer import Tokenizer
from .vectors import Vectors
from .vocab import Vocabulary
from .windows import WINDOW_STREAM

NOISE_STREAM = 1
Corpus = str | os.PathLike | Iterable[Sequence[str]]
EpochCallback = Callable[["Word2Vec", int, float], None]


@dataclass(frozen=True)
class EpochStats:
    epoch: int
    loss: float  # mean loss per training example (pair for skip-gram, window for CBOW)
    loss_sum: float
    examples: int
    words: int
    seconds: float


class Word2Vec:
    """A word2vec model: configuration, vocabulary and the two weight matrices.

    >>> sentences = [["paris", "france", "rome", "italy"]] * 50
    >>> model = Word2Vec(Config(dim=8, min_count=1, workers=1, epochs=2))
    >>> model.build_vocab(sentences).train(sentences, progress=False).wv["paris"].shape
    (8,)
    """

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.vocab: Vocabulary | None = None
        self.w_in: np.ndarray | None = None
        self.w_out: np.ndarray | None = None
        self.history: list[EpochStats] = []
        self.chunks_done = 0  # numbers each chunk's random states across train() calls
        self.epochs_done = 0
        self._vocab_source: object = None

    # -- vocabulary -------------------------------------------------------------------
    def tokenizer(self) -> Tokenizer:
        return Tokenizer(self.config.token_pattern, self.config.lowercase)

    def _sentences(self, corpus: Corpus) -> Iterable[Sequence[str]]:
        return as_sentences(corpus, self.tokenizer(), self.config.max_sentence_length)

    def build_vocab(self, corpus: Corpus) -> Word2Vec:
        """Count words, keep those seen ``min_count`` times, and initialise the weights."""
        config = self.config
        source = os.fspath(corpus) if isinstance(corpus, (str, os.PathLike)) else "corpus"
        self.vocab = Vocabulary.build(self._sentences(corpus), config.min_count, config.max_vocab, source)
        self._vocab_source = source if source != "corpus" else id(corpus)
        rng = np.random.default_rng(config.seed)
        size, dim = len(self.vocab), config.dim
        self.w_in = ((rng.random((size, dim), dtype=np.float32) - 0.5) / dim).astype(np.float32)
        self.w_out = np.zeros((size, dim), dtype=np.float32)
        self._prepare_tables()
        return self

    def _prepare_tables(self) -> None:
        config, vocab = self.config, self.vocab
        tables = list(empty_tables())
        if config.loss == "negative":
            tables[0], tables[1] = alias_table(noise_distribution(vocab.counts))
        elif config.loss == "hierarchical":
            tables[2], tables[3], tables[4] = huffman_tree(vocab.counts)
        self._tables = tuple(tables)
        self._keep_prob = vocab.keep_probabilities(config.sample)

    # -- training ---------------------------------------------------------------------
    def train(
        self,
        corpus: Corpus,
        epochs: int | None = None,
        progress: bool = True,
        on_epoch_end: EpochCallback | None = None,
    ) -> Word2Vec:
        """Train for ``epochs`` (default: the config's) passes over ``corpus``.

        The learning rate falls linearly from alpha to min_alpha over all the words of
        this call. ``on_epoch_end(model, epoch, loss)`` runs after every epoch.
        """
        if self.vocab is None:
            raise EmbedError("build_vocab(corpus) must come before train(corpus)")
        epochs = self.config.epochs if epochs is None else epochs
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise EmbedError(f"epochs must be an integer >= 1, got {epochs!r}")
        sentences = self._sentences(corpus)
        source = os.fspath(corpus) if isinstance(corpus, (str, os.PathLike)) else id(corpus)
        words_per_epoch = self.vocab.total if source == self._vocab_source else self._count_words(sentences)
        schedule = _Schedule(self.config.alpha, self.config.min_alpha, epochs * words_per_epoch)
        bar = _progress_bar(progress, epochs * words_per_epoch)
        cache = ChunkCache() if epochs > 1 else None
        try:
            for epoch in range(epochs):
                if epoch == 0:
                    chunks = _recorded(id_chunks(sentences, self.vocab, self.config.chunk_words), cache)
                else:
                    chunks = iter(cache)
                stats = self._train_epoch(chunks, epoch, epochs, schedule, bar)
                self.history.append(stats)
                self.epochs_done += 1
                if (stats.examples and not math.isfinite(stats.loss)) or not np.isfinite(self.w_in).all():
                    raise EmbedError(
                        f"training diverged in epoch {self.epochs_done} (loss {stats.loss}); "
                        f"try a lower alpha than {self.config.alpha}"
                    )
                if progress:
                    bar.write(
                        f"epoch {self.epochs_done}: loss {stats.loss:.4f} per example, "
                        f"{stats.words / max(stats.seconds, 1e-9):,.0f} words/s"
                    )
                if on_epoch_end is not None:
                    on_epoch_end(self, self.epochs_done, stats.loss)
        finally:
            bar.close()
            if cache is not None:
                cache.close()
        return self

    def _count_words(self, sentences: Iterable[Sequence[str]]) -> int:
        index = self.vocab.index
        return sum(1 for sentence in sentences for token in sentence if token in index)

    def _train_epoch(self, chunks, epoch: int, epochs: int, schedule: _Schedule, bar) -> EpochStats:
        config = self.config
        workers = config.workers
        jobs: queue.Queue = queue.Queue(maxsize=2 * workers)
        tallies = np.zeros((workers, 3), dtype=np.float64)  # loss, examples, words per worker
        failures: list[BaseException] = []
        stop = threading.Event()
        first_chunk = self.chunks_done
        chunk_count = [0]
        bar_lock = threading.Lock()
        epoch_label = f"epoch {epoch + 1}/{epochs}"

        def read() -> None:
            try:
                for number, (ids, offsets) in enumerate(chunks):
                    if stop.is_set():
                        break
                    alpha_start, alpha_end = schedule.span(len(ids))
                    _put(jobs, (first_chunk + number, ids, offsets, alpha_start, alpha_end), stop)
                    chunk_count[0] = number + 1
            except BaseException as error:  # reported by the main thread
                failures.append(error)
                stop.set()
            finally:
                for _ in range(workers):
                    _put(jobs, None, stop, force=True)

        def work(slot: int) -> None:
            try:
                while True:
                    job = jobs.get()
                    if job is None or stop.is_set():
                        return
                    number, ids, offsets, alpha_start, alpha_end = job
                    loss, examples = self._train_chunk(ids, offsets, alpha_start, alpha_end, number)
                    tallies[slot] += (loss, examples, len(ids))
                    with bar_lock:
                        bar.set_postfix_str(f"{epoch_label} alpha {alpha_end:.5f}", refresh=False)
                        bar.update(len(ids))
            except BaseException as error:
                failures.append(error)
                stop.set()

        started = time.perf_counter()
        threads = [threading.Thread(target=read, daemon=True)]
        threads += [threading.Thread(target=work, args=(slot,), daemon=True) for slot in range(workers)]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.1)
        except KeyboardInterrupt:
            stop.set()
            for thread in threads:
                thread.join()
            raise
        self.chunks_done = first_chunk + chunk_count[0]
        if failures:
            raise failures[0]
        loss_sum, examples, words = tallies.sum(axis=0)
        return EpochStats(
            epoch=self.epochs_done + 1,
            loss=float(loss_sum / examples) if examples else float("nan"),
            loss_sum=float(loss_sum),
            examples=int(examples),
            words=int(words),
            seconds=time.perf_counter() - started,
        )

    def _train_chunk(self, ids, offsets, alpha_start, alpha_end, number):
        config = self.config
        common = (
            ids, offsets, self.w_in, self.w_out, KINDS[config.loss], self._tables, config.negative,
            config.window, self._keep_prob, alpha_start, alpha_end,
            make_state(config.seed, WINDOW_STREAM, number), make_state(config.seed, NOISE_STREAM, number),
        )
        if config.arch == "skipgram":
            return train_skipgram_chunk(*common)
        return train_cbow_chunk(*common, config.cbow_mean)

    # -- results ----------------------------------------------------------------------
    @property
    def wv(self) -> Vectors:
        """The trained input vectors as a query object (a copy: training on does not change it)."""
        if self.vocab is None:
            raise EmbedError("the model has no vocabulary yet: call build_vocab() and train()")
        return Vectors(self.vocab.words, self.w_in.copy(), self.vocab.counts)

    @property
    def loss_history(self) -> list[float]:
        return [stats.loss for stats in self.history]

    def __repr__(self) -> str:
        words = len(self.vocab) if self.vocab is not None else 0
        return f"Word2Vec({self.config.arch}, {self.config.loss}, dim={self.config.dim}, {words} words)"


def train(corpus: Corpus, config: Config | None = None, progress: bool = True, **fields: object) -> Word2Vec:
    """Build the vocabulary and train in one call; keyword arguments set Config fields.

    >>> import embed
    >>> model = embed.train([["a", "b", "c"]] * 20, dim=10, min_count=1, epochs=1, progress=False)
    >>> len(model.wv)
    3
    """
    config = (config or Config()).replace(**fields) if fields else (config or Config())
    return Word2Vec(config).build_vocab(corpus).train(corpus, progress=progress)


class _Schedule:
    """Linear decay of the learning rate over the words handed to workers."""

    def __init__(self, alpha: float, min_alpha: float, total_words: int) -> None:
        self.alpha, self.min_alpha, self.total = alpha, min_alpha, max(1, total_words)
        self.done = 0

    def at(self, words: int) -> float:
        share = min(1.0, words / self.total)
        return self.alpha - (self.alpha - self.min_alpha) * share

    def span(self, words: int) -> tuple[float, float]:
        start = self.at(self.done)
        self.done += words
        return start, self.at(self.done)


def _recorded(chunks, cache: ChunkCache | None):
    for ids, offsets in chunks:
        if cache is not None:
            cache.append(ids, offsets)
        yield ids, offsets


def _put(jobs: queue.Queue, item, stop: threading.Event, force: bool = False) -> None:
    while True:
        if stop.is_set() and not force:
            return
        try:
            jobs.put(item, timeout=0.1)
            return
        except queue.Full:
            if stop.is_set() and force:
                try:  # workers are leaving: make room for the sentinel
                    jobs.get_nowait()
                except queue.Empty:
                    pass


def _progress_bar(enabled: bool, total: int):
    from tqdm import tqdm

    return tqdm(
        total=total, disable=not enabled, unit="word", unit_scale=True, file=sys.stderr,
        mininterval=0.5, smoothing=0.1, dynamic_ncols=True,
    )
