"""``Word2Vec``: the model users build, train, save and query.

It holds the settings, the vocabulary, the weights (``weights``), the tables the
kernels compute with (``tables``) and where training stands (``schedule``); the epochs
run on threads (``threads``) and the model file is written by ``model_file``. The
learning rate follows the words before each chunk and each chunk's random states its
number, so with one worker a run is bit-for-bit reproducible, and a run resumed from a
checkpoint ends with the vectors an uninterrupted run would have.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from ..errors import EmbedError
from ..memory import fix_malloc_threshold
from ..text.chunks import ChunkCache, epoch_cache, id_chunks
from ..text.corpus import as_sentences, ascii_compatible, text_codec
from ..text.plaintext import VocabularyHash, count_plain, plain_id_chunks, provisional_chunks
from ..text.tokenizer import DEFAULT_PATTERN, FunctionTokenizer, Tokenizer
from ..text.vocab import Vocabulary
from ..vectors.word_vectors import Vectors
from .config import Config
from .model_file import load_model, save_model
from .schedule import Checkpoints, CheckpointWriter, EpochStats, RunState, Schedule
from .tables import make_plan
from .threads import train_epoch
from .weights import Weights

Corpus = str | os.PathLike | Iterable[Sequence[str]]
EpochCallback = Callable[["Word2Vec", int, float], None]


class Word2Vec:
    """A word2vec model: configuration, vocabulary and the two weight matrices.

    >>> sentences = [["paris", "france", "rome", "italy"]] * 50
    >>> model = Word2Vec(Config(dim=8, min_count=1, workers=1, epochs=2))
    >>> model.build_vocab(sentences).train(sentences, progress=False).wv["paris"].shape
    (8,)
    """

    def __init__(self, config: Config | None = None, tokenizer: Callable[[str], list[str]] | None = None) -> None:
        self.config = config or Config()
        # A function from a line of text to its tokens, for text a pattern cannot split
        # (Chinese, Japanese); not saved with the model: give it again to train on.
        self.tokenize = tokenizer
        self.vocab: Vocabulary | None = None
        self.weights: Weights | None = None
        self.plan = None  # the kernels' embed.kernels.piece.Plan, once there is a vocabulary
        self.history: list[EpochStats] = []
        self.chunks_done = 0  # numbers each chunk's random states across train() calls
        self.epochs_done = 0
        self.run: RunState | None = None  # set while a train() call is unfinished
        self._vocab_source: str | None = None  # the corpus file the vocabulary was counted on
        self._vectors: Vectors | None = None  # what wv gave out, until the weights change
        self._plain_file: tuple | None = None  # (path, size, mtime) of a corpus embed.text.plaintext can read
        # The plain corpus's tokens as the vocabulary pass met them, and the table from
        # those provisional ids to the vocabulary's: every epoch's chunks without reading
        # the text again (embed.text.plaintext.provisional_chunks).
        self._counted_ids: tuple[ChunkCache, np.ndarray] | None = None

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

    def _sentences(self, corpus: Corpus) -> Iterable[Sequence[str]]:
        config = self.config
        return as_sentences(corpus, self.tokenizer(), config.max_sentence_length, config.encoding_errors,
                            config.encoding)

    def build_vocab(self, corpus: Corpus) -> Word2Vec:
        """Count words, keep those seen ``min_count`` times, and initialise the weights.

        >>> Word2Vec(Config(min_count=1)).build_vocab([["a", "b", "a"]]).vocab.words
        ['a', 'b']
        """
        config = self.config
        fix_malloc_threshold()
        sentences = self._sentences(corpus)  # a missing file or a pipe is refused here
        self._plain_file = None
        default_tokens = config.token_pattern == DEFAULT_PATTERN and self.tokenize is None
        counted = ids = None
        self._drop_counted_ids()
        if default_tokens and isinstance(corpus, (str, os.PathLike)) and ascii_compatible(text_codec(config.encoding)):
            # The plain-text pass counts in jitted code; it gives up at the first byte that
            # needs the tokenizer (Python), and the pass is then made there. It keeps the
            # tokens' ids as it goes, so that the first epoch too reads no text.
            ids = epoch_cache(config.cache_dir, _estimated_tokens(corpus))
            counted = count_plain(corpus, config.lowercase, config.max_token_length,
                                  max_sentence_length=config.max_sentence_length,
                                  sink=ids.append if ids is not None else None)
        try:
            if counted is not None:
                self.vocab, final_ids = Vocabulary.from_counts(counted.word_counts(), counted.word, config.min_count,
                                                               config.max_vocab, _name(corpus))
                self._plain_file = _file_identity(corpus)
                if ids is not None and not ids.failed:
                    ids.complete = True
                    self._counted_ids = (ids, final_ids)
        finally:
            if ids is not None and self._counted_ids is None:
                ids.close()
        if counted is None:
            self.vocab = Vocabulary.build(sentences, config.min_count, config.max_vocab, _name(corpus))
            report = getattr(sentences, "report", None)
            if report is not None and report.plain and not report.truncated_tokens and default_tokens:
                self._plain_file = _file_identity(corpus)
        self._vocab_source = _source(corpus)
        self.weights = Weights.initial(len(self.vocab), config.dim, config.seed)
        self.plan = make_plan(config, self.vocab)
        self._vectors = None
        return self

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
        each worker finishes the sentence it is in and KeyboardInterrupt is raised; the
        model is then consistent, can be saved, and ``resume(corpus)`` continues the call
        as if it had not stopped.

        >>> model = Word2Vec(Config(dim=8, min_count=1, workers=1, sample=0)).build_vocab([["a", "b"]] * 9)
        >>> len(model.train([["a", "b"]] * 9, epochs=2, progress=False).history)
        2
        """
        if self.vocab is None:
            raise EmbedError("build_vocab(corpus) must come before train(corpus)")
        epochs = self.config.epochs if epochs is None else epochs
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise EmbedError(f"epochs must be an integer >= 1, got {epochs!r}")
        source = _source(corpus)
        words_per_epoch = self.vocab.total if source is not None and source == self._vocab_source else None
        identity = self._corpus_identity(corpus, words_per_epoch)
        if identity["words"] == 0:
            raise EmbedError(f"{_name(corpus)}: has no word of the vocabulary to train on")
        self.run = RunState(epochs, identity["words"], first_chunk=self.chunks_done, corpus=identity)
        return self._continue(corpus, progress, on_epoch_end, checkpoints)

    def _corpus_identity(self, corpus: Corpus, words: int | None = None) -> dict:
        """What a run trains on, to recognise it at a resume: a file's size and a hash of
        its first megabyte (a moved file is the same corpus, an edited one is not), and
        the count of its vocabulary words (counted here unless given)."""
        sentences = self._sentences(corpus)  # a missing file or a pipe is refused here
        if words is None:
            words = sum(1 for sentence in sentences for t in sentence if t in self.vocab.index)
        if not isinstance(corpus, (str, os.PathLike)):
            return {"path": None, "words": words}
        with open(corpus, "rb") as stream:
            head = hashlib.sha256(stream.read(1 << 20)).hexdigest()[:32]
        return {"path": os.path.abspath(corpus), "bytes": os.path.getsize(corpus), "head": head, "words": words}

    def resume(
        self,
        corpus: Corpus,
        progress: bool = True,
        on_epoch_end: EpochCallback | None = None,
        checkpoints: Checkpoints | None = None,
        check_corpus: bool = True,
    ) -> Word2Vec:
        """Finish an interrupted ``train`` call (after Ctrl-C, or from a checkpoint file)
        on the same corpus; ``check_corpus=False`` goes on with another.

        >>> model = Word2Vec.load("model.embed.partial")  # doctest: +SKIP
        >>> model.resume("corpus.txt")                     # doctest: +SKIP
        """
        if self.run is None:
            raise EmbedError("nothing to resume: the model's last train() call finished")
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
        per_epoch = run.words_per_epoch
        schedule = Schedule(config.alpha, config.min_alpha, run.epochs * per_epoch)
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
                    why = (f" left after subsampling (sample={config.sample}; a corpus this small needs 0, which "
                           "turns it off)" if config.sample else "")
                    raise EmbedError(f"{_name(corpus)}: training saw no example: no sentence has two vocabulary "
                                     f"words{why}")
                if (stats.examples and not math.isfinite(stats.loss)) or not np.isfinite(self.w_in).all():
                    raise EmbedError(
                        f"training diverged in epoch {self.epochs_done} (loss {stats.loss}); "
                        f"try a lower alpha than {config.alpha}"
                    )
                if progress:
                    bar.write(
                        f"epoch {self.epochs_done}: loss {stats.loss:.4f} per example, "
                        f"{stats.words / max(stats.seconds, 1e-9):,.0f} words/s"
                    )
                if run.epoch == run.epochs:
                    self.run = None
                if writer.due_after_epoch(run.epoch):
                    writer.write()
                if on_epoch_end is not None:
                    on_epoch_end(self, self.epochs_done, stats.loss)
        finally:
            self._vectors = None  # the weights changed, also where an epoch was cut short
            bar.close()
            if cache is not None:
                cache.close()
        return self

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
        }
        save_model(path, self.config, self.vocab, self.w_in, self.w_out, state)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Word2Vec:
        """Read a model written by ``save``; it can be queried and trained further.

        >>> model = Word2Vec.load("factbook.embed")     # doctest: +SKIP
        """
        config, vocab, w_in, w_out, state = load_model(path)
        model = cls(config)
        model.vocab, model.weights = vocab, Weights(w_in, w_out)
        model.epochs_done = state["epochs_done"]
        model.chunks_done = state["chunks_done"]
        model.history = [EpochStats(**s) for s in state["history"]]
        model.run = RunState(**state["run"]) if state["run"] else None
        model._vocab_source = state.get("vocab_source")
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
    def loss_history(self) -> list[float]:
        return [stats.loss for stats in self.history]

    def __repr__(self) -> str:
        words = len(self.vocab) if self.vocab is not None else 0
        return f"Word2Vec({self.config.arch}, {self.config.loss}, dim={self.config.dim}, {words} words)"


def train(
    corpus: Corpus,
    config: Config | None = None,
    progress: bool = True,
    tokenizer: Callable[[str], list[str]] | None = None,
    **fields: object,
) -> Word2Vec:
    """Build the vocabulary and train in one call; keyword arguments set Config fields,
    ``tokenizer`` is a function from a line of text to its tokens (see ``Word2Vec``).

    >>> import embed
    >>> model = embed.train([["a", "b", "c"]] * 20, dim=10, min_count=1, epochs=1, progress=False)
    >>> len(model.wv)
    3
    """
    config = (config or Config()).replace(**fields) if fields else (config or Config())
    return Word2Vec(config, tokenizer).build_vocab(corpus).train(corpus, progress=progress)


def _source(corpus: Corpus) -> str | None:
    """What identifies a corpus file: its absolute path. A list has no identity that
    lasts (a new list can take a freed one's id()), so its words are always counted."""
    if isinstance(corpus, (str, os.PathLike)):
        return os.path.abspath(os.fspath(corpus))
    return None


def _file_identity(corpus: Corpus) -> tuple | None:
    if not isinstance(corpus, (str, os.PathLike)):
        return None
    try:
        status = os.stat(corpus)
    except OSError:
        return None
    return os.path.abspath(os.fspath(corpus)), status.st_size, status.st_mtime_ns


def _estimated_tokens(path: str | os.PathLike) -> int:
    """About how many tokens a plain file holds, for the space its ids will take:
    English runs 5-6 bytes a token, and compression about a quarter of the size."""
    size = os.path.getsize(path)
    return (4 * size if os.fspath(path).endswith((".gz", ".bz2", ".xz")) else size) // 5


def _name(corpus: Corpus) -> str:
    return os.fspath(corpus) if isinstance(corpus, (str, os.PathLike)) else "corpus"


def _progress_bar(enabled: bool, total: int, initial: int = 0):
    from tqdm import tqdm

    return tqdm(
        total=total, initial=initial, disable=not enabled, unit="word", unit_scale=True, file=sys.stderr,
        mininterval=0.5, smoothing=0.1, dynamic_ncols=True,
    )
