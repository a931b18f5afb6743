"""Training in rounds on a Dask cluster (``pip install 'embed[dask]'``).

The tasks are ``embed.training.rounds``' pure functions. Each worker reads and encodes
the shards it is given (the corpus must be at the same path on every worker); the
encoded shards stay on the workers as Dask futures, so a worker that dies has its
shards encoded again elsewhere from the same inputs. Each worker process keeps a
replica of each run's model (``Replica``; several runs may share a cluster, and a run
frees its own at its end): a run's first round sends the whole model (and an
epoch's first, where a callback may have changed the weights); in each later round the
workers fetch the round before's changes from each other and merge them themselves,
with the coordinator's rule, so nothing but changes travels. A round is sent before the
one before has ended, and starts as soon as that one's tasks end. With
``full_merge_every`` N > 1, each shard's own model also lives on its home worker
between full merges; a worker that lost it (it died, or its task ran elsewhere) has
the cycle run again, as below.

The changes stay on the workers: the coordinator takes each task's totals (loss,
examples, words), and copies the model from a replica only when it must read it (a
checkpoint, an epoch's end that a callback or a validation reads, a stop, the run's
end) or every 10 s (``SYNC_SECONDS``, longer where a copy takes more than 2% of the
time), from a worker that trained in the last round. Each
shard's tasks run on one worker (its home) while it lives, so a round finds the replicas
one merge from its model. Where a round cannot run (its inputs went with a dead worker,
or a task found no replica at the round before: a worker that joined or was restarted),
the rounds since the coordinator's last copy run again from it, the first with the
whole model; so do they, without the round failing first, where a worker's shards sat
out the last round (their pieces ran out first, at an epoch's end) and its replica is
behind. A stop that no worker answers goes back to those rounds. The tasks being pure,
what runs again gives the same changes.

    >>> connect_address("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import re
import signal
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import EmbedError
from ..memory import check_fits, gigabytes
from ..text import location
from ..text.shards import Segment
from .rounds import (Change, Merger, RoundsWarning, added_up, count_shard, copied_into, drop_working_copies,
                     encode_shard, piece_bounds, train_own_piece, train_shard_piece)
from .stop import check_stop, deferred, held_back, record_stop, stop_seen
from .weights import model_bytes

CONNECT_SECONDS = 5
SCATTER_ATTEMPTS = 20  # half a second apart
ROUND_ATTEMPTS = 5  # a cycle's tasks sent again after losing their inputs or models with a worker
STOP_SYNC_SECONDS = 30  # a stopping run's wait for the model from a worker
# A LocalCluster worker process with Python, Dask, NumPy, Numba and embed's kernels
# loaded, before any model: 160-167 MB after a small run on this project's machine.
WORKER_PROCESS_BYTES = 150 * 10**6


def connect_address(cluster: str) -> str:
    """The scheduler address a ``--cluster`` value names (host:port gets tcp://)."""
    if "://" in cluster:
        return cluster
    if re.fullmatch(r"[\w.-]+:\d+", cluster):
        return "tcp://" + cluster
    raise EmbedError(f"--cluster must be local:N or a scheduler address such as tcp://host:8786, got {cluster!r}")


@contextlib.contextmanager
def connected(cluster: Any) -> Iterator[Any]:
    """A ``distributed.Client`` for ``cluster``: a Client (used as it is), "local:N"
    (a LocalCluster of N single-threaded worker processes, closed on the way out, on
    success, error or Ctrl-C alike) or a scheduler's address. Checks that workers are
    there and run this version of embed."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EmbedError("training on a cluster needs Dask: pip install 'embed[dask]'") from None
    if isinstance(cluster, Client):
        _check_workers(cluster)
        yield cluster
        return
    text = str(cluster)
    local = re.fullmatch(r"local:(\d+)", text)
    with contextlib.ExitStack() as stack:
        if local:
            workers = int(local.group(1))
            if workers < 1:
                raise EmbedError(f"--cluster local:N needs N >= 1, got {text!r}")
            # Before any starts: local:1000 went on starting processes, with Dask's warnings,
            # until the machine ran out.
            check_fits(workers * WORKER_PROCESS_BYTES,
                       f"--cluster {text} ({workers} worker processes of about {WORKER_PROCESS_BYTES // 10**6} MB "
                       f"each before the model; one a core is local:{os.cpu_count()})")
            if _importing_the_script_again():
                raise SystemExit(_UNGUARDED)
            import dask

            # Dask's profiler samples every thread of a worker each 10 ms, for a dashboard
            # that a cluster embed starts does not show; with as many workers as cores, its
            # time comes out of training. Work stealing would move a round's task away
            # from its shard's home, where its own model is, and the cycle would run
            # again. Dask starts its workers with MALLOC_TRIM_THRESHOLD_ set, which turns off
            # glibc's own raising of the threshold above which a block is mapped afresh: every
            # change a worker gathers or receives (tens of MB at a full merge) then cost its
            # page faults, and a full merge's transfer took a third longer. The workers
            # embed starts keep freed memory for the next such block instead. Dask's
            # event loops also wake every 20 ms to time themselves, and its nannies and
            # workers read their memory every 0.1 and 0.5 s: on an idle local:2, 7.6% of a
            # core, against about 1% at the intervals below; with as many workers as cores,
            # training ran 8% faster (CBOW, wiki2015-17m, 2 cores). A user's own cluster
            # keeps its settings.
            #
            # A nanny takes its workers' environment from this process's, where set, over
            # Dask's configuration, and sets it here too: a LocalCluster that ran before in
            # this process left Dask's MALLOC_TRIM_THRESHOLD_ behind. So the thresholds go
            # into this process's environment while the cluster lives, and out after.
            stack.callback(_restore_environment, {name: os.environ.get(name) for name in _MALLOC})
            os.environ.update(_MALLOC)
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.scheduler.work-stealing": False,
                                  "distributed.admin.tick.interval": "500ms",
                                  "distributed.worker.memory.monitor-interval": "1s",
                                  "distributed.admin.system-monitor.interval": "5s"}):
                try:
                    # A stop while the cluster starts waits for it: cut short inside
                    # LocalCluster's constructor, it would leave the worker processes running
                    # with nothing to close them.
                    with deferred("the local cluster has started (to close it)"), _ctrl_c_ignored():
                        # The scheduler's HTTP server on a free port of this machine alone, with no
                        # dashboard: on Dask's 8787, taken by another cluster, Dask warned of it in
                        # three lines. (An address without its host listens on every interface.)
                        started = stack.enter_context(
                            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                                         silence_logs=50))
                except RuntimeError as error:
                    _raise_held_stop()  # the user's stop, rather than the failure it may have caused
                    # Dask's "Nanny failed to start" leaves the cause to the workers' own output;
                    # a script without the guard is the usual one.
                    hint = f"; in a script, {_GUARD}" if "failed to start" in str(error) else ""
                    raise EmbedError(f"--cluster {text}: the worker processes did not start "
                                     f"({_first_line(error)}){hint}") from None
                _raise_held_stop()
            client = stack.enter_context(Client(started, timeout=f"{CONNECT_SECONDS}s", direct_to_workers=True))
            client.register_plugin(OwnProcessGroup(), name="embed-own-process-group")
        else:
            address = connect_address(text)
            try:
                client = stack.enter_context(Client(address, timeout=f"{CONNECT_SECONDS}s", direct_to_workers=True))
            except (OSError, TimeoutError) as error:
                raise EmbedError(f"--cluster {text}: no Dask scheduler answered within {CONNECT_SECONDS} s "
                                 f"({_first_line(error)})") from None
        _check_workers(client)
        yield client


# glibc's thresholds for the workers embed starts (see ``connected``); glibc reads them
# when a process starts.
_MALLOC = {"MALLOC_TRIM_THRESHOLD_": str(1 << 30), "MALLOC_MMAP_THRESHOLD_": str(1 << 25)}


def _raise_held_stop() -> None:
    """Raise a stop held back while the cluster started, and forget it: it leaves with
    this exception, and a later run in this process must not meet it again."""
    try:
        check_stop()
    except KeyboardInterrupt:
        stop_seen()
        raise


@contextlib.contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored in this process while it starts worker processes, which keep it
    ignored: a terminal sends Ctrl-C to its whole foreground group, and a worker process
    still importing Dask died of it with a traceback, failing the cluster's start. (Once
    started, the workers leave the group: ``OwnProcessGroup``.) A Ctrl-C in those seconds
    is lost, and a start that hangs cannot be stopped from the keyboard (under the embed
    command, a second SIGTERM stops it); only the main thread may set a handler, so a
    cluster started from another thread goes without."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _restore_environment(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


_GUARD = 'train under `if __name__ == "__main__":`, as each worker process runs the script again'
_UNGUARDED = f"embed: a LocalCluster's worker process ran the script again and reached cluster='local:N': {_GUARD}"


def _importing_the_script_again() -> bool:
    """Whether this is a process that multiprocessing started (as Dask starts a
    LocalCluster's workers) running the program's script again: the script calls
    ``embed.train(..., cluster="local:N")`` outside ``if __name__ == "__main__":``, and
    each worker would start a cluster of its own. Such a process runs the script as the
    module ``__mp_main__`` while ``__main__`` is still multiprocessing's own; elsewhere
    (multiprocessing makes the name an alias on import) the two are one module."""
    import sys

    return "__mp_main__" in sys.modules and sys.modules["__mp_main__"] is not sys.modules.get("__main__")


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # without Dask, ``connected`` says what to install
    WorkerPlugin = object


class OwnProcessGroup(WorkerPlugin):
    """A Dask worker plugin: the worker process leaves the terminal's process group, so
    that a Ctrl-C reaches the coordinator alone. The coordinator then stops between
    rounds, takes the model from the workers' replicas and closes the LocalCluster it
    started; before, the Ctrl-C killed the workers with it, and they printed their
    tracebacks. Registered on the clusters ``embed`` starts (and their restarted
    workers), never on a user's."""

    def setup(self, worker) -> None:
        import os

        with contextlib.suppress(OSError):  # already a group's leader
            os.setpgid(0, 0)


def _check_workers(client) -> None:
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except TimeoutError:
        raise EmbedError(f"the Dask scheduler at {client.scheduler.address} has no workers "
                         f"(none joined within {CONNECT_SECONDS} s)") from None
    try:
        versions = client.run(_embed_version)
    except Exception as error:  # the worker's own exception, ModuleNotFoundError when embed is missing
        raise EmbedError(f"Dask workers cannot run embed's tasks: {_first_line(error)}; install embed "
                         f"{_embed_version()} on every worker") from None
    here = _embed_version()
    others = {worker: version for worker, version in versions.items() if version != here}
    if others:
        worker, version = next(iter(others.items()))
        raise EmbedError(f"Dask worker {worker} runs embed {version}, this is {here}: install the same version "
                         "everywhere")


def _embed_version() -> str:
    """The installed embed's version, here or on a worker."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("embed")
    except PackageNotFoundError:  # run from a source tree
        return "unknown"


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def _on_worker(function, *args):
    """``function(*args)``, an error naming the worker it ran on."""
    try:
        return function(*args)
    except EmbedError as error:
        from distributed import get_worker

        raise EmbedError(f"Dask worker {get_worker().address}: {error}") from None


def _scatter(client, data: list) -> list:
    """``data`` on every worker, under keys of its own: a key shared with an earlier
    run's data (as hashing gives) could be forgotten by that run's late cancel. A worker
    that has just died is still on the scheduler's list for a moment, and sending to it
    fails: wait for the scheduler to notice, and send again to the workers there are.
    Where none is running (all restarting: a nanny restarts a worker that outgrew its
    memory limit), the scheduler refuses with a ValueError of its own ("Can not use
    replicate to delete data"), or the client times out waiting for one: wait for them too."""
    from distributed.comm.core import CommClosedError

    for attempt in range(SCATTER_ATTEMPTS):
        try:
            return client.scatter(data, broadcast=True, direct=True, hash=False)
        except (CommClosedError, OSError, ValueError) as error:
            if isinstance(error, ValueError) and "replicate" not in str(error):
                raise
            if attempt == SCATTER_ATTEMPTS - 1:
                raise EmbedError(f"no Dask worker took the run's data (the model, the word list or the plan) in "
                                 f"{SCATTER_ATTEMPTS} tries: workers dying or restarting, as a nanny restarts one that "
                                 f"outgrows its memory limit ({_first_line(error)})") from None
            time.sleep(0.5)
    raise AssertionError("unreachable")


def _lost(error: BaseException) -> bool:
    """Whether ``error`` says a task's inputs went with a worker (rather than the task failing)."""
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError

    return isinstance(error, (FutureCancelledError, CommClosedError))


def _encode_shard(shard, words: bytes, config):
    """``encode_shard`` with the word list pickled."""
    return encode_shard(shard, pickle.loads(words), config)


def _bounds_and_reports(encoded, round_words: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple]:
    """An encoded shard's piece bounds and reading reports, all the coordinator takes of it."""
    return piece_bounds(encoded, round_words), encoded.reports


def warn_of_workers_beside_cluster(workers: int, cluster: object, command_line: bool = False) -> None:
    """Warn that ``workers`` does not set the threads that train on ``cluster``. Not an
    error: a run in rounds keeps it, for a resume on this machine's threads.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_of_workers_beside_cluster(3, "local:2")
    >>> str(caught[0].message).split(";")[0]
    'workers=3 sets the threads of training on this machine'
    """
    if command_line:
        given, where = f"--workers {workers}", f"--cluster {cluster}"
    else:
        given = f"workers={workers}"
        where = f"cluster={cluster!r}" if isinstance(cluster, str) else "a Client's cluster"
    warnings.warn(f"{given} sets the threads of training on this machine; on {where} the cluster's worker threads "
                  "train, one a shard (local:N starts N)", RoundsWarning)


def _memory_thresholds(dask_worker) -> tuple[float | bool, float | bool]:
    """This worker's pause fraction of its memory limit, and the terminate fraction its
    nanny reads from the same configuration (False: turned off)."""
    import dask

    return (dask_worker.memory_manager.memory_pause_fraction,
            dask.config.get("distributed.worker.memory.terminate", False))


def check_worker_memory(workers: dict[str, dict], thresholds: dict[str, tuple], homes: list, rows: int, dim: int,
                        own_models: bool) -> None:
    """Refuse a run whose models outgrow a worker's memory limit before it trains: past
    its pause threshold a Dask worker stops running tasks until its memory falls, which
    the replica's never does (a LocalCluster that embed starts shows no log, and the run
    hung); past the terminate threshold its nanny restarts it, again and again.
    ``thresholds``: each worker's own (``_memory_thresholds``). Counts what a worker
    certainly holds at a run's start beside the memory it uses: the model as sent, its
    replica, a working copy a thread, and its shards' own models.

    >>> info = {"tcp://w:1": {"memory_limit": 10**9, "nthreads": 1, "metrics": {"memory": 2 * 10**8}}}
    >>> thresholds = {"tcp://w:1": (0.8, 0.95)}
    >>> check_worker_memory(info, thresholds, ["tcp://w:1"], 70_000, 100, True)  # 4 copies of 63 MB
    >>> check_worker_memory(info, thresholds, ["tcp://w:1"], 700_000, 100, True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: Dask worker tcp://w:1: training needs 2.5 GB there, 4 copies of the 0.6 GB model ...
    """
    model = model_bytes(rows, dim)
    for address, info in sorted(workers.items()):
        limit, shards = info.get("memory_limit") or 0, homes.count(address)
        fraction = next((value for value in thresholds.get(address, ()) if value), None)
        if not limit or not shards or fraction is None:
            continue
        threads = min(info.get("nthreads", 1), shards)
        copies = 2 + threads + (shards if own_models else 0)
        used = info.get("metrics", {}).get("memory", 0)
        if used + copies * model > fraction * limit:
            own = f", own models for {shards} shard(s)" if own_models else ""
            # What lowers the need: each of these, where it applies.
            ways = ["a smaller model (--dim, --min-count, --max-vocab)",
                    "more memory a worker (a LocalCluster's local:N divides the machine's by N: fewer workers)"]
            if own_models:
                ways.append("full_merge_every 1 (no own models)")
            if shards > 1:
                ways.append("fewer shards a worker (more workers, or fewer --shards)")
            raise EmbedError(
                f"Dask worker {address}: training needs {gigabytes(copies * model)} GB there, {copies} copies of the "
                f"{gigabytes(model)} GB model (as sent, its replica, working copies for {threads} thread(s){own}), "
                f"beside the {gigabytes(used)} GB it uses: over {fraction:.0%} of its memory limit of "
                f"{gigabytes(limit)} GB, where Dask stops it; train with " + ", or ".join(ways))


def warn_of_idle_threads(shards: int, threads: int) -> None:
    """Warn where the cluster has more worker threads than the run has shards: a shard's
    pieces train one after another, so the threads beyond them have nothing to do.

    >>> warn_of_idle_threads(2, 2)  # nothing to say
    """
    idle = threads - shards
    if idle > 0:
        warnings.warn(f"the cluster has {threads} worker threads and the run {shards} shards, which train on one "
                      f"thread each: {idle} {'has' if idle == 1 else 'have'} nothing to do; --shards {threads} "
                      f"(shards={threads}) would use them all, and gives other vectors than {shards} shards",
                      RoundsWarning)


def _absolute(shards) -> list:
    """The shards with their files' local paths made absolute: a worker started in
    another folder then reads the file the coordinator named, where the file system is
    shared, instead of another file or none.

    >>> _absolute([[Segment("corpus.txt", 0, 10)]])[0][0].path == os.path.abspath("corpus.txt")
    True
    """
    return [[dataclasses.replace(part, path=os.path.abspath(part.path))
             if isinstance(part, Segment) and not location.is_url(part.path) else part for part in shard]
            for shard in shards]


class Replica:
    """A worker process's copy of one run's model, at a version (run, model state): tasks
    of a round read it, and the first task of the next round brings it up to date by
    merging the round's changes itself, with the coordinator's ``Merger``, so the copy
    equals the coordinator's model bit for bit. Tasks of one round may run at once on a
    worker's threads; a newer version waits until the older one's readers are done."""

    def __init__(self) -> None:
        self.version: tuple[str, int] | None = None
        self.model: tuple[np.ndarray, np.ndarray] | None = None
        self.readers = 0
        self.changed = threading.Condition()
        self.used = time.monotonic()

    def check_out(self, version: tuple[str, int], sent: list, whole: bool,
                  merger: Merger | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """The model at ``version``, from ``sent``: the whole model ([input, output]), or
        the changes of the round before (at the version before), which ``merger`` merges;
        None where this copy is at neither, or a change is missing."""
        with self.changed:
            while self.version != version and self.readers:
                self.changed.wait()
            if self.version != version:
                if whole:
                    self.model = copied_into(self.model, sent)
                elif (self.version == (version[0], version[1] - 1) and merger is not None
                      and all(change is not None for change in sent)):
                    self.version = None  # until merged: a failure part way leaves no version
                    merger.merge(self.model, iter(sent), len(sent))
                else:
                    return None
                self.version = version
            self.readers += 1
            return self.model

    def release(self) -> None:
        with self.changed:
            self.readers -= 1
            self.changed.notify_all()


# Each run's replica on this worker: runs of several coordinators may share a cluster.
_replicas: dict[str, Replica] = {}
_replicas_taken = threading.Lock()
# A run whose coordinator died never frees its models on the workers (``_drop_replica``);
# another run's task frees those unused for this long. A live run's task comes every
# round; one that pauses longer (a long callback between epochs, a checkpoint of a large
# model) loses its replica and its shards' own models, and runs its cycle again with the
# model sent whole: one of a cycle's ``ROUND_ATTEMPTS``, after which it runs at once.
IDLE_RUN_SECONDS = 60.0


def _replica_of(run: str) -> Replica:
    """This worker's replica of ``run``'s model (new and empty the first time), marked used."""
    with _replicas_taken:
        now = time.monotonic()
        idle = [other for other, replica in _replicas.items()
                if other != run and not replica.readers and now - replica.used > IDLE_RUN_SECONDS]
        for other in idle:
            del _replicas[other]
        replica = _replicas.get(run)
        if replica is None:
            replica = _replicas[run] = Replica()
        replica.used = now
        _forget_own_models()
        return replica


def _forget_own_models() -> None:
    """Drop the own models of runs this worker holds no replica of: forgotten, or ended
    while a task of theirs still trained and then put its model back. Callers hold
    ``_replicas_taken``."""
    with _own_taken:
        for key in [key for key in _own if key[0] not in _replicas]:
            del _own[key]


class _NoReplica(Exception):
    """A task's worker held neither the model it was to read nor the one before it."""


def _tallies(changes: list) -> list[tuple[float, int, int] | None]:
    """Each change's (loss sum, examples, words), where they lie: all the coordinator takes."""
    return [None if change is None else (change.loss, change.examples, change.words) for change in changes]


def _replica_model(version: tuple[str, int], sent: list, merger: Merger) -> tuple[np.ndarray, np.ndarray] | None:
    """A copy of this worker's replica at ``version`` (reached by merging ``sent``, the
    changes of the round before); None where it cannot reach it."""
    replica = _replica_of(version[0])
    model = replica.check_out(version, sent, False, merger)
    if model is None:
        return None
    try:
        return model[0].copy(), model[1].copy()
    finally:
        replica.release()


def train_replica_piece(version: tuple[str, int], sent: list, whole: bool, merger: Merger | None, plan, encoded,
                        first: int, last: int, number: int, alpha_start: float, alpha_end: float) -> Change | None:
    """``train_shard_piece`` on the model at ``version``, which this worker's replica
    holds or reaches with ``sent`` (see ``Replica.check_out``); None where it cannot."""
    replica = _replica_of(version[0])
    model = replica.check_out(version, sent, whole, merger)
    if model is None:
        return None
    try:
        return train_shard_piece(model, plan, encoded, first, last, number, alpha_start, alpha_end)
    finally:
        replica.release()


# Each shard's own model between full merges, on its home worker: (run, shard) -> (the
# version and the piece number of the round that last trained it, the model).
_own: dict[tuple[str, int], tuple[tuple[str, int], int, tuple[np.ndarray, np.ndarray]]] = {}
_own_taken = threading.Lock()


def train_own_replica_piece(version: tuple[str, int], sent: list, whole: bool, merger: Merger, plan, encoded,
                            shard: int, fresh: bool, ends: bool, first: int, last: int, number: int,
                            alpha_start: float, alpha_end: float) -> Change | None:
    """``train_own_piece`` on the model at ``version`` (see ``train_replica_piece``) and
    shard ``shard``'s own model as the round before left it on this worker; None where
    this worker holds neither (it joined, or was restarted, since, or the task ran away
    from its shard's home)."""
    replica = _replica_of(version[0])
    model = replica.check_out(version, sent, whole, merger)
    if model is None:
        return None
    try:
        key = (version[0], shard)
        # The round before's version and piece: a cancelled task of another cycle that
        # read the same version left a model that no later round may take.
        before = ((version[0], version[1] - 1), number - 1)
        with _own_taken:  # taken out while it trains: a task of an abandoned round cannot write into it
            held = _own.get(key)
            if not fresh and (held is None or held[:2] != before):
                return None
            _own.pop(key, None)
        change, own = train_own_piece(model, None if held is None else held[2], fresh, ends, merger.each_round, plan,
                                      encoded, first, last, number, alpha_start, alpha_end)
        with _own_taken:
            _own[key] = (version, number, own)
        return change
    finally:
        replica.release()


class DaskTransport:
    """``embed.training.rounds``' tasks on a Dask cluster."""

    def __init__(self, client) -> None:
        self.client = client
        self.shards: list = []
        self.config = None
        self.words: list[str] = []
        self.encoded: list = []
        self.homes: list[str | None] = []  # each shard's worker
        self.words_future = None
        self.plan = None  # (the plan, its future), scattered once
        self.merger = None  # (the merge rule, its future), likewise
        self.run = uuid.uuid4().hex  # names this run's model on the workers
        self.version = (self.run, 0)  # the model the last round's tasks read
        self.given = 0  # the highest version number given
        self.previous: list | None = None  # the last round's tasks, whose changes the next merges
        self.previous_shards: list[int] = []  # their shards: their homes' replicas hold the model that round read
        self.log: list = []  # every cycle since the coordinator's weights were synced
        self.ahead = None  # (cycle, its first round's version, [its futures]) of a cycle started before its call

    def count(self, shards, config, trim_rule=None):
        futures = [self.client.submit(_on_worker, count_shard, shard, config, trim_rule, pure=False)
                   for shard in _absolute(shards)]
        return _results(futures)

    def encode(self, shards, words, config):
        self.shards, self.words, self.config = _absolute(shards), list(words), config
        self.encoded, self.homes = [None] * len(self.shards), [None] * len(self.shards)
        self._restore()
        workers = self.client.scheduler_info()["workers"]
        check_worker_memory(workers, self.client.run(_memory_thresholds), self.homes, len(self.words), config.dim,
                            config.full_merge_every > 1)
        warn_of_idle_threads(len(self.shards), sum(info.get("nthreads", 1) for info in workers.values()))
        bounds = _results([self.client.submit(_bounds_and_reports, encoded, config.round_words, pure=False)
                           for encoded in self.encoded])
        return [shard_bounds for shard_bounds, _ in bounds], [report for _, reports in bounds for report in reports]

    def _restore(self) -> None:
        """Everything the tasks read that a worker took with it when it died, again.
        Dask recomputes lost encoded shards by itself while their inputs live; scattered
        data (the word list, the plan) has no recipe, so a scatter that no worker holds
        any more is sent again, and the shards that needed it are encoded again."""
        client = self.client
        if self.words_future is None or self.words_future.status != "finished":
            # Pickled here: Dask serialises a list item by item, and scattering 68k words
            # that way took 2.9 s, against 0.01 s as one bytes object.
            [self.words_future] = _scatter(client, [pickle.dumps(self.words, protocol=5)])
        workers = sorted(client.scheduler_info()["workers"])
        for shard, future in enumerate(self.encoded):
            if self.homes[shard] not in workers:
                self.homes[shard] = workers[shard % len(workers)]
            if future is None or future.status in ("cancelled", "lost", "error"):
                # Held, not only passed: a shard lost with its worker is encoded again from it.
                self.encoded[shard] = client.submit(_on_worker, _encode_shard, self.shards[shard], self.words_future,
                                                    self.config, pure=False, **self._at(shard))
        for name in ("plan", "merger"):
            held = getattr(self, name)
            if held is not None and held[1].status != "finished":
                setattr(self, name, (held[0], _scatter(client, [held[0]])[0]))

    def _shared(self, name: str, value):
        """``value``'s future, scattered once for as long as the same object is passed."""
        held = getattr(self, name)
        if value is None:
            return None
        if held is None or held[0] is not value:
            held = (value, _scatter(self.client, [value])[0])
            setattr(self, name, held)
        return held[1]

    def _at(self, shard: int) -> dict:
        """Where shard ``shard``'s tasks run: its home worker while it lives. Every round
        then runs on the workers of the round before, whose replicas are one merge from
        it; left to itself, Dask would run a round where most of its inputs are, the
        workers holding the largest changes of the round before."""
        return {"workers": [self.homes[shard]], "allow_other_workers": True}

    def _submit(self, version, sent, whole, tasks, fresh: bool = True, ends: bool = True) -> list:
        plan, merger = self.plan[1], self.merger[1] if self.merger else None
        if self.merger is not None and self.merger[0].each_round is not None:
            return [self.client.submit(train_own_replica_piece, version, sent, whole, merger, plan,
                                       self.encoded[shard], shard, fresh, ends, first, last, number, alpha_start,
                                       alpha_end, pure=False, **self._at(shard))
                    for shard, first, last, number, alpha_start, alpha_end in tasks]
        return [self.client.submit(train_replica_piece, version, sent, whole, merger, plan, self.encoded[shard],
                                   first, last, number, alpha_start, alpha_end, pure=False, **self._at(shard))
                for shard, first, last, number, alpha_start, alpha_end in tasks]

    def _chain(self, version, sent, whole, cycle) -> tuple[tuple[str, int], list[list]]:
        """Submit a cycle's rounds, each on the changes of the round before, the first at
        ``version`` from ``sent``; returns the last round's version and every round's futures."""
        return self._go_on(version, self._start(version, sent, whole, cycle), cycle)

    def _start(self, version, sent, whole, cycle) -> list[list]:
        """Submit a cycle's first round, at ``version`` from ``sent``."""
        return [self._submit(version, sent, whole, cycle[0], True, len(cycle) == 1)]

    def _go_on(self, version, rounds: list[list], cycle) -> tuple[tuple[str, int], list[list]]:
        """Submit the rest of a cycle whose first ``rounds`` were submitted, the last of them at ``version``."""
        for k in range(len(rounds), len(cycle)):
            version = self._after(version)
            rounds.append(self._submit(version, rounds[-1], False, cycle[k], False, k == len(cycle) - 1))
        return version, rounds

    def train_cycle(self, weights, plan, cycle, merger, continued=False, following=None):
        self._shared("plan", plan)
        self._shared("merger", merger)
        cycle = [list(tasks) for tasks in cycle]
        ahead, self.ahead = self.ahead, None
        if ahead is not None and continued and ahead[0] == cycle:
            # Its first round started by the call before, on the workers' own merge of its changes.
            version, futures = self._go_on(ahead[1], ahead[2], cycle)
        else:
            if ahead is not None:
                self._cancel(ahead[2])
            if continued and self.previous is not None and not self._sat_out(cycle[0]):
                # The workers merge the last round's changes themselves, fetching them
                # from each other: the model a cycle started ahead would have read.
                version, futures = self._chain(self._after(self.version), self.previous, False, cycle)
            elif continued and self.previous is not None:
                # A worker of this round trained nothing in the last one (its shards' pieces
                # ran out first, at an epoch's end): its replica is older than the model, and
                # its task would find no model to read. The rounds since the weights were
                # synced run again from them, as after that failure, without the failed round.
                # (Shards drop out only within an epoch, and ``train_rounds`` syncs at the end
                # of an epoch whose last round one sat out: the log is empty, and only this
                # cycle runs, its model sent whole.)
                version, futures = self._replay(weights, self.log + [cycle])
            else:  # the weights, changed here: the whole model
                self.log = []
                version, futures = self._replay(weights, [cycle])
        attempts = 0
        while True:
            try:
                if following is not None and self.ahead is None:
                    # The next cycle's first round on this cycle's changes, merged where it runs:
                    # it starts as soon as this cycle's tasks end, while the coordinator takes their
                    # totals. Its other rounds wait for the next call: each would move the replicas
                    # on, and a sync or a stop reads them one merge past this cycle.
                    following = [list(tasks) for tasks in following]
                    version_ahead = self._after(version)
                    self.ahead = (following, version_ahead, self._start(version_ahead, futures[-1], False, following))
                totals = self._totals(futures)
                break
            except KeyboardInterrupt as stop:
                # A stop lets the cycle in flight end, as the thread engine lets its
                # workers end their sentences: the cycle started ahead (all of it, or the
                # part sent before the stop) may already have merged this cycle's changes
                # into the replicas, which then cannot give back the model before them.
                # ``check_stop`` raises it once the cycle is recorded; a second stop drops
                # the cycle. (The embed command's handlers hold the first stop back
                # themselves, ``deferred``: what reaches here is then the second.)
                if held_back():
                    self._abandon(futures)
                    raise
                record_stop(stop)
                try:
                    totals = self._totals(futures)
                except BaseException as error:
                    self._abandon(futures)
                    if isinstance(error, Exception) and (_lost(error) or isinstance(error, _NoReplica)):
                        # A worker lost while the cycle ended: the stop drops the cycle, as a
                        # second stop does, rather than run it again or end the run with a traceback.
                        raise stop from None
                    raise
                break
            except Exception as error:
                # The tasks are pure: the cycle runs again on the same inputs, sent again.
                attempts += 1
                self._abandon(futures)
                if not (_lost(error) or isinstance(error, _NoReplica)):
                    raise
                if attempts > ROUND_ATTEMPTS:
                    raise EmbedError(f"the cluster lost the model's rounds {attempts} times in a row (workers dying, "
                                     "or tasks moved away from their shards' workers): the run stops with its last "
                                     "whole cycle") from None
                self._restore()
                version, futures = self._replay(weights, self.log + [cycle])
            except BaseException:
                self._abandon(futures)
                raise
        self._last_round(version, futures, cycle)
        self.log.append(cycle)
        return totals

    def sync(self, weights, replay=True):
        """Copy the model from a worker's replica into ``weights``; where no replica can
        give it, rebuild it from ``weights`` by running the rounds since they were
        synced again (pure tasks: the same model), unless ``replay`` is False."""
        attempts = 0
        while self.log:
            model = None
            if self.previous is not None:
                # From a worker that trained in the last round: it holds the model that round
                # read. One whose shards sat the round out (their pieces ran out first, or
                # they have no text) holds an older model, and would never give this one.
                fetch = self.client.submit(_replica_model, self._after(self.version), self.previous, self.merger[1],
                                           pure=False, priority=1, **self._at(self.previous_shards[0]))
                try:
                    model = fetch.result(timeout=None if replay else STOP_SYNC_SECONDS)
                except Exception as error:
                    if not replay or not _lost(error):
                        raise
            if model is not None:
                # A stop between the two copies would leave the input matrix one sync ahead of
                # the output, and of the rounds the run records, where the stop's own copy then fails.
                with deferred("the model is copied from the workers"):
                    for matrix, replica in zip(weights, model):
                        np.copyto(matrix, replica[: matrix.shape[0], : matrix.shape[1]])
                    self.log = []
                return
            if not replay or self.previous is None:
                raise EmbedError("no worker holds the model any more")
            attempts += 1
            if attempts > ROUND_ATTEMPTS:
                raise EmbedError(f"the cluster lost the model {attempts} times in a row while the coordinator "
                                 "copied it (workers dying): the run stops with its last copy") from None
            self._drop_ahead()
            self._restore()
            self._last_round(*self._replay(weights, self.log), self.log[-1])

    def _last_round(self, version: tuple[str, int], futures: list[list], cycle: list) -> None:
        """Record the last round submitted: the version it read, its futures (whose
        changes the next round merges) and its shards (whose homes' replicas read it)."""
        self.version, self.previous = version, futures[-1]
        self.previous_shards = [task[0] for task in cycle[-1]]

    def _sat_out(self, tasks: list) -> bool:
        """Whether a worker that ``tasks`` run on ran none of the last round's: its replica
        is older than the model that round left."""
        trained = {self.homes[shard] for shard in self.previous_shards}
        return any(self.homes[task[0]] not in trained for task in tasks)

    def _after(self, version: tuple[str, int]) -> tuple[str, int]:
        """The version of the model after the round that read ``version``."""
        self.given = max(self.given, version[1] + 1)
        return (self.run, version[1] + 1)

    def _replay(self, weights, cycles: list) -> tuple[tuple[str, int], list[list]]:
        """Run ``cycles`` one after another from ``weights``, sent whole under a version
        never given before (no replica may take it for another model); returns the
        last round's version and the last cycle's futures, round by round."""
        self.given += 1
        version = (self.run, self.given)
        sent = _scatter(self.client, list(weights))
        version, futures = self._chain(version, sent, True, cycles[0])
        for cycle in cycles[1:]:
            version, futures = self._chain(self._after(version), futures[-1], False, cycle)
        return version, futures

    def _totals(self, rounds: list[list]) -> tuple[float, int, int]:
        """The (loss sum, examples, words) of a cycle's tasks, each round's added in task
        order, then the rounds ``added_up``; the changes stay on the workers, which fetch
        them from each other. ``_NoReplica`` where a task's worker could not reach the
        model it was to read."""
        # One task a shard for the whole cycle, where the shard's changes lie: a task costs
        # the scheduler, the client and its worker about 3 ms of CPU together, which a
        # tally task a round took from training on 2 cores.
        # (Every round of a cycle has the same shards' tasks, in order: ``plan_cycle``.)
        submitted = [self.client.submit(_tallies, [futures[k] for futures in rounds], pure=False, priority=1)
                     for k in range(len(rounds[0]))]
        tallies = list(zip(*_results(submitted)))
        if any(tally is None for round_tallies in tallies for tally in round_tallies):
            raise _NoReplica
        return added_up([added_up(round_tallies) for round_tallies in tallies])

    def _abandon(self, futures: list[list]) -> None:
        """Drop a failed cycle and the one started ahead of it: the model stays the last
        cycle's (``previous``), to run again from or to stop at."""
        self._drop_ahead()
        self._cancel(futures)

    def _drop_ahead(self) -> None:
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            self._cancel(ahead[2])

    def _cancel(self, rounds: list[list]) -> None:
        self._cancel_futures([future for futures in rounds for future in futures])

    def _cancel_futures(self, futures: list) -> None:
        # Cancelling runs on the way out of failures and stops: where the scheduler is gone
        # (often the failure itself), it holds nothing any more, and the client's
        # ClosedClientError would take the place of the error or the stop on its way out.
        with contextlib.suppress(Exception):
            self.client.cancel(futures)

    def close(self) -> None:
        self._drop_ahead()
        held = (self.encoded + [self.words_future] + (self.previous or [])
                + [pair[1] for pair in (self.plan, self.merger) if pair is not None])
        self._cancel_futures([future for future in held if future is not None])
        self.encoded, self.words_future, self.plan, self.merger, self.previous = [], None, None, None, None
        if self.given:
            with contextlib.suppress(Exception):  # a worker gone, or the cluster closing: nothing held there
                self.client.run(_drop_replica, self.run)


def _results(futures: list) -> list:
    """The futures' results, one at a time: a stop inside ``client.gather`` leaves its
    coroutine to fail when the client closes, and asyncio prints that failure's traceback."""
    return [future.result() for future in futures]


def _drop_replica(run: str) -> None:
    """Free this worker's replica of ``run``'s model, its shards' own models, and its
    threads' working copies: a worker of a cluster that lives on would hold them until
    another run came by (the copies, until the next run like it)."""
    with _replicas_taken:
        _replicas.pop(run, None)
        _forget_own_models()
    drop_working_copies()
