"""One epoch on threads: a reader hands chunks of ids to workers that train them.

Workers run the nogil kernels at once on shared matrices without locks (Hogwild, as
word2vec and gensim do), except for the few output rows nearly every example writes,
which each worker keeps private for a chunk and merges, under a lock, when the chunk
ends (``embed.kernels.piece``). A bounded queue between the reader and the workers
keeps memory flat whatever the corpus length. Each chunk's random states derive from
the seed and the chunk's number, and its learning rate from the words before it, so
with one worker an epoch is bit-for-bit reproducible.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np

from ..kernels.piece import Piece, Plan, apply_changes, new_worker, train_piece
from ..kernels.private_rows import NO_PRIVATE_ROWS, PrivateRows, hot_range
from .schedule import CheckpointWriter, RunState, Schedule
from .weights import Weights

Progress = Callable[[int, float], None]  # (words trained, learning rate reached)


class EpochTally(NamedTuple):
    loss_sum: float
    examples: int
    words: int
    seconds: float
    chunks: int  # chunks read, those trained before a resume included


def train_epoch(
    weights: Weights,
    plan: Plan,
    loss: str,
    workers: int,
    chunks: Iterator[tuple[np.ndarray, np.ndarray]],
    run: RunState,
    schedule: Schedule,
    progress: Progress,
    checkpoints: CheckpointWriter,
) -> EpochTally:
    """Train ``chunks`` on ``workers`` threads, skipping the chunks ``run.completed``
    names; chunk i of the epoch is number ``run.first_chunk + i``. Ctrl-C lets the
    chunks in progress finish, then raises KeyboardInterrupt."""
    return _Epoch(weights, plan, loss, workers, run, schedule, progress, checkpoints).train(chunks)


class _Epoch:
    """The threads of one epoch and what they share."""

    def __init__(self, weights, plan, loss, workers, run, schedule, progress, checkpoints) -> None:
        self.weights, self.plan, self.workers, self.run = weights, plan, workers, run
        self.schedule, self.progress, self.checkpoints = schedule, progress, checkpoints
        self.jobs: queue.Queue = queue.Queue(maxsize=2 * workers)
        self.tallies = np.zeros((workers, 3), dtype=np.float64)  # loss, examples, words per worker
        self.failures: list[BaseException] = []
        self.stop = threading.Event()
        self.idle = threading.Condition()  # guards in_flight, run.completed and the progress bar
        self.merge = threading.Lock()  # one merge of private rows at a time
        self.in_flight = 0
        self.chunks_read = 0
        first, count, self.share = hot_range(loss, weights.rows, workers)
        if count:
            weights.make_room(workers * count)
        self.states = [
            new_worker(plan, weights.rows, weights.output.shape[1],
                       PrivateRows(first, count, weights.rows + slot * count) if count else NO_PRIVATE_ROWS)
            for slot in range(workers)
        ]

    def train(self, chunks: Iterator) -> EpochTally:
        started = time.perf_counter()
        # A worker that finishes a chunk needs the GIL to take the next one; while the
        # reader tokenises it holds the GIL for up to the switch interval (5 ms), as long
        # as a CBOW worker takes to train a chunk. A shorter interval keeps workers fed.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.0005))
        threads = [threading.Thread(target=self.read, args=(chunks,), daemon=True)]
        threads += [threading.Thread(target=self.work, args=(slot,), daemon=True) for slot in range(self.workers)]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.1)
        except KeyboardInterrupt:
            self.halt()
            for thread in threads:
                thread.join()
            raise
        finally:
            sys.setswitchinterval(interval)
        if self.failures:
            raise self.failures[0]
        loss_sum, examples, words = self.tallies.sum(axis=0)
        return EpochTally(float(loss_sum), int(examples), int(words), time.perf_counter() - started, self.chunks_read)

    def halt(self) -> None:
        self.stop.set()
        with self.idle:
            self.idle.notify_all()

    def read(self, chunks: Iterator) -> None:
        run, skip = self.run, set(self.run.completed)
        try:
            for index, (ids, offsets) in enumerate(chunks):
                if self.stop.is_set():
                    return
                self.chunks_read = index + 1
                number = run.first_chunk + index
                alpha_start, alpha_end = self.schedule.span(len(ids))  # skipped chunks move it too
                if number in skip:
                    continue
                if self.checkpoints.due_by_time():
                    with self.idle:  # a checkpoint is exact only once every dispatched chunk is done
                        self.idle.wait_for(lambda: self.in_flight == 0 or self.stop.is_set())
                    if self.stop.is_set():
                        return
                    self.checkpoints.write()
                with self.idle:
                    self.in_flight += 1
                self.put(Piece(number, ids, offsets, alpha_start, alpha_end))
        except BaseException as error:  # reported by the main thread
            self.failures.append(error)
            self.stop.set()
        finally:
            for _ in range(self.workers):
                self.put(None, force=True)

    def work(self, slot: int) -> None:
        weights, plan, state = self.weights, self.plan, self.states[slot]
        w_out = weights.output_for(state.private)
        try:
            while True:
                piece = self.jobs.get()
                if piece is None or self.stop.is_set():
                    return
                changes, loss, examples = train_piece(weights.input, w_out, plan, state, piece)
                if state.private.count:
                    with self.merge:
                        apply_changes(w_out, changes, self.share)
                self.tallies[slot] += (loss, examples, len(piece.ids))
                with self.idle:
                    self.run.completed.append(piece.number)
                    self.in_flight -= 1
                    self.idle.notify_all()
                    self.progress(len(piece.ids), piece.alpha_end)
        except BaseException as error:
            self.failures.append(error)
            self.halt()

    def put(self, item, force: bool = False) -> None:
        while True:
            if self.stop.is_set() and not force:
                return
            try:
                self.jobs.put(item, timeout=0.1)
                return
            except queue.Full:
                if self.stop.is_set() and force:
                    try:  # workers are leaving: make room for the sentinel
                        self.jobs.get_nowait()
                    except queue.Empty:
                        pass
