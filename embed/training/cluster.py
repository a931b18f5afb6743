"""Training in rounds on a Dask cluster (``pip install 'embed[dask]'``).

The tasks are ``embed.training.rounds``' pure functions. Each worker reads and encodes
the shards it is given (the corpus must be at the same path on every worker); the
encoded shards stay on the workers as Dask futures, so a worker that dies has its
shards encoded again elsewhere from the same inputs. Each worker process keeps a
replica of the model (``Replica``): the first round sends the whole model, each later
round only the rows the last merge moved, with their new values, and tasks send back
only the rows they changed. A worker whose replica is not at the round before (one
that joined or was restarted) returns nothing, and its task runs again with the whole
model: the replica is a cache, and a task's change stays a pure function of the model,
its piece, the seed and the round. Dask reruns the tasks a dead worker held; scattered
inputs that no worker holds any more are sent again and the round's remaining tasks
resubmitted with the whole model. Being pure, the tasks give the same changes.

    >>> connect_address("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
"""

from __future__ import annotations

import contextlib
import pickle
import re
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import EmbedError
from .rounds import Change, copied_into, count_shard, encode_shard, piece_bounds, train_shard_piece

CONNECT_SECONDS = 5
SCATTER_ATTEMPTS = 20  # half a second apart
ROUND_ATTEMPTS = 5  # a round's tasks sent again after losing their inputs with a worker


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
            started = stack.enter_context(
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                             silence_logs=50))
            client = stack.enter_context(Client(started, timeout=f"{CONNECT_SECONDS}s", direct_to_workers=True))
        else:
            address = connect_address(text)
            try:
                client = stack.enter_context(Client(address, timeout=f"{CONNECT_SECONDS}s", direct_to_workers=True))
            except (OSError, TimeoutError) as error:
                raise EmbedError(f"--cluster {text}: no Dask scheduler answered within {CONNECT_SECONDS} s "
                                 f"({_first_line(error)})") from None
        _check_workers(client)
        yield client


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
    fails: wait for the scheduler to notice, and send again to the workers there are."""
    from distributed.comm.core import CommClosedError

    for attempt in range(SCATTER_ATTEMPTS):
        try:
            return client.scatter(data, broadcast=True, direct=True, hash=False)
        except (CommClosedError, OSError):
            if attempt == SCATTER_ATTEMPTS - 1:
                raise
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


def row_update(model: tuple[np.ndarray, np.ndarray], changed) -> list[np.ndarray]:
    """[input rows, their values, output rows, their values]: what a worker needs to
    bring its copy of the model before a round to ``model``, the model after it, given
    the (input rows, output rows) each task of the round changed. A list of arrays, not
    a tuple: Dask's scatter of a tuple hung once a worker had died."""
    update = []
    for k, matrix in enumerate(model):
        rows = np.unique(np.concatenate([task[k] for task in changed] or [np.zeros(0, np.int64)]))
        update += [rows, matrix[rows]]
    return update


class Replica:
    """A worker process's copy of the model, at a version (run, round): tasks of a round
    read it, and the first task of the next round brings it up to date with the rows
    the merge moved (their new values, so the copy equals the coordinator's bit for
    bit). Tasks of one round may run at once on a worker's threads; a newer version
    waits until the older one's readers are done."""

    def __init__(self) -> None:
        self.version: tuple[str, int] | None = None
        self.model: tuple[np.ndarray, np.ndarray] | None = None
        self.readers = 0
        self.changed = threading.Condition()

    def check_out(self, version: tuple[str, int], sent, whole: bool) -> tuple[np.ndarray, np.ndarray] | None:
        """The model at ``version``, from ``sent`` (the whole model, [input, output], or a
        ``row_update`` from the version before); None where this copy is at neither."""
        with self.changed:
            while self.version != version and self.readers:
                self.changed.wait()
            if self.version != version:
                if whole:
                    self.model = copied_into(self.model, sent)
                elif self.version == (version[0], version[1] - 1):
                    in_rows, in_values, out_rows, out_values = sent
                    self.model[0][in_rows] = in_values
                    self.model[1][out_rows] = out_values
                else:
                    return None
                self.version = version
            self.readers += 1
            return self.model

    def release(self) -> None:
        with self.changed:
            self.readers -= 1
            self.changed.notify_all()


_replica = Replica()


def train_replica_piece(version: tuple[str, int], sent, whole: bool, plan, encoded, first: int, last: int,
                        number: int, alpha_start: float, alpha_end: float) -> Change | None:
    """``train_shard_piece`` on the model at ``version``, which this worker's replica
    holds or reaches with ``sent`` (see ``Replica.check_out``); None where it cannot."""
    model = _replica.check_out(version, sent, whole)
    if model is None:
        return None
    try:
        return train_shard_piece(model, plan, encoded, first, last, number, alpha_start, alpha_end)
    finally:
        _replica.release()


class DaskTransport:
    """``embed.training.rounds``' tasks on a Dask cluster."""

    def __init__(self, client) -> None:
        self.client = client
        self.shards: list = []
        self.config = None
        self.words: list[str] = []
        self.encoded: list = []
        self.words_future = None
        self.plan = None  # (the plan, its future), scattered once
        self.run = uuid.uuid4().hex  # names this run's model on the workers
        self.version = 0  # rounds sent

    def count(self, shards, config):
        futures = [self.client.submit(_on_worker, count_shard, shard, config, pure=False) for shard in shards]
        return self.client.gather(futures)

    def encode(self, shards, words, config):
        self.shards, self.words, self.config = list(shards), list(words), config
        self.encoded = [None] * len(self.shards)
        self._restore()
        return self.client.gather([self.client.submit(piece_bounds, encoded, config.round_words, pure=False)
                                   for encoded in self.encoded])

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
        for shard, future in enumerate(self.encoded):
            if future is None or future.status in ("cancelled", "lost", "error"):
                # Held, not only passed: a shard lost with its worker is encoded again from it.
                self.encoded[shard] = client.submit(_on_worker, _encode_shard, self.shards[shard], self.words_future,
                                                    self.config, pure=False)
        if self.plan is not None and self.plan[1].status != "finished":
            self.plan = (self.plan[0], _scatter(client, [self.plan[0]])[0])

    def train_round(self, model: tuple[np.ndarray, np.ndarray], plan, tasks, changed=None):
        client = self.client
        if self.plan is None or self.plan[0] is not plan:
            [future] = _scatter(client, [plan])
            self.plan = (plan, future)
        self.version += 1
        version = (self.run, self.version)
        # The rows the last merge moved, or the whole model where the workers may not
        # hold the model before this round.
        whole = changed is None or self.version == 1
        sent = _scatter(client, list(model) if whole else row_update(model, changed))
        done, attempts = 0, 0
        try:
            while done < len(tasks):
                futures = [client.submit(train_replica_piece, version, sent, whole, self.plan[1], self.encoded[shard],
                                         first, last, number, alpha_start, alpha_end, pure=False)
                           for shard, first, last, number, alpha_start, alpha_end in tasks[done:]]
                try:
                    for future in futures:
                        change = future.result()
                        if change is None:  # its worker holds no model to apply the rows to: send it all
                            if whole:
                                raise RuntimeError("a worker could not take the whole model")  # check_out takes it
                            client.cancel(sent)
                            whole, sent = True, _scatter(client, list(model))
                            break
                        done += 1
                        yield change
                except Exception as error:
                    # The tasks are pure: the ones left run again on the same inputs, sent again.
                    attempts += 1
                    if not _lost(error) or attempts > ROUND_ATTEMPTS:
                        raise
                    self._restore()
                    client.cancel(sent)
                    whole, sent = True, _scatter(client, list(model))
                finally:
                    client.cancel(futures)
        finally:
            client.cancel(sent)

    def close(self) -> None:
        held = self.encoded + [self.words_future] + ([self.plan[1]] if self.plan else [])
        self.client.cancel([future for future in held if future is not None])
        self.encoded, self.words_future, self.plan = [], None, None
        if self.version:
            with contextlib.suppress(Exception):  # a worker gone, or the cluster closing: nothing held there
                self.client.run(_drop_replica, self.run)


def _drop_replica(run: str) -> None:
    """Free this worker's replica of the model if it is ``run``'s: a worker of a
    cluster that lives on would hold it until the next run's first round."""
    with _replica.changed:
        if _replica.version is not None and _replica.version[0] == run and not _replica.readers:
            _replica.version, _replica.model = None, None
