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

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from ..kernels.loss import SOFTMAX
from ..kernels.piece import Piece, Plan, apply_changes, load_kernels, new_worker, train_piece
from ..kernels.private_rows import NO_PRIVATE_ROWS, PrivateRows, hot_range
from ..memory import release_compiler_pages
from .schedule import CheckpointWriter, RunState, Schedule
from .stop import check_stop, stop_seen
from .weights import Weights

Progress = Callable[[int, float], None]  # (words trained, learning rate reached)


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
) -> int:
    """Train ``chunks`` on ``workers`` threads, skipping the chunks ``run.completed``
    names and finishing those ``run.stopped`` names from where they stopped; chunk i of
    the epoch is number ``run.first_chunk + i``. The epoch's loss, examples, words and
    seconds add up in ``run``. Returns the number of chunks read.

    Ctrl-C raises the workers' halt flag: each stops after the sentence it is in,
    records where in ``run.stopped``, and KeyboardInterrupt is raised. A second Ctrl-C
    while they finish is answered with a line on stderr and does not cut the wait short,
    so the model is never saved in the middle of an update."""
    return _Epoch(weights, plan, loss, workers, run, schedule, progress, checkpoints).train(chunks)


COMPILING = ("embed: compiling the training kernels for this machine, once (about 30-60 s on 2 cores); "
             "later runs load them from Numba's cache in about a second")


def ready_kernels(weights: Weights, plan: Plan, notice: Callable[[str], None] | None = None) -> None:
    """Load (or, the first time, compile) the kernels a run of ``plan`` needs, before
    any progress bar starts: a bar that counts words through a compilation shows
    hundreds of words a second and hours left. Where loading takes over a second,
    which only compiling does, ``notice`` gets one line that says so."""
    timer = threading.Timer(1.0, notice, (COMPILING,)) if notice is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        state = new_worker(plan, weights.rows, weights.output.shape[1])
        load_kernels(weights.input, weights.output_for(state.private), plan, state)
        release_compiler_pages()
    finally:
        if timer is not None:
            timer.cancel()


def _one_blas_thread_each(kind: int, workers: int) -> contextlib.AbstractContextManager:
    """The full softmax's products on one BLAS thread per worker while they train.

    Each worker calls BLAS, and OpenBLAS starts as many threads as there are cores for
    each call: with 2 workers on 2 cores, 4 threads fought for 2 cores and a CBOW
    softmax epoch took 57.3 s against 27.2 s with one BLAS thread each (500k tokens of
    wiki2015-17m, V=8,675; measured). The limit is the process's and is lifted when the
    epoch ends."""
    if kind != SOFTMAX or workers == 1:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


class _Epoch:
    """The threads of one epoch and what they share."""

    def __init__(self, weights, plan, loss, workers, run, schedule, progress, checkpoints) -> None:
        self.weights, self.plan, self.workers, self.run = weights, plan, workers, run
        self.schedule, self.progress, self.checkpoints = schedule, progress, checkpoints
        self.jobs: queue.Queue = queue.Queue(maxsize=2 * workers)
        self.failures: list[BaseException] = []
        self.stop = threading.Event()
        self.halt_flag = np.zeros(1, np.uint8)  # read by the drivers between sentences
        self.idle = threading.Condition()  # guards in_flight, the run's record and the progress bar
        self.merge = threading.Lock()  # one merge of private rows at a time
        self.in_flight = 0
        self.chunks_read = 0
        first, count, self.share = hot_range(loss, weights.rows, workers)
        if count:
            weights.make_room(workers * count)
        self.states = [
            new_worker(plan, weights.rows, weights.output.shape[1],
                       PrivateRows(first, count, weights.rows + slot * count) if count else NO_PRIVATE_ROWS,
                       self.halt_flag)
            for slot in range(workers)
        ]

    def train(self, chunks: Iterator) -> int:
        # Loaded before the clock starts: it is the run's start-up, not the epoch's pace.
        state = self.states[0]
        load_kernels(self.weights.input, self.weights.output_for(state.private), self.plan, state)
        started = time.perf_counter()
        # A worker that finishes a chunk needs the GIL to take the next one; while the
        # reader tokenises it holds the GIL for up to the switch interval (5 ms), as long
        # as a CBOW worker takes to train a chunk. A shorter interval keeps workers fed.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, 0.0005))
        threads = [_Thread(self.read, chunks)] + [_Thread(self.work, slot) for slot in range(self.workers)]
        try:
            with _one_blas_thread_each(self.plan.kind, self.workers):
                for thread in threads:
                    thread.start()
                try:
                    _wait(threads)
                except KeyboardInterrupt:
                    self.halt()
                    _wait(threads, patiently=True)
                    raise
        finally:
            sys.setswitchinterval(interval)
            self.run.seconds += time.perf_counter() - started
        if self.failures:
            raise self.failures[0]
        return self.chunks_read

    def halt(self) -> None:
        self.stop.set()
        self.halt_flag[0] = 1
        with self.idle:
            self.idle.notify_all()

    def read(self, chunks: Iterator) -> None:
        run, skip, stopped = self.run, set(self.run.completed), self.run.stopped_pieces()
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
                self.put(Piece(number, ids, offsets, alpha_start, alpha_end, stopped.get(number)))
        except BaseException as error:  # reported by the main thread
            self.failures.append(error)
            self.halt()
        finally:
            for _ in range(self.workers):
                self.put(None, force=True)

    def work(self, slot: int) -> None:
        weights, plan, state, run = self.weights, self.plan, self.states[slot], self.run
        w_out = weights.output_for(state.private)
        try:
            while True:
                piece = self.jobs.get()
                if piece is None or self.stop.is_set():
                    return
                outcome = train_piece(weights.input, w_out, plan, state, piece)
                if state.private.count:
                    with self.merge:
                        apply_changes(w_out, outcome.changes, self.share)
                first = piece.resume.sentence if piece.resume else 0
                last = outcome.stopped.sentence if outcome.stopped else piece.sentences
                words = int(piece.offsets[last] - piece.offsets[first])
                with self.idle:
                    run.record(piece.number, outcome.stopped, outcome.loss, outcome.examples, words)
                    self.in_flight -= 1
                    self.idle.notify_all()
                    self.progress(words, piece.alpha_end)
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



class _Thread(threading.Thread):
    """A daemon thread with an event that says it has finished. Waiting on the event,
    not on ``join``: in Python 3.11 a Ctrl-C that interrupts ``join`` marks a thread
    that is still running as finished (CPython issue 90882), and the model would then
    be saved while a worker still writes to it."""

    def __init__(self, target, argument) -> None:
        super().__init__(daemon=True)
        self.body, self.argument, self.finished = target, argument, threading.Event()

    def run(self) -> None:
        try:
            self.body(self.argument)
        finally:
            self.finished.set()


def _wait(threads: list[_Thread], patiently: bool = False) -> None:
    """Wait for ``threads``; ``patiently``, a Ctrl-C meanwhile is answered, not obeyed."""
    for thread in threads:
        while not thread.finished.is_set():
            try:
                thread.finished.wait(0.1)
                if not patiently:
                    check_stop()
            except KeyboardInterrupt:
                stop_seen()
                if not patiently:
                    raise
                print("embed: still stopping: each worker finishes the sentence it is in, then the model is saved",
                      file=sys.stderr, flush=True)
