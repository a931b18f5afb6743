"""Where a training run stands: the learning rate, the epochs and chunks done, the
per-epoch statistics, and when to write checkpoints."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import EmbedError
from ..text.location import file_path
from ..kernels.piece import Resume
from .config import Real, Whole


@dataclass(frozen=True)
class EpochStats:
    epoch: int
    loss: float  # mean loss per training example (pair for skip-gram, window for CBOW)
    loss_sum: float
    examples: int
    words: int
    seconds: float
    # Mean loss of each tenth of the epoch's words, in the order pieces finished (with
    # several workers a tenth holds what finished in it); empty where not recorded.
    tenths: tuple[float, ...] = ()
    validation: float | None = None  # the score of train(validate=...) at the epoch's end


@dataclass
class RunState:
    """Where a ``train`` call stands, so that it can be resumed exactly, and what the
    epoch in progress has added up so far (a resumed epoch's statistics count the
    chunks trained before the stop too). Saved in model files as JSON types."""

    epochs: int
    words_per_epoch: int
    epoch: int = 0  # epochs of this call completed
    first_chunk: int = 0  # the number of the current epoch's first chunk
    completed: list[int] = field(default_factory=list)  # chunks of the current epoch already trained
    # Chunks a stop cut short: [number, sentence to go on from, window state, noise state].
    stopped: list[list[int]] = field(default_factory=list)
    loss_sum: float = 0.0
    examples: int = 0
    words: int = 0
    seconds: float = 0.0
    corpus: dict | None = None  # what the call trains on (embed.training.word2vec's corpus_identity)
    tenths: list[float] = field(default_factory=list)  # the epoch's tenths recorded so far
    tenth_loss: float = 0.0  # what the tenth in progress has added up
    tenth_examples: int = 0
    alpha: float | None = None  # this call's start and end rates where not the config's (start_alpha, end_alpha)
    min_alpha: float | None = None
    rounds: bool = False  # trained in rounds (embed.training.rounds): ``completed`` holds the epoch's cycles

    def record(self, number: int, stopped: Resume | None, loss_sum: float, examples: int, words: int) -> None:
        """A piece of chunk ``number`` was trained: to the end, or up to ``stopped``."""
        self.stopped = [entry for entry in self.stopped if entry[0] != number]
        if stopped is None:
            self.completed.append(number)
        else:
            self.stopped.append([number, *stopped])
        self.loss_sum += loss_sum
        self.examples += examples
        self.words += words
        self.tenth_loss += loss_sum
        self.tenth_examples += examples
        if 10 * self.words >= (len(self.tenths) + 1) * self.words_per_epoch:
            self._close_tenth()

    def _close_tenth(self) -> None:
        if self.tenth_examples:
            self.tenths.append(self.tenth_loss / self.tenth_examples)
        self.tenth_loss, self.tenth_examples = 0.0, 0

    def stopped_pieces(self) -> dict[int, Resume]:
        return {entry[0]: Resume(*entry[1:]) for entry in self.stopped}

    def epoch_done(self, epoch: int) -> EpochStats:
        """The statistics of the epoch just finished (numbered ``epoch`` over the model's
        life); the next epoch starts from nothing."""
        self._close_tenth()
        stats = EpochStats(
            epoch=epoch,
            loss=self.loss_sum / self.examples if self.examples else float("nan"),
            loss_sum=self.loss_sum,
            examples=self.examples,
            words=self.words,
            seconds=self.seconds,
            tenths=tuple(self.tenths),
        )
        self.tenths = []
        self.epoch += 1
        self.completed, self.stopped = [], []
        self.loss_sum, self.examples, self.words, self.seconds = 0.0, 0, 0, 0.0
        return stats


class Schedule:
    """The learning rate over the words handed to workers: linear decay from ``alpha``
    to ``min_alpha`` (word2vec's), ``step`` (``alpha`` divided by ``factor`` at the
    start of each epoch in ``step_epochs``, numbered from 1 over this run; by default
    once, halfway) or ``constant``. The stepped and constant rates hold through each
    piece of work, so a piece never straddles a step.

    >>> schedule = Schedule(0.025, 0.0, total_words=100)
    >>> schedule.span(50), schedule.span(50)
    ((0.025, 0.0125), (0.0125, 0.0))
    >>> stepped = Schedule(0.1, 0.0, total_words=40, kind="step", per_epoch=10)
    >>> [stepped.span(10)[0] for _ in range(4)]  # 4 epochs: a step at epoch 3
    [0.1, 0.1, 0.01, 0.01]
    """

    def __init__(self, alpha: float, min_alpha: float, total_words: int, kind: str = "linear",
                 per_epoch: int | None = None, factor: float = 10.0, step_epochs: tuple[int, ...] | None = None) -> None:
        self.alpha, self.min_alpha, self.total = alpha, min_alpha, max(1, total_words)
        self.kind, self.factor = kind, factor
        self.per_epoch = max(1, per_epoch or self.total)
        epochs = -(-self.total // self.per_epoch)
        self.step_epochs = step_epochs if step_epochs is not None else (epochs // 2 + 1,) if epochs > 1 else ()
        self.done = 0

    @classmethod
    def for_run(cls, config, epochs: int, per_epoch: int, alpha: float | None = None,
                min_alpha: float | None = None) -> Schedule:
        """The schedule ``config`` asks for, over ``epochs`` epochs of ``per_epoch``
        words, from ``alpha`` to ``min_alpha`` where given instead of the config's."""
        return cls(config.alpha if alpha is None else alpha, config.min_alpha if min_alpha is None else min_alpha,
                   epochs * per_epoch, config.lr_schedule, per_epoch, config.lr_step_factor, config.lr_step_epochs)

    def at(self, words: int) -> float:
        if self.kind == "constant":
            return self.alpha
        if self.kind == "step":
            epoch = min(words, self.total - 1) // self.per_epoch + 1
            return self.alpha / self.factor ** sum(1 for e in self.step_epochs if e <= epoch)
        share = min(1.0, words / self.total)
        return self.alpha - (self.alpha - self.min_alpha) * share

    def span(self, words: int) -> tuple[float, float]:
        """The learning rate at the start and end of the next ``words`` words."""
        start = self.at(self.done)
        self.done += words
        return (start, start) if self.kind != "linear" else (start, self.at(self.done))


@dataclass(frozen=True)
class Checkpoints:
    """Write the model to ``path`` every ``epochs`` epochs and/or every ``seconds`` seconds.

    >>> Checkpoints("model.embed", epochs=1).epochs
    1
    """

    path: str
    epochs: int | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        file_path(self.path)
        if self.epochs is None and self.seconds is None:
            raise EmbedError("Checkpoints needs epochs= or seconds=: with neither, none would be written")
        # Config's constraints: NumPy numbers taken, as Python's (np.float32 seconds were refused).
        object.__setattr__(self, "epochs", Whole(1, optional=True).check("Checkpoints' epochs", self.epochs))
        object.__setattr__(self, "seconds",
                           Real(0, low_open=True, optional=True).check("Checkpoints' seconds", self.seconds))


class CheckpointWriter:
    """Calls ``save(path)`` when ``Checkpoints`` says a checkpoint is due; without
    checkpoints it is never due."""

    def __init__(self, checkpoints: Checkpoints | None, save: Callable[[str], None]) -> None:
        self.checkpoints = checkpoints
        self.save = save
        self.last = time.monotonic()

    def due_by_time(self) -> bool:
        seconds = self.checkpoints.seconds if self.checkpoints else None
        return bool(seconds) and time.monotonic() - self.last >= seconds

    def due_after_epoch(self, epoch: int) -> bool:
        every = self.checkpoints.epochs if self.checkpoints else None
        return bool(every) and epoch % every == 0

    def write(self) -> None:
        """Save a checkpoint; one that cannot be written (a full disk) is a warning, and
        training goes on: the checkpoint before it is still whole."""
        try:
            self.save(self.checkpoints.path)
        except (OSError, EmbedError) as error:
            warnings.warn(f"checkpoint not written, training goes on: {error}", CheckpointWarning)
        self.last = time.monotonic()


class CheckpointWarning(UserWarning):
    """A checkpoint could not be written."""
