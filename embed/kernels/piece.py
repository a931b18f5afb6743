"""A piece of a shard, the unit of training work, and the change it makes.

``train_piece`` trains on one piece (a chunk of sentences as word ids) from the weights
it is given and returns the change to the output rows the worker kept to itself;
``apply_changes`` adds a share of such a change to the shared weights. The thread engine
(``embed.training.threads``) keeps the 512 hottest output rows private to each worker
(``embed.kernels.private_rows``) and trains every other row in place, as Hogwild does;
with one worker nothing is private and a run is bit-for-bit reproducible.

What a run computes with is one ``Plan``; what a worker owns is one ``WorkerState``.
Both are named tuples of numbers and arrays, so the kernels that take them still load
from Numba's on-disk cache.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from ..text.rng import make_state
from ..text.windows import WINDOW_STREAM
from .batch import Batch, new_batch
from .cbow import train_cbow_chunk
from .densematrix import aligned_zeros
from .loss import SOFTMAX, Tables
from .optimizer import NO_OPTIMIZER, Optimizer
from .private_rows import NO_PRIVATE_ROWS, PrivateRows, check_out
from .skipgram import train_skipgram_chunk

CBOW = 0
SKIPGRAM = 1
ARCH_CODES = {"cbow": CBOW, "skipgram": SKIPGRAM}
NOISE_STREAM = 1  # the rng stream noise words are drawn from (windows draw from WINDOW_STREAM)


class Plan(NamedTuple):
    """What every piece of a run computes with."""

    arch: int  # CBOW or SKIPGRAM
    kind: int  # the loss: embed.kernels.loss.NEGATIVE, SOFTMAX or HIERARCHICAL
    tables: Tables  # unused ones empty
    keep_prob: np.ndarray  # float32 per word: subsampling's chance to keep it
    window: int
    negative: int
    softmax_batch: int
    cbow_mean: bool
    saturation: float  # inf: the exact gradient everywhere
    seed: int
    share_noise: bool = True  # skip-gram: a window's pairs share the centre's noise words and rows
    shared_softmax: bool = True  # skip-gram, full softmax: one softmax per centre word, its context the targets
    optimizer: Optimizer = NO_OPTIMIZER  # the full softmax's momentum and decay
    shrink_windows: bool = True  # each centre draws its window from 1..window (False: always the whole window)
    dim: int = 0  # the columns a change carries; the rest of a row is the pad, zero throughout (0: every column)


class WorkerState(NamedTuple):
    """What one worker owns: its batch, its private rows and their values at the
    start of the piece, and its random states (reset for every piece); and the halt
    flag it shares with the other workers, which stops it between sentences."""

    batch: Batch
    private: PrivateRows
    snapshot: np.ndarray
    window_state: np.ndarray
    noise_state: np.ndarray
    halt: np.ndarray  # uint8[1]: non-zero asks the drivers to stop at the next sentence


class Resume(NamedTuple):
    """Where a piece stopped by the halt flag goes on: the sentence and the random
    states it had reached."""

    sentence: int
    window_state: int
    noise_state: int


class Piece(NamedTuple):
    """Sentences ``ids[offsets[s]:offsets[s + 1]]``; ``number`` fixes its random draws.
    A piece stopped part way carries where to go on from in ``resume``."""

    number: int
    ids: np.ndarray
    offsets: np.ndarray
    alpha_start: float
    alpha_end: float
    resume: Resume | None = None

    @property
    def sentences(self) -> int:
        return self.offsets.shape[0] - 1


class Outcome(NamedTuple):
    """What training a piece did: the change to the worker's private rows, the loss sum
    and examples, and where it stopped (None once every sentence is trained)."""

    changes: Changes
    loss: float
    examples: int
    stopped: Resume | None


class Changes(NamedTuple):
    """What a piece changed in rows it kept private: ``delta[i]`` is row ``rows[i]``'s."""

    rows: np.ndarray
    delta: np.ndarray


def new_worker(
    plan: Plan, output_rows: int, width: int, private: PrivateRows = NO_PRIVATE_ROWS, halt: np.ndarray | None = None
) -> WorkerState:
    """A worker's state for training against an output matrix of ``output_rows`` rows of
    ``width`` floats (for the full softmax: exactly the vocabulary's rows). Workers
    that are to stop together share one ``halt`` flag."""
    max_targets = 1
    if plan.arch == SKIPGRAM:
        size = plan.softmax_batch if plan.kind == SOFTMAX else 2 * plan.window
        max_sources = 1
        if plan.kind == SOFTMAX and plan.shared_softmax:
            max_targets = 2 * plan.window
    else:
        size = plan.softmax_batch if plan.kind == SOFTMAX else 1
        max_sources = 2 * plan.window
    batch = new_batch(plan.kind, output_rows, width, plan.negative, size, max_sources, plan.tables.codes.shape[1],
                      max_targets)
    snapshot = aligned_zeros((private.count, width))
    halt = np.zeros(1, np.uint8) if halt is None else halt
    return WorkerState(batch, private, snapshot, aligned_zeros(1, np.uint64), aligned_zeros(1, np.uint64), halt)


def train_piece(w_in: np.ndarray, w_out: np.ndarray, plan: Plan, worker: WorkerState, piece: Piece) -> Outcome:
    """Train on ``piece`` (from where it stopped, if it did); every row of ``w_in`` and
    ``w_out`` except the worker's private ones is updated in place.

    What it computes depends on the weights, the plan and the piece alone: its random
    draws come from the seed and the piece's number, not from the worker. A piece
    stopped by the halt flag and then finished ends exactly as if it had not stopped.
    """
    if piece.resume is None:
        first = 0
        worker.window_state[:] = make_state(plan.seed, WINDOW_STREAM, piece.number)
        worker.noise_state[:] = make_state(plan.seed, NOISE_STREAM, piece.number)
    else:
        first = piece.resume.sentence
        worker.window_state[:] = piece.resume.window_state
        worker.noise_state[:] = piece.resume.noise_state
    private = worker.private
    check_out(w_out, private, worker.snapshot)
    driver = train_skipgram_chunk if plan.arch == SKIPGRAM else train_cbow_chunk
    loss, examples, reached = driver(
        piece.ids, piece.offsets, first, w_in, w_out, plan, worker, piece.alpha_start, piece.alpha_end
    )
    stopped = None
    if reached < piece.sentences:
        stopped = Resume(int(reached), int(worker.window_state[0]), int(worker.noise_state[0]))
    return Outcome(private_changes(w_out, private, worker.snapshot), loss, examples, stopped)


def load_kernels(w_in: np.ndarray, w_out: np.ndarray, plan: Plan, worker: WorkerState) -> None:
    """Load the kernels ``train_piece`` runs from Numba's cache (or compile them), now,
    on the calling thread, by training a piece of no sentences: nothing changes.

    A Ctrl-C that lands while a worker thread loads a kernel could leave Numba's
    compiler lock held, and the other workers, and the wait for them, hung. On the main
    thread it simply interrupts the load.
    """
    empty = Piece(0, np.zeros(0, np.int32), np.zeros(1, np.int64), 0.0, 0.0)
    train_piece(w_in, w_out, plan, worker, empty)
    # Also where this worker has no private rows: the epoch's workers may have some.
    apply_changes(w_out, private_changes(w_out, worker.private, worker.snapshot), 0.0)


def private_changes(w_out: np.ndarray, private: PrivateRows, snapshot: np.ndarray) -> Changes:
    """How far a worker's copies of its private rows moved from ``snapshot``."""
    rows = np.arange(private.first, private.first + private.count)
    return Changes(rows, w_out[private.home : private.home + private.count] - snapshot)


@njit(cache=True, nogil=True)
def apply_changes(w_out, changes, share):
    """Add ``share`` of a piece's changes to the shared rows, which other workers may
    have changed meanwhile. Callers serialise it: two at once would lose one's change."""
    for i in range(changes.rows.shape[0]):
        row = changes.rows[i]
        for k in range(changes.delta.shape[1]):  # a change may leave out the pad
            w_out[row, k] += np.float32(share) * changes.delta[i, k]
