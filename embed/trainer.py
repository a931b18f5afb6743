"""The training loop: chunks of ids from a reader thread, kernels on worker threads.

Workers run the nogil kernels at once on shared matrices without locks (Hogwild, as
word2vec and gensim do), except for the few output rows nearly every example writes,
which each worker keeps private for a chunk (``embed.private_rows``). A bounded queue
between the reader and the workers keeps memory flat whatever the corpus length. Each
chunk's random states derive from the seed and the chunk's number, and the learning
rate from the words before it, so with one worker a run is bit-for-bit reproducible,
and a run resumed from a checkpoint ends with the vectors an uninterrupted run would
have.
"""

from __future__ import annotations

import dataclasses
import math
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from .cbow import train_cbow_chunk
from .chunks import ChunkCache, id_chunks
from .config import Config
from .corpus import as_sentences
from .densematrix import dense_matrix
from .errors import EmbedError
from .huffman import huffman_tree
from .loss import KINDS, empty_tables
from .loss_negative import alias_table, noise_distribution
from .native import read_model, write_model
from .rng import make_state
from .skipgram import train_skipgram_chunk
from .plaintext import VocabularyHash, plain_id_chunks
from .private_rows import NO_PRIVATE_ROWS, hot_range
from .tokenizer import DEFAULT_PATTERN, Tokenizer
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


@dataclass
class RunState:
    """Where a ``train`` call stands, so that it can be resumed exactly."""

    epochs: int
    words_per_epoch: int
    epoch: int = 0  # epochs of this call completed
    first_chunk: int = 0  # the number of the current epoch's first chunk
    completed: list[int] = field(default_factory=list)  # chunks of the current epoch already trained


@dataclass(frozen=True)
class Checkpoints:
    """Write the model to ``path`` every ``epochs`` epochs and/or every ``seconds`` seconds.

    >>> Checkpoints("model.embed", epochs=1).epochs
    1
    """

    path: str
    epochs: int | None = None
    seconds: float | None = None


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
        self._input: np.ndarray | None = None  # padded rows (embed.densematrix) behind w_in
        self._output: np.ndarray | None = None  # behind w_out; below it, the workers' private rows
        self.history: list[EpochStats] = []
        self.chunks_done = 0  # numbers each chunk's random states across train() calls
        self.epochs_done = 0
        self.run: RunState | None = None  # set while a train() call is unfinished
        self._vocab_source: object = None
        self._plain_file: tuple | None = None  # (path, size, mtime) of a corpus embed.plaintext can read

    @property
    def w_in(self) -> np.ndarray | None:
        """Input vectors, a row per vocabulary word: the word vectors (a view of the
        matrix the kernels train; assigning copies)."""
        return None if self._input is None else self._input[:, : self.config.dim]

    @w_in.setter
    def w_in(self, values: np.ndarray) -> None:
        self._input = dense_matrix(self._weights("w_in", values))

    @property
    def w_out(self) -> np.ndarray | None:
        """Output vectors, a row per word (negative sampling, full softmax) or per inner
        node of the Huffman tree (hierarchical softmax, whose last row is unused)."""
        return None if self._output is None else self._output[: len(self.vocab), : self.config.dim]

    @w_out.setter
    def w_out(self, values: np.ndarray) -> None:
        self._output = dense_matrix(self._weights("w_out", values))

    def _weights(self, name: str, values: np.ndarray) -> np.ndarray:
        """``values`` as a weight matrix for this model's vocabulary and dimension."""
        values = np.asarray(values)
        expected = (len(self.vocab) if self.vocab is not None else None, self.config.dim)
        if values.ndim != 2 or values.shape[1] != expected[1] or expected[0] not in (None, values.shape[0]):
            rows = "rows" if expected[0] is None else f"{expected[0]} rows (the vocabulary)"
            raise EmbedError(f"{name} must be a matrix of {rows} x {expected[1]} (dim), got shape {values.shape}")
        return values

    # -- vocabulary -------------------------------------------------------------------
    def tokenizer(self) -> Tokenizer:
        return Tokenizer(self.config.token_pattern, self.config.lowercase, self.config.max_token_length)

    def _sentences(self, corpus: Corpus) -> Iterable[Sequence[str]]:
        config = self.config
        return as_sentences(corpus, self.tokenizer(), config.max_sentence_length, config.encoding_errors)

    def build_vocab(self, corpus: Corpus) -> Word2Vec:
        """Count words, keep those seen ``min_count`` times, and initialise the weights."""
        config = self.config
        sentences = self._sentences(corpus)
        self.vocab = Vocabulary.build(sentences, config.min_count, config.max_vocab, _name(corpus))
        self._vocab_source = _source(corpus)
        self._plain_file = None
        report = getattr(sentences, "report", None)
        if report is not None and report.plain and not report.truncated_tokens and config.token_pattern == DEFAULT_PATTERN:
            self._plain_file = _file_identity(corpus)
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
            tables[0] = alias_table(noise_distribution(vocab.counts))
        elif config.loss == "hierarchical":
            tables[1], tables[2], tables[3] = huffman_tree(vocab.counts)
        self._tables = tuple(tables)
        self._keep_prob = vocab.keep_probabilities(config.sample)

    # -- training ---------------------------------------------------------------------
    def train(
        self,
        corpus: Corpus,
        epochs: int | None = None,
        progress: bool = True,
        on_epoch_end: EpochCallback | None = None,
        checkpoints: Checkpoints | None = None,
    ) -> Word2Vec:
        """Train for ``epochs`` (default: the config's) passes over ``corpus``.

        The learning rate falls linearly from alpha to min_alpha over all the words of
        this call. ``on_epoch_end(model, epoch, loss)`` runs after every epoch. On Ctrl-C
        the workers finish their current chunk and KeyboardInterrupt is raised; the model
        is then consistent, can be saved, and ``resume(corpus)`` continues the call.
        """
        if self.vocab is None:
            raise EmbedError("build_vocab(corpus) must come before train(corpus)")
        epochs = self.config.epochs if epochs is None else epochs
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise EmbedError(f"epochs must be an integer >= 1, got {epochs!r}")
        sentences = self._sentences(corpus)
        if _source(corpus) == self._vocab_source:
            words_per_epoch = self.vocab.total
        else:
            words_per_epoch = sum(1 for sentence in sentences for t in sentence if t in self.vocab.index)
        self.run = RunState(epochs, words_per_epoch, first_chunk=self.chunks_done)
        return self._continue(corpus, progress, on_epoch_end, checkpoints)

    def resume(
        self,
        corpus: Corpus,
        progress: bool = True,
        on_epoch_end: EpochCallback | None = None,
        checkpoints: Checkpoints | None = None,
    ) -> Word2Vec:
        """Finish an interrupted ``train`` call (after Ctrl-C, or from a checkpoint file).

        >>> model = Word2Vec.load("model.embed.partial")  # doctest: +SKIP
        >>> model.resume("corpus.txt")                     # doctest: +SKIP
        """
        if self.run is None:
            raise EmbedError("nothing to resume: the model's last train() call finished")
        return self._continue(corpus, progress, on_epoch_end, checkpoints)

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
        run = self.run
        per_epoch = run.words_per_epoch
        schedule = _Schedule(self.config.alpha, self.config.min_alpha, run.epochs * per_epoch)
        bar = _progress_bar(progress, run.epochs * per_epoch, run.epoch * per_epoch)
        cache = ChunkCache() if run.epochs - run.epoch > 1 else None
        last_save = [time.monotonic()]

        def checkpoint_due() -> bool:
            return bool(checkpoints and checkpoints.seconds and time.monotonic() - last_save[0] >= checkpoints.seconds)

        def take_checkpoint() -> None:
            self.save(checkpoints.path)
            last_save[0] = time.monotonic()

        try:
            first_pass = True
            while run.epoch < run.epochs:
                schedule.done = run.epoch * per_epoch
                if first_pass:
                    chunks = _recorded(self._first_pass_chunks(corpus), cache)
                else:
                    chunks = iter(cache)
                first_pass = False
                label = f"epoch {run.epoch + 1}/{run.epochs}"
                stats, count = self._train_epoch(chunks, label, schedule, bar, checkpoint_due, take_checkpoint)
                self.chunks_done = run.first_chunk + count
                run.epoch += 1
                run.first_chunk, run.completed = self.chunks_done, []
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
                if run.epoch == run.epochs:
                    self.run = None
                if checkpoints and checkpoints.epochs and run.epoch % checkpoints.epochs == 0:
                    take_checkpoint()
                if on_epoch_end is not None:
                    on_epoch_end(self, self.epochs_done, stats.loss)
        finally:
            bar.close()
            if cache is not None:
                cache.close()
        return self

    def _train_epoch(
        self, chunks: Iterator, label: str, schedule: _Schedule, bar, checkpoint_due, take_checkpoint
    ) -> tuple[EpochStats, int]:
        config, run = self.config, self.run
        workers = config.workers
        jobs: queue.Queue = queue.Queue(maxsize=2 * workers)
        tallies = np.zeros((workers, 3), dtype=np.float64)  # loss, examples, words per worker
        failures: list[BaseException] = []
        stop = threading.Event()
        idle = threading.Condition()
        in_flight = [0]
        chunk_count = [0]
        skip = set(run.completed)
        size = len(self.vocab)
        first, count, share = hot_range(config.loss, size, workers)
        if count:
            self._make_room(workers * count)
        private_rows = [
            ((first, count, size + slot * count, share), np.empty((count, self._output.shape[1]), np.float32))
            for slot in range(workers)
        ]

        def read() -> None:
            try:
                for index, (ids, offsets) in enumerate(chunks):
                    if stop.is_set():
                        return
                    chunk_count[0] = index + 1
                    number = run.first_chunk + index
                    alpha_start, alpha_end = schedule.span(len(ids))  # skipped chunks move it too
                    if number in skip:
                        continue
                    if checkpoint_due():
                        with idle:  # a checkpoint is exact only once every dispatched chunk is done
                            idle.wait_for(lambda: in_flight[0] == 0 or stop.is_set())
                        if stop.is_set():
                            return
                        take_checkpoint()
                    with idle:
                        in_flight[0] += 1
                    _put(jobs, (number, ids, offsets, alpha_start, alpha_end), stop)
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
                    loss, examples = self._train_chunk(ids, offsets, alpha_start, alpha_end, number, private_rows[slot])
                    tallies[slot] += (loss, examples, len(ids))
                    with idle:
                        run.completed.append(number)
                        in_flight[0] -= 1
                        idle.notify_all()
                        bar.set_postfix_str(f"{label} alpha {alpha_end:.5f}", refresh=False)
                        bar.update(len(ids))
            except BaseException as error:
                failures.append(error)
                stop.set()
                with idle:
                    idle.notify_all()

        started = time.perf_counter()
        # A worker that finishes a chunk needs the GIL to take the next one; while the
        # reader tokenises it holds the GIL for up to the switch interval (5 ms), as long
        # as a CBOW worker takes to train a chunk. A shorter interval keeps workers fed.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.0005))
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
            with idle:
                idle.notify_all()
            for thread in threads:
                thread.join()
            raise
        finally:
            sys.setswitchinterval(interval)
        if failures:
            raise failures[0]
        loss_sum, examples, words = tallies.sum(axis=0)
        stats = EpochStats(
            epoch=self.epochs_done + 1,
            loss=float(loss_sum / examples) if examples else float("nan"),
            loss_sum=float(loss_sum),
            examples=int(examples),
            words=int(words),
            seconds=time.perf_counter() - started,
        )
        return stats, chunk_count[0]

    def _make_room(self, spare: int) -> None:
        """Give the output matrix ``spare`` rows below the vocabulary's, for the
        workers' private rows (``embed.private_rows``)."""
        if self._output.shape[0] != len(self.vocab) + spare:
            self._output = dense_matrix(self.w_out, spare)

    def _train_chunk(self, ids, offsets, alpha_start, alpha_end, number, private_rows=None):
        """``private_rows``: the worker's (hot, snapshot) (see ``embed.private_rows``)."""
        config = self.config
        hot, snapshot = private_rows or (NO_PRIVATE_ROWS, self._output[:0])
        # The full softmax sums over every row of the matrix it is given.
        w_out = self._output if hot[1] else self._output[: len(self.vocab)]
        common = (
            ids, offsets, self._input, w_out, hot, snapshot, KINDS[config.loss], self._tables, config.negative,
            config.window, self._keep_prob, alpha_start, alpha_end,
            make_state(config.seed, WINDOW_STREAM, number), make_state(config.seed, NOISE_STREAM, number),
            config.softmax_batch,
        )
        saturation = np.inf if config.saturation is None else float(config.saturation)
        if config.arch == "skipgram":
            return train_skipgram_chunk(*common, saturation)
        return train_cbow_chunk(*common, config.cbow_mean, saturation)

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
            "vocab_source": self._vocab_source if isinstance(self._vocab_source, str) else None,
        }
        write_model(path, self.config, self.vocab, self.w_in, self.w_out, state)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Word2Vec:
        """Read a model written by ``save``; it can be queried and trained further."""
        config, vocab, w_in, w_out, state = read_model(path)
        model = cls(config)
        model.vocab, model.w_in, model.w_out = vocab, w_in, w_out
        model.epochs_done = state["epochs_done"]
        model.chunks_done = state["chunks_done"]
        model.history = [EpochStats(**s) for s in state["history"]]
        model.run = RunState(**state["run"]) if state["run"] else None
        model._vocab_source = state.get("vocab_source")
        model._prepare_tables()
        return model

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


def _source(corpus: Corpus) -> object:
    """What identifies a corpus: its absolute path, or the object itself."""
    if isinstance(corpus, (str, os.PathLike)):
        return os.path.abspath(os.fspath(corpus))
    return id(corpus)


def _file_identity(corpus: Corpus) -> tuple | None:
    if not isinstance(corpus, (str, os.PathLike)):
        return None
    try:
        status = os.stat(corpus)
    except OSError:
        return None
    return os.path.abspath(os.fspath(corpus)), status.st_size, status.st_mtime_ns


def _name(corpus: Corpus) -> str:
    return os.fspath(corpus) if isinstance(corpus, (str, os.PathLike)) else "corpus"


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


def _progress_bar(enabled: bool, total: int, initial: int = 0):
    from tqdm import tqdm

    return tqdm(
        total=total, initial=initial, disable=not enabled, unit="word", unit_scale=True, file=sys.stderr,
        mininterval=0.5, smoothing=0.1, dynamic_ncols=True,
    )
