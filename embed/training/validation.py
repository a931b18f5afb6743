"""A score at every epoch's end, and early stopping on it.

Three kinds, told apart by the file: Google-style analogies (sections that start with
":"; accuracy over the 30,000 most frequent words), word pairs with human scores
(WordSim-353, SimLex-999; Spearman's correlation) and held-out text, whose loss is the
training loss computed with a learning rate of zero. The held-out text is encoded once;
each epoch walks it with the same piece numbers, so its windows, subsampling and noise
words are drawn alike every time and the loss is comparable across epochs. Subsampling
applies as in training, so the held-out loss and the training loss average over the same
kind of examples and can be set side by side (a gap that widens is overfitting).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import EmbedError, is_whole
from ..kernels.optimizer import NO_OPTIMIZER
from ..kernels.piece import Piece, new_worker, train_piece
from ..text.chunks import id_chunks

if TYPE_CHECKING:
    from .word2vec import Word2Vec

ANALOGY_VOCABULARY = 30_000  # gensim's restrict_vocab for evaluate_word_analogies
PAIR_VOCABULARY = 300_000  # and for evaluate_word_pairs
HELD_OUT_PIECES = 1 << 40  # piece numbers no training piece reaches: the held-out text's own draws


class Validation:
    """What ``score`` measures, and which way is better."""

    name = ""
    higher_is_better = True

    def score(self, model: Word2Vec) -> float:
        raise NotImplementedError

    def prepare(self, model: Word2Vec) -> None:
        """Read what the scores need before training starts, so that a bad file is
        refused before the first epoch, not after it."""

    def oov_share(self, model: Word2Vec) -> float | None:
        """The share of the validation set that falls outside the vocabulary."""
        return None

    def describe(self) -> str:
        return self.name

    def better(self, score: float, best: float | None) -> bool:
        """Whether ``score`` improves on ``best`` (None: nothing yet)."""
        if best is None or np.isnan(best):
            return not np.isnan(score)
        return score > best if self.higher_is_better else score < best


class AnalogyAccuracy(Validation):
    name = "analogy accuracy"

    def __init__(self, path: str) -> None:
        self.path = path
        self.last = None  # the last evaluation

    def prepare(self, model: Word2Vec) -> None:
        # Scored once on the weights as they start: the file is read and checked, and the
        # questions in the vocabulary counted, by the evaluation itself.
        self.score(model)
        total = self.last.total
        if not total.answered:  # the accuracy would be 0 every epoch, and an early stop would stop on it
            raise EmbedError(f"{self.path}: none of its {total.skipped:,} questions has its four words among the "
                             f"{ANALOGY_VOCABULARY:,} most frequent words of the vocabulary: validate on another "
                             "file, or held-out text")

    def score(self, model: Word2Vec) -> float:
        from ..vectors.evaluate import evaluate_word_analogies

        self.last = evaluate_word_analogies(model.wv, self.path, restrict_vocab=ANALOGY_VOCABULARY)
        return self.last.accuracy

    def oov_share(self, model: Word2Vec) -> float | None:
        # Which questions fall outside depends on the vocabulary alone: the last score's count holds.
        if self.last is None:
            self.score(model)
        total = self.last.total
        asked = total.answered + total.skipped
        return total.skipped / asked if asked else None

    def describe(self) -> str:
        return f"the questions of {self.path} (in the {ANALOGY_VOCABULARY:,} most frequent words)"


class PairCorrelation(Validation):
    name = "Spearman"

    def __init__(self, path: str) -> None:
        self.path = path
        self.last = None  # the last evaluation

    def prepare(self, model: Word2Vec) -> None:
        # Scored once on the weights as they start: what the evaluation refuses (fewer than
        # two pairs in the vocabulary, human scores all equal) failed after the first epoch.
        self.score(model)

    def score(self, model: Word2Vec) -> float:
        from ..vectors.evaluate import evaluate_word_pairs

        self.last = evaluate_word_pairs(model.wv, self.path, restrict_vocab=PAIR_VOCABULARY)
        return self.last.spearman

    def oov_share(self, model: Word2Vec) -> float | None:
        if self.last is None:
            self.score(model)
        return self.last.oov_ratio / 100

    def describe(self) -> str:
        return f"the pairs of {self.path}"


class HeldOutLoss(Validation):
    """The training loss on text the model does not train on: the kernels run over it
    with a learning rate of zero (and no momentum, which would move the weights even
    then), so nothing changes."""

    name = "held-out loss"
    higher_is_better = False

    def __init__(self, corpus: str | os.PathLike | Sequence[Sequence[str]]) -> None:
        self.corpus = corpus
        self.chunks: list[tuple[np.ndarray, np.ndarray]] | None = None
        self.tokens = 0

    def prepare(self, model: Word2Vec) -> None:
        if self.chunks is None:
            sentences = list(model._sentences(self.corpus))  # a held-out slice: small enough to hold
            self.tokens = sum(len(sentence) for sentence in sentences)
            self.chunks = list(id_chunks(sentences, model.vocab, model.config.chunk_words))
            if not self.chunks:
                raise EmbedError(f"{_name(self.corpus)}: the held-out text has no word of the vocabulary")

    def score(self, model: Word2Vec) -> float:
        self.prepare(model)
        weights = model.weights
        plan = model.plan._replace(optimizer=NO_OPTIMIZER)
        worker = new_worker(plan, weights.rows, weights.output.shape[1])
        loss_sum, examples = 0.0, 0
        for number, (ids, offsets) in enumerate(self.chunks):
            outcome = train_piece(weights.input, weights.output_for(worker.private), plan, worker,
                                  Piece(HELD_OUT_PIECES + number, ids, offsets, 0.0, 0.0))
            loss_sum, examples = loss_sum + outcome.loss, examples + outcome.examples
        return loss_sum / examples if examples else float("nan")

    def oov_share(self, model: Word2Vec) -> float | None:
        if self.chunks is None or not self.tokens:
            return None
        return 1 - sum(len(ids) for ids, _ in self.chunks) / self.tokens

    def describe(self) -> str:
        return f"the tokens of {_name(self.corpus)}"


def validation_for(source: str | os.PathLike | Sequence[Sequence[str]] | Validation) -> Validation:
    """The validation a file asks for: analogies (a line starting with ":"), word pairs
    (lines of two words and a number) or held-out text (anything else, or sentences
    given as lists of tokens).

    >>> from embed.data import bundled
    >>> validation_for(bundled("questions-words.txt")).name, validation_for(bundled("wordsim353.tsv")).name
    ('analogy accuracy', 'Spearman')
    >>> validation_for([["a", "held", "out", "sentence"]]).name
    'held-out loss'
    """
    if isinstance(source, Validation):
        return source
    if not isinstance(source, (str, os.PathLike)):
        return HeldOutLoss(source)
    from ..vectors.evaluate import pair_file_lines, pair_line

    path = os.fspath(source)
    # The usual one-line errors for a missing file or a directory; held-out text may have
    # bytes that are not UTF-8.
    lines = [line for _, line in itertools.islice(pair_file_lines(path, strict=False), 5)]
    if any(line.startswith(":") for line in lines):
        return AnalogyAccuracy(path)
    if lines and all(pair_line(line) == "pair" for line in lines):
        return PairCorrelation(path)
    return HeldOutLoss(path)


def _name(corpus) -> str:
    return os.fspath(corpus) if isinstance(corpus, (str, os.PathLike)) else "held-out sentences"


class EarlyStop:
    """Follows the validation score over a call's epochs. With ``patience`` N it says
    stop after N epochs without improvement, and holds a copy of the best epoch's
    weights in memory to put back: a second copy of the model costs memory but no disk
    and no time, where a checkpoint file would cost a write at every improvement."""

    def __init__(self, validation: Validation, patience: int | None) -> None:
        if patience is not None and not is_whole(patience):
            raise EmbedError(f"early_stop must be a number of epochs >= 1, got {patience!r}")
        self.validation, self.patience = validation, patience
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_weights: tuple[np.ndarray, ...] | None = None
        self.waited = 0

    def after_epoch(self, model: Word2Vec, epoch: int, score: float) -> bool:
        """Record ``score``; whether to stop now."""
        if self.validation.better(score, self.best):
            self.best, self.best_epoch, self.waited = score, epoch, 0
            if self.patience is not None:
                self.best_weights = (model.w_in.copy(), model.w_out.copy())
            return False
        self.waited += 1
        return self.patience is not None and self.waited >= self.patience

    def restore(self, model: Word2Vec) -> None:
        """Put the best epoch's weights back."""
        if self.best_weights is not None:
            model.w_in, model.w_out = self.best_weights
