"""Training in rounds on Dask (embed.training.cluster): a LocalCluster of worker
processes gives the vectors that threads give, also after a worker is killed; the
vocabulary counted on the workers is the one-process vocabulary; what goes wrong is
one line."""

import concurrent.futures
import contextlib
import gzip
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest
from conftest import default_signals

distributed = pytest.importorskip("distributed")

import embed  # noqa: E402
from embed.cli import Terminated  # noqa: E402
from embed.errors import EmbedError  # noqa: E402
from embed.text.shards import Segment  # noqa: E402
from embed.training import cluster as cluster_module  # noqa: E402
from embed.training import rounds as rounds_module  # noqa: E402
from embed.training import stop as stop_module  # noqa: E402
from embed.training.cluster import DaskTransport  # noqa: E402
from embed.training.config import Config  # noqa: E402
from embed.training.rounds import piece_number  # noqa: E402
from embed.training.schedule import Checkpoints  # noqa: E402

SETTINGS = dict(shards=4, round_words=300, epochs=2, min_count=1, dim=16, full_merge_every=1)  # round by round


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        yield client


def digest(model) -> str:
    return hashlib.sha256(model.w_in.tobytes() + model.w_out.tobytes()).hexdigest()


def test_two_worker_processes_give_the_vectors_one_thread_gives(tiny_corpus, client):
    path, _, _ = tiny_corpus
    threads = embed.train(str(path), deterministic=True, workers=1, progress=False, **SETTINGS)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    assert model.vocab.words == threads.vocab.words and model.vocab.counts.tolist() == threads.vocab.counts.tolist()
    model.train(str(path), progress=False, cluster=client)
    assert digest(model) == digest(threads)


def test_a_trim_rule_reaches_the_workers_that_count_under_max_table(tmp_path, client):
    # Each shard prunes its own counts on its worker: the rule (a lambda, sent by value)
    # keeps its word there too, seen once before the table filled.
    path = tmp_path / "rare.txt"
    path.write_text("zq a a\n" + "".join(f"w{chr(97 + i % 26)}{chr(97 + i // 26)} a b\n" for i in range(200)))
    keep_zq = lambda word, count, min_count: 2 if word == "zq" else 0  # noqa: E731 (RULE_KEEP, RULE_DEFAULT)
    config = Config(**{**SETTINGS, "min_count": 2, "max_table": 20})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", embed.training.word2vec.PruningWarning)
        assert "zq" not in embed.Word2Vec(config).build_vocab(str(path), cluster=client).vocab
        assert "zq" in embed.Word2Vec(config).build_vocab(str(path), cluster=client, trim_rule=keep_zq).vocab


def test_a_relative_path_reaches_workers_started_in_another_folder(tiny_corpus, client, monkeypatch):
    # The workers were started in the folder the tests run in, the coordinator names the
    # corpus from its own: a relative path sent as it is named another file, or none.
    path, _, _ = tiny_corpus
    threads = embed.train(str(path), deterministic=True, workers=1, progress=False, **SETTINGS)
    monkeypatch.chdir(path.parent)
    assert digest(embed.train(path.name, cluster=client, progress=False, **SETTINGS)) == digest(threads)


def test_a_cluster_with_more_threads_than_shards_is_warned_of(tiny_corpus, client):
    from embed.training.rounds import RoundsWarning

    path, _, _ = tiny_corpus
    with pytest.warns(RoundsWarning, match="the cluster has 2 worker threads and the run 1 shards, which train on one "
                                           "thread each: 1 has nothing to do; --shards 2"):
        embed.train(str(path), cluster=client, progress=False, **{**SETTINGS, "shards": 1, "epochs": 1})


ONE_EPOCH_TWO_SHARDS = {**SETTINGS, "epochs": 1, "shards": 2}  # 2 shards: no warning of overshoot or idle threads


def test_workers_beside_a_cluster_are_warned_of_in_python_too(tiny_corpus, client):
    # The cluster's worker threads train; workers= is kept for a resume on this machine.
    from embed.training.rounds import RoundsWarning

    path, _, _ = tiny_corpus
    with pytest.warns(RoundsWarning, match=r"^workers=3 sets the threads of training on this machine; on a Client's "
                                           r"cluster the cluster's worker threads train"):
        model = embed.train(str(path), cluster=client, progress=False, workers=3, **ONE_EPOCH_TWO_SHARDS)
    assert model.config.workers == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", RoundsWarning)  # the default workers: nothing to say
        embed.train(str(path), cluster=client, progress=False, **ONE_EPOCH_TWO_SHARDS)


def test_a_killed_worker_changes_nothing(tiny_corpus, client):
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    killed = []

    def kill_one_worker(model, epoch, loss):
        if not killed:  # its encoded shards go with it and are encoded again elsewhere
            pid = next(iter(client.run(os.getpid).values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client, on_epoch_end=kill_one_worker)
    assert killed and digest(model) == digest(undisturbed)
    client.wait_for_workers(2, timeout=30)  # the nanny starts it again, for the tests after


def test_two_runs_at_once_on_one_cluster_each_give_the_vectors_they_give_alone(tiny_corpus, client, scattered):
    # Two coordinators sharing a cluster (two users of one scheduler): each worker holds
    # a replica of each run's model. With one replica a worker, each run's rounds found
    # the other's model and ran again until one run gave up.
    path, _, _ = tiny_corpus
    settings = [SETTINGS, {**SETTINGS, "full_merge_every": 2, "seed": 2}]  # round by round, and own models
    alone = [digest(embed.train(str(path), deterministic=True, workers=1, progress=False, **each))
             for each in settings]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(embed.train, str(path), cluster=client, progress=False, **each) for each in settings]
        assert [digest(run.result()) for run in runs] == alone
    assert scattered.count(2) == 2  # each run's model sent whole once, at its start: no round ran again
    assert not any(client.run(_holds_a_model).values())


def test_a_run_whose_coordinator_is_gone_is_freed_by_another_runs_task(monkeypatch):
    from embed.training.cluster import IDLE_RUN_SECONDS, _replica_of

    monkeypatch.setattr(cluster_module, "_replicas", {})
    monkeypatch.setattr(cluster_module, "_own", {})
    gone, paused, reading = (_replica_of(run) for run in ("gone", "paused", "reading"))
    for run in ("gone", "paused", "reading"):
        cluster_module._own[(run, 0)] = ((run, 1), 0, None)
    gone.used -= IDLE_RUN_SECONDS + 1
    paused.used -= IDLE_RUN_SECONDS - 5
    reading.used -= IDLE_RUN_SECONDS + 1
    reading.readers = 1  # a task of it trains: not idle
    _replica_of("another")
    assert sorted(cluster_module._replicas) == ["another", "paused", "reading"]
    assert sorted(run for run, _ in cluster_module._own) == ["paused", "reading"]


@pytest.mark.parametrize("synced", ["at the run's start only", "at each epoch's end", "after every round"])
def test_a_worker_killed_in_the_middle_of_a_round_changes_nothing(tiny_corpus, client, tmp_path, monkeypatch,
                                                                 synced):
    # The coordinator's weights lag the replicas until a sync: a lost round is trained
    # again from them, with the rounds since (across the first epoch's end, where
    # nothing reads the weights there).
    monkeypatch.setattr(rounds_module, "SYNC_SECONDS", 0.0 if synced == "after every round" else 1e9)
    # A callback reads the weights at each epoch's end: they are copied there.
    reader = (lambda model, epoch, loss: None) if synced == "at each epoch's end" else None
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    marker, target = str(tmp_path / "killed"), piece_number(1, 2, 1)  # epoch 2, shard 2, its second round

    def dies_once(version, sent, whole, merger, plan, encoded, first, last, number, alpha_start, alpha_end):
        # On the worker: the first process to run the target piece dies in the middle of
        # its round, with the round's other tasks done or under way elsewhere.
        if number == target and not os.path.exists(marker):
            with open(marker, "w") as note:
                note.write(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        from embed.training import cluster  # the worker's own, not patched: the task as it is

        return cluster.train_replica_piece(version, sent, whole, merger, plan, encoded, first, last, number,
                                           alpha_start, alpha_end)

    monkeypatch.setattr(cluster_module, "train_replica_piece", dies_once)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client, on_epoch_end=reader)
    assert os.path.exists(marker) and digest(model) == digest(undisturbed)
    client.wait_for_workers(2, timeout=30)  # the nanny starts it again, for the tests after


def test_full_merges_every_few_rounds_give_the_threads_vectors_with_a_worker_killed_inside_a_cycle(
        tiny_corpus, client, tmp_path, monkeypatch):
    # Each shard's own model lives on its home worker between full merges: a worker that
    # dies takes its shards' models with it, and the cycle runs again from the weights.
    monkeypatch.setattr(rounds_module, "MERGED_EACH_ROUND", 4)  # of the tiny vocabulary's 10 words
    path, _, _ = tiny_corpus
    settings = {**SETTINGS, "full_merge_every": 2}
    undisturbed = embed.train(str(path), deterministic=True, workers=1, progress=False, **settings)
    assert digest(undisturbed) != digest(embed.train(str(path), deterministic=True, workers=1, progress=False,
                                                     **SETTINGS))
    model = embed.train(str(path), cluster=client, progress=False, **settings)
    assert digest(model) == digest(undisturbed)
    # Shards whose pieces end inside a cycle (10, 11 and 11 pieces, cycles of 3 rounds).
    uneven = {**settings, "shards": 3, "round_words": 106, "full_merge_every": 3}
    assert digest(embed.train(str(path), cluster=client, progress=False, **uneven)) == digest(
        embed.train(str(path), deterministic=True, workers=2, progress=False, **uneven))
    marker, target = str(tmp_path / "killed"), piece_number(1, 2, 1)  # epoch 2, shard 2: its first cycle's second round

    def dies_once(version, sent, whole, merger, plan, encoded, shard, fresh, ends, first, last, number, *rates):
        if number == target and not os.path.exists(marker):
            assert not fresh and ends
            with open(marker, "w") as note:
                note.write(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        from embed.training import cluster  # the worker's own, not patched: the task as it is

        return cluster.train_own_replica_piece(version, sent, whole, merger, plan, encoded, shard, fresh, ends, first,
                                               last, number, *rates)

    monkeypatch.setattr(cluster_module, "train_own_replica_piece", dies_once)
    model = embed.train(str(path), cluster=client, progress=False, **settings)
    assert os.path.exists(marker) and digest(model) == digest(undisturbed)
    client.wait_for_workers(2, timeout=30)  # the nanny starts it again, for the tests after


@pytest.mark.parametrize("answers", [True, False])
def test_a_stop_keeps_the_rounds_the_weights_hold_and_resumes_to_the_same_vectors(tiny_corpus, client, monkeypatch,
                                                                                  answers):
    # Stopped two rounds into the second epoch (3 rounds an epoch), the coordinator takes
    # the model from a replica; where no worker answers, the run goes back to the rounds
    # its weights hold: the run's start, as nothing reads the weights at the first
    # epoch's end to copy them there. The epochs the model records go back with it.
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    rounds_done = []

    def stop_in_the_second_epoch():
        rounds_done.append(1)
        if len(rounds_done) == 5:  # after each round
            raise KeyboardInterrupt

    sync = DaskTransport.sync

    def unanswered(self, weights, replay=True):
        if not replay:
            raise TimeoutError("no worker answered")
        return sync(self, weights, replay)

    monkeypatch.setattr(rounds_module, "check_stop", stop_in_the_second_epoch)
    monkeypatch.setattr(rounds_module, "SYNC_SECONDS", 1e9)  # no copy by time (a cold compile): the count holds
    if not answers:
        monkeypatch.setattr(DaskTransport, "sync", unanswered)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    with pytest.raises(KeyboardInterrupt):
        model.train(str(path), progress=False, cluster=client)
    monkeypatch.undo()
    if answers:
        assert model.run.epoch == 1 and model.run.completed == [0, 1] and len(model.history) == model.epochs_done == 1
    else:
        assert model.run.epoch == 0 and model.run.completed == [] and len(model.history) == model.epochs_done == 0
    model.resume(str(path), progress=False)
    assert digest(model) == digest(undisturbed)


def _stopped(path, client, monkeypatch, **train_args) -> embed.Word2Vec:
    """A run on the cluster that a stop ends; the test's patches undone after it."""
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    try:
        with pytest.raises(KeyboardInterrupt):
            model.train(str(path), progress=False, cluster=client, **train_args)
    finally:
        stop_module.stop_seen()
        monkeypatch.undo()
    return model


def test_a_stop_while_the_coordinator_copies_the_model_waits_for_both_matrices(tiny_corpus, client, monkeypatch):
    # The embed command's stop between the copies of the input and the output matrix at
    # the first epoch's end, and the stop's own copy failing (the cluster gone with it):
    # the input matrix was a sync ahead of the output and of the rounds the run records,
    # and the resumed run ended elsewhere.
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    sync, copyto, copies = DaskTransport.sync, np.copyto, []

    def stopped_between_the_copies(destination, source, **kwargs):
        copyto(destination, source, **kwargs)
        copies.append(1)
        if len(copies) == 1:
            stop_module.raise_stop(KeyboardInterrupt())

    def copying(self, weights, replay=True):
        if not replay:
            raise TimeoutError("no worker answered")
        with monkeypatch.context() as patched:
            patched.setattr(np, "copyto", stopped_between_the_copies)
            return sync(self, weights, replay)

    monkeypatch.setattr(DaskTransport, "sync", copying)
    monkeypatch.setattr(rounds_module, "SYNC_SECONDS", 1e9)  # the first copy is the first epoch's end, however slow
    # A callback reads the weights at an epoch's end: they are copied there.
    model = _stopped(path, client, monkeypatch, on_epoch_end=lambda model, epoch, loss: None)
    assert copies == [1, 1] and model.run.epoch == 0 and model.run.completed == [0, 1, 2]
    model.resume(str(path), progress=False)
    assert digest(model) == digest(undisturbed)


@pytest.mark.parametrize("how", ["one stop", "two stops", "a stop, then a worker lost"])
def test_a_first_stop_signal_lets_the_round_end_a_second_or_a_lost_worker_drops_it(tiny_corpus, client, monkeypatch,
                                                                                   how):
    # The embed command's handlers (raise_stop) during the wait for the second round:
    # one stop lets it end and be recorded; a second drops it, and the run goes back to
    # a model it can name. So does a worker lost while a stop that a program's own
    # handler raised (a notebook's) waits for the round: that ended the run with
    # _NoReplica's traceback, and no stop. Each way the resumed run ends with the
    # undisturbed vectors.
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    totals, waits = DaskTransport._totals, []

    def pressed(self, futures):
        waits.append(1)
        if len(waits) == 2 and how == "a stop, then a worker lost":
            raise KeyboardInterrupt
        if len(waits) == 2:
            for _ in range(1 if how == "one stop" else 2):
                stop_module.raise_stop(KeyboardInterrupt())
        if len(waits) == 3 and how == "a stop, then a worker lost":
            raise cluster_module._NoReplica
        return totals(self, futures)

    monkeypatch.setattr(DaskTransport, "_totals", pressed)
    model = _stopped(path, client, monkeypatch)
    # Where the round is dropped, the replicas may have merged its changes for the round
    # started ahead; the run then goes back to its weights, synced at the start.
    assert model.run.epoch == 0 and model.run.completed in (([0, 1],) if how == "one stop" else ([0], []))
    model.resume(str(path), progress=False)
    assert digest(model) == digest(undisturbed)


def test_inputs_no_worker_holds_any_more_are_sent_again(tiny_corpus, client, monkeypatch):
    # The scheduler forgets scattered data when every worker holding it dies, and cancels
    # what depends on it; cancelling the data does the same, without a race to win.
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    train_cycle, rounds = DaskTransport.train_cycle, []

    def losing_round(self, model, plan, cycle, *args):
        rounds.append(len(cycle))
        if len(rounds) == 3:
            self.client.cancel([self.words_future, self.plan[1]])
        return train_cycle(self, model, plan, cycle, *args)

    monkeypatch.setattr(DaskTransport, "train_cycle", losing_round)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client)
    assert len(rounds) > 3 and digest(model) == digest(undisturbed)


@pytest.fixture
def scattered(monkeypatch) -> list:
    """The length of each list the coordinator scatters: 2 for the whole model; 1 for the
    plan, the merge rule or the word list."""
    scatter, sent = cluster_module._scatter, []

    def noting_scatter(client, data):
        sent.append(len(data))
        return scatter(client, data)

    monkeypatch.setattr(cluster_module, "_scatter", noting_scatter)
    return sent


def test_later_rounds_send_no_model_and_a_worker_without_it_gets_all_of_it(tiny_corpus, client, tmp_path,
                                                                          monkeypatch, scattered):
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    marker, target = str(tmp_path / "forgot"), piece_number(0, 1, 1)  # epoch 1, shard 1, its second round

    def forgets_once(version, sent, whole, merger, plan, encoded, first, last, number, alpha_start, alpha_end):
        from embed.training import cluster  # the worker's own, not patched: the task as it is

        if number == target and not os.path.exists(marker):  # as a worker that joined mid-epoch would be
            open(marker, "w").close()
            cluster._replica_of(version[0]).version = None
        return cluster.train_replica_piece(version, sent, whole, merger, plan, encoded, first, last, number,
                                           alpha_start, alpha_end)

    monkeypatch.setattr(cluster_module, "train_replica_piece", forgets_once)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client)
    assert os.path.exists(marker) and digest(model) == digest(undisturbed)
    # The whole model at the run's start and once after the replica was forgotten; the
    # workers merge the other rounds' changes themselves, across epochs too.
    assert scattered.count(2) == 2
    assert not any(client.run(_holds_a_model).values())  # freed when the run ended


def test_a_round_that_finds_an_older_own_model_runs_the_cycle_again(tiny_corpus, client, tmp_path, monkeypatch):
    # A cycle's first round that ran away from its shard's home left the home holding
    # the last cycle's model: the next round there must not train on it.
    monkeypatch.setattr(rounds_module, "MERGED_EACH_ROUND", 4)
    path, _, _ = tiny_corpus
    settings = {**SETTINGS, "full_merge_every": 2, "round_words": 100}  # cycles of rounds 0-1, 2-3, ...
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **settings)
    marker, target = str(tmp_path / "elsewhere"), piece_number(0, 1, 2)  # shard 1's second cycle, its first round

    def ran_elsewhere_once(version, sent, whole, merger, plan, encoded, shard, fresh, ends, first, last, number,
                           *rates):
        from embed.training import cluster  # the worker's own, not patched: the task as it is

        key = (version[0], shard)
        before = cluster._own.get(key)
        if before is not None:  # a fresh round trains in the arrays it finds: keep their contents
            before = (*before[:2], tuple(matrix.copy() for matrix in before[2]))
        change = cluster.train_own_replica_piece(version, sent, whole, merger, plan, encoded, shard, fresh, ends,
                                                 first, last, number, *rates)
        if number == target and not os.path.exists(marker):
            assert fresh
            open(marker, "w").close()
            with cluster._own_taken:  # the model it trained stayed on the other worker
                cluster._own[key] = before
        return change

    monkeypatch.setattr(cluster_module, "train_own_replica_piece", ran_elsewhere_once)
    model = embed.train(str(path), cluster=client, progress=False, **settings)
    assert os.path.exists(marker) and digest(model) == digest(undisturbed)


def test_syncs_between_cycles_read_the_replicas_without_training_again(tiny_corpus, client, monkeypatch, scattered):
    # A cycle started ahead runs its first round only: its later rounds would move the
    # replicas past the model a sync reads, and every sync would train the cycles again.
    monkeypatch.setattr(rounds_module, "MERGED_EACH_ROUND", 4)
    monkeypatch.setattr(rounds_module, "SYNC_SECONDS", 0.0)  # a sync before every cycle
    monkeypatch.setattr(rounds_module, "SYNC_SHARE", float("inf"))
    path, _, _ = tiny_corpus
    settings = {**SETTINGS, "full_merge_every": 3, "round_words": 100}  # 8 rounds an epoch
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **settings)
    replays, ahead = [], []
    replay, sync = DaskTransport._replay, DaskTransport.sync

    def counted(self, weights, cycles):
        replays.append(len(cycles))
        return replay(self, weights, cycles)

    def noting_what_runs_ahead(self, weights, replay=True):
        ahead.append(0 if self.ahead is None else len(self.ahead[2]))  # rounds of the next cycle under way
        return sync(self, weights, replay)

    monkeypatch.setattr(DaskTransport, "_replay", counted)
    monkeypatch.setattr(DaskTransport, "sync", noting_what_runs_ahead)
    model = embed.train(str(path), cluster=client, progress=False, **settings)
    assert digest(model) == digest(undisturbed)
    assert 1 in ahead and max(ahead) == 1
    assert replays == [1] and scattered.count(2) == 1  # the whole model once, at the run's start


def test_a_callback_that_changes_the_weights_between_epochs_sends_them_to_the_workers(tiny_corpus, client,
                                                                                       scattered):
    path, _, _ = tiny_corpus

    def shrink(model, epoch, loss):
        model.w_in[:] *= np.float32(0.5)

    threads = embed.Word2Vec(Config(**SETTINGS, deterministic=True, workers=2)).build_vocab(str(path))
    threads.train(str(path), progress=False, on_epoch_end=shrink)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client, on_epoch_end=shrink)
    assert scattered.count(2) == SETTINGS["epochs"] and digest(model) == digest(threads)


@pytest.mark.parametrize("callback", [False, True])
def test_the_weights_are_copied_at_an_epochs_end_only_where_something_reads_them(tiny_corpus, client, monkeypatch,
                                                                                   callback):
    # Without a callback (or a validation, or a checkpoint) nothing reads the weights
    # between epochs: the next epoch's first round starts on the workers' model as a
    # cycle's does, and the one copy is the run's last.
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    monkeypatch.setattr(rounds_module, "SYNC_SECONDS", 1e9)  # no copy by time (a cold compile)
    copies, started_ahead = [], []
    sync, train_cycle = DaskTransport.sync, DaskTransport.train_cycle

    def counted(self, weights, replay=True):
        copies.append(1)
        return sync(self, weights, replay)

    def noting_what_started_ahead(self, weights, plan, cycle, merger, continued=False, following=None):
        started_ahead.append(self.ahead is not None and self.ahead[0] == [list(tasks) for tasks in cycle])
        return train_cycle(self, weights, plan, cycle, merger, continued, following)

    monkeypatch.setattr(DaskTransport, "sync", counted)
    monkeypatch.setattr(DaskTransport, "train_cycle", noting_what_started_ahead)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client,
                on_epoch_end=(lambda model, epoch, loss: None) if callback else None)
    assert digest(model) == digest(undisturbed)
    assert len(copies) == (2 if callback else 1)
    # 3 rounds an epoch, a round a cycle; a callback may change the weights, which then go out whole.
    assert started_ahead == [False, True, True, not callback, True, True]


@pytest.mark.parametrize("short", ["its pieces run out first", "it has no text"])
def test_a_shard_that_sits_out_an_epochs_last_rounds_leaves_the_model_where_a_copy_finds_it(tmp_path, client,
                                                                                               monkeypatch, scattered,
                                                                                               short):
    # Shard 0's worker trains nothing once its shard's pieces run out, so its replica
    # falls behind the model: the copy at the epoch's end must come from a worker that
    # trained (from shard 0's, the run waited forever), and the next epoch sends the
    # model whole rather than lose a round to a replica that cannot read it.
    rng = np.random.default_rng(0)
    sentences = lambda words, count: "".join(" ".join(rng.choice(words, 10)) + "\n" for _ in range(count))  # noqa: E731
    if short == "its pieces run out first":  # the same bytes, a third of the words
        path = tmp_path / "uneven.txt"
        path.write_text(sentences(["elephantine", "hippopotamus", "rhinoceroses"], 12)
                        + sentences(["ox", "ax", "ew"], 48), encoding="utf-8")
    else:  # a compressed file is one shard's; one of even size falls to the second
        path, lines = tmp_path / "one.txt.gz", sentences(["ox", "ax", "ew", "yo"], 30)
        while path.write_bytes(gzip.compress(lines.encode(), mtime=0)) % 2:
            lines += "ox\n"
    settings = dict(shards=2, round_words=50, epochs=3, min_count=1, dim=16)
    failed = []
    totals = DaskTransport._totals

    def noting_failed_rounds(self, rounds):
        try:
            return totals(self, rounds)
        except cluster_module._NoReplica:
            failed.append(1)
            raise

    monkeypatch.setattr(DaskTransport, "_totals", noting_failed_rounds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rounds_module.RoundsWarning)  # of the unbalanced or idle shard
        threads = embed.train(str(path), deterministic=True, workers=1, progress=False, **settings)
        model = embed.train(str(path), cluster=client, progress=False, **settings)
    assert digest(model) == digest(threads)
    assert not failed
    # The whole model at the start, and at each later epoch's start where shard 0 trains again.
    assert scattered.count(2) == (settings["epochs"] if short == "its pieces run out first" else 1)


def _holds_a_model() -> bool:
    from embed.training import cluster, rounds

    # A replica, a shard's own model, a thread's working copy.
    return bool(cluster._replicas) or bool(cluster._own) or bool(rounds._held)


def test_closing_after_the_scheduler_went_away_leaves_the_error_that_ended_the_run():
    # The transport closes on the way out of every run, an error's too: where the error
    # was the scheduler going away, cancelling its futures raised ClosedClientError, which
    # took the error's place.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster:
        client = distributed.Client(cluster)
        transport = DaskTransport(client)
        transport.words_future, transport.given = client.submit(sum, [1, 2]), 1
        transport.ahead = ([], (transport.run, 2), [[client.submit(sum, [3, 4])]])  # a cycle started ahead
        transport.words_future.result()
    try:
        transport.close()
        assert transport.ahead is None
    finally:
        client.close()


def test_workers_read_their_shards_from_a_url(tiny_corpus, client):
    path, _, _ = tiny_corpus  # file:// goes through fsspec as s3:// would, on every worker
    threads = embed.train(str(path), deterministic=True, workers=1, progress=False, **SETTINGS)
    assert digest(embed.train(f"file://{path}", cluster=client, progress=False, **SETTINGS)) == digest(threads)


def test_a_worker_that_cannot_read_its_shard_names_itself_and_the_path(tmp_path, client):
    missing = str(tmp_path / "gone.txt")
    with pytest.raises(EmbedError, match=r"Dask worker tcp://[\d.:]+: .*gone\.txt: no such file"):
        DaskTransport(client).encode([[Segment(missing)]], ["a"], Config())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_models_that_outgrow_a_workers_memory_limit_are_one_line_before_training(tiny_corpus, client, monkeypatch):
    # Past its pause threshold a Dask worker stops running tasks, and the run hung; past the
    # terminate threshold its nanny restarts it over and over. Each worker's own thresholds
    # count (here Dask's defaults), not the coordinator's configuration; the test reads them
    # as below what a worker uses, rather than lowering its limit below what it holds.
    assert set(client.run(cluster_module._memory_thresholds).values()) == {(0.8, 0.95)}
    monkeypatch.setattr(cluster_module, "_memory_thresholds", lambda dask_worker: (False, 1e-6))
    path, _, _ = tiny_corpus
    with pytest.raises(EmbedError, match=r"^Dask worker tcp://.*: training needs .* GB there, 5 copies of the "
                                         r".* over 0% of its memory limit of .* GB, where Dask stops it; train with a "
                                         r"smaller model .*, or full_merge_every 1 \(no own models\), or fewer shards"):
        embed.train(str(path), cluster=client, progress=False, **{**SETTINGS, "full_merge_every": 2})


@pytest.mark.parametrize("restarting", [3, 100])
def test_a_scatter_while_every_worker_restarts_waits_for_them_or_is_one_line(monkeypatch, restarting):
    # A nanny restarts a worker that outgrows its memory limit; while none runs, the
    # scheduler refuses a broadcast with "Can not use replicate to delete data", which
    # ended the run with that ValueError's traceback.
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    refused = []

    class Restarting:
        def scatter(self, data, **options):
            if len(refused) < restarting:
                refused.append(1)
                raise ValueError("Can not use replicate to delete data")
            return ["future"]

    if restarting < cluster_module.SCATTER_ATTEMPTS:
        assert cluster_module._scatter(Restarting(), [b"data"]) == ["future"] and len(refused) == restarting
    else:
        with pytest.raises(EmbedError, match=r"^no Dask worker took the run's data \(the model, the word list or the "
                                             r"plan\) in 20 tries: workers dying or restarting.*\(Can not use "
                                             r"replicate to delete data\)$"):
            cluster_module._scatter(Restarting(), [b"data"])


def test_a_scatter_that_fails_otherwise_is_not_tried_again():
    class Failing:
        def scatter(self, data, **options):
            raise ValueError("something else")

    with pytest.raises(ValueError, match="something else"):
        cluster_module._scatter(Failing(), [b"data"])


def test_no_scheduler_at_the_address_is_one_line_within_seconds(tiny_corpus):
    path, _, _ = tiny_corpus
    started = time.perf_counter()
    with pytest.raises(EmbedError, match="no Dask scheduler answered"):
        embed.train(str(path), cluster=f"tcp://127.0.0.1:{_free_port()}", progress=False, **SETTINGS)
    assert time.perf_counter() - started < 30


def test_a_scheduler_without_workers_is_one_line_within_seconds(tiny_corpus):
    path, _, _ = tiny_corpus
    with distributed.LocalCluster(n_workers=0, protocol="tcp://", dashboard_address=None, silence_logs=50) as empty:
        started = time.perf_counter()
        with pytest.raises(EmbedError, match=r"the Dask scheduler at tcp://.* has no workers \(none joined within "
                                             r"5 s\)"):
            embed.train(str(path), cluster=empty.scheduler_address, progress=False, **SETTINGS)
        assert time.perf_counter() - started < 30


class _Workers:
    """A client whose workers answer ``client.run`` as given: a second environment
    without embed, or with another version of it, is more than a test can set up."""

    def __init__(self, answer):
        self.answer = answer

    def wait_for_workers(self, count, timeout):
        pass

    def run(self, function):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_workers_without_embed_or_with_another_version_are_one_line():
    here = cluster_module._embed_version()
    missing = _Workers(ModuleNotFoundError("No module named 'embed'"))
    with pytest.raises(EmbedError, match=f"^Dask workers cannot run embed's tasks: No module named 'embed'; install "
                                         f"embed {here} on every worker$"):
        cluster_module._check_workers(missing)
    other = _Workers({"tcp://10.0.0.2:3456": here, "tcp://10.0.0.3:3456": "0.0.1"})
    with pytest.raises(EmbedError, match=f"^Dask worker tcp://10.0.0.3:3456 runs embed 0.0.1, this is {here}: "
                                         "install the same version everywhere$"):
        cluster_module._check_workers(other)
    cluster_module._check_workers(_Workers({"tcp://10.0.0.2:3456": here}))


def test_a_bad_cluster_value_is_one_line(tiny_corpus):
    path, _, _ = tiny_corpus
    with pytest.raises(EmbedError, match="--cluster must be local:N or a scheduler address"):
        embed.train(str(path), cluster="somewhere", progress=False, **SETTINGS)
    # More worker processes than the machine's memory holds, before one starts: local:1000
    # went on starting them, with Dask's warnings, until the machine ran out.
    started = time.monotonic()
    with pytest.raises(EmbedError, match=r"^--cluster local:100000 \(100000 worker processes of about 150 MB each "
                                         r"before the model; one a core is local:\d+\) needs 15000\.0 GB of memory"):
        embed.train(str(path), cluster="local:100000", progress=False, **SETTINGS)
    assert time.monotonic() - started < 5


def test_a_script_that_starts_a_local_cluster_without_the_main_guard_is_told_so(tiny_corpus, tmp_path):
    # Dask starts a LocalCluster's workers as new processes that run the script again:
    # unguarded, each of them reached embed.train and started processes of its own, and
    # the script ended in pages of multiprocessing's and Dask's tracebacks.
    path, _, _ = tiny_corpus
    script = tmp_path / "unguarded.py"
    script.write_text(f"import embed\nembed.train({str(path)!r}, cluster='local:2', progress=False, epochs=1)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    guard = 'train under `if __name__ == "__main__":`, as each worker process runs the script again'
    assert f"embed: a LocalCluster's worker process ran the script again and reached cluster='local:N': {guard}" \
        in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("embed.errors.EmbedError: --cluster local:2: the worker processes did not start (") \
        and last.endswith(f"); in a script, {guard}")
    assert "bootstrapping phase" not in done.stderr


def _upkeep() -> tuple:
    import dask

    return (dask.config.get("distributed.worker.profile.enabled"), dask.config.get("distributed.admin.tick.interval"),
            dask.config.get("distributed.worker.memory.monitor-interval"),
            dask.config.get("distributed.admin.system-monitor.interval"),
            os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("MALLOC_MMAP_THRESHOLD_"))


def _http_hosts(dask_scheduler) -> list[str]:
    return [sock.getsockname()[0] for sock in dask_scheduler.http_server._sockets.values()]


def test_the_workers_of_a_cluster_embed_starts_keep_their_cores_for_training_and_the_users_config_stays(
        monkeypatch):
    # Dask's sampling profiler, its 20 ms ticks and frequent memory readings cost a worker's
    # core time; work stealing would move a round's task away from its shard's own model;
    # Dask's MALLOC_TRIM_THRESHOLD_ has every change over 128 KB page-faulted afresh, and a
    # LocalCluster of Dask's own leaves it in this process's environment, where a nanny
    # would take it from.
    # Another cluster's dashboard on Dask's port 8787 (where it is free) was a three-line warning.
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    users = _upkeep()
    embeds = (False, "500ms", "1s", "5s", str(1 << 30), str(1 << 25))
    with socket.socket() as taken, warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Port \d+ is already in use")
        with contextlib.suppress(OSError):
            taken.bind(("", 8787))
            taken.listen()
        with cluster_module.connected("local:1") as client:
            assert list(client.run(_upkeep).values()) == [embeds]
            assert not client.run_on_scheduler(lambda dask_scheduler: "stealing" in dask_scheduler.extensions)
            assert client.run_on_scheduler(_http_hosts) == ["127.0.0.1"]  # not every interface
    assert _upkeep() == users != embeds  # Dask's nannies set their workers' environment here too


def test_ctrl_c_while_the_local_cluster_starts_spares_its_workers_and_another_stop_closes_it(
        tiny_corpus, monkeypatch, interruptible):
    # A terminal sends Ctrl-C to its whole foreground group: a worker process still
    # importing Dask died of it with a traceback, and the cluster did not start. The
    # workers now start with it ignored. Another stop (the command's handler of SIGTERM)
    # waits for the start: cut short inside LocalCluster's constructor, it left the
    # worker processes running with nothing to close them.
    path, _, _ = tiny_corpus
    started, ignoring = [], []

    class StoppedWhileStarting(distributed.LocalCluster):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)
            signal.raise_signal(signal.SIGINT)
            with distributed.Client(self) as client:
                ignoring.extend(client.run(lambda: signal.getsignal(signal.SIGINT) == signal.SIG_IGN).values())
            stop_module.raise_stop(Terminated())

    monkeypatch.setattr(distributed, "LocalCluster", StoppedWhileStarting)
    with pytest.raises(Terminated):
        embed.train(str(path), cluster="local:1", progress=False, **SETTINGS)
    assert ignoring == [True] and started[0].status.name == "closed"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    stop_module.check_stop()  # nothing left for a later run to meet


def test_a_stop_held_while_the_local_cluster_fails_to_start_is_what_the_run_ends_with(tiny_corpus, monkeypatch):
    path, _, _ = tiny_corpus

    def fails_to_start(*args, **kwargs):
        stop_module.raise_stop(Terminated())  # held until the start ends
        raise RuntimeError("Nanny failed to start.")

    monkeypatch.setattr(distributed, "LocalCluster", fails_to_start)
    with pytest.raises(Terminated):
        embed.train(str(path), cluster="local:1", progress=False, **SETTINGS)
    stop_module.check_stop()  # nothing left for a later run to meet


def test_a_ctrl_c_to_the_terminals_process_group_stops_a_local_cluster_run_with_its_rounds(tmp_path):
    # A terminal sends Ctrl-C to its whole foreground group. The workers of the cluster
    # embed starts are out of it, so they live to give the coordinator the model, print
    # nothing, and the rounds trained so far are kept.
    corpus = tmp_path / "big.txt"
    rng = np.random.default_rng(0)
    words = [f"w{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(500)]
    corpus.write_text("\n".join(" ".join(rng.choice(words, 20)) for _ in range(6_000)))
    out = tmp_path / "v.bin"
    command = [sys.executable, "-m", "embed", "train", str(corpus), "-o", str(out), "--arch", "skipgram", "--loss",
               "softmax", "--dim", "16", "--epochs", "6", "--min-count", "1", "--cluster", "local:2", "--shards", "2",
               "--round-words", "2000"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=default_signals,
                               start_new_session=True)
    seen = b""
    while b"alpha" not in seen:  # a round merged, whatever the machine's speed
        block = os.read(process.stderr.fileno(), 4096)
        assert block, seen.decode()
        seen += block
    os.killpg(process.pid, signal.SIGINT)
    _, rest = process.communicate(timeout=120)
    stderr = (seen + rest).decode()
    assert process.returncode == 130 and "Traceback" not in stderr, stderr
    partial = embed.Word2Vec.load(f"{out}.partial")
    assert partial.run.completed or partial.run.epoch


def test_the_command_on_a_local_cluster_writes_the_file_deterministic_threads_write(tiny_corpus, tmp_path):
    # The corpus has a byte that is not UTF-8 and a token over the length cap: the workers
    # printed their warnings as Python's two lines each, and the report said "cut: not recorded".
    tiny, _, _ = tiny_corpus
    path = tmp_path / "repaired.txt"
    path.write_bytes(tiny.read_bytes() + b"caf\xe9 cat " + b"z" * 120 + b" dog\n")
    options = ["--shards", "4", "--round-words", "300", "--epochs", "2", "--min-count", "1", "--dim", "16", "--quiet"]
    outputs = []
    for how in (["--cluster", "local:2"], ["--deterministic", "--workers", "2"]):
        out = tmp_path / f"{how[0].strip('-')}.bin"
        result = subprocess.run([sys.executable, "-m", "embed", "train", str(path), "-o", str(out), *options, *how],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.append(hashlib.sha256(out.read_bytes()).hexdigest())
        said = [line for line in result.stderr.splitlines() if "repaired.txt" in line]
        assert len(said) == 2 and all(line.startswith("embed: warning: ") for line in said), result.stderr
        where = len(tiny.read_bytes()) + 3  # the file's byte, not the shard's: "at byte 4346" of 13,431 to 17,908
        assert f"replaced 1 bytes that are not valid UTF-8, the first at byte {where} " in said[0]
        assert "cut 1 tokens longer" in said[1]
        assert "; 1 tokens cut to 100 characters; 1 byte not valid in the encoding replaced" in result.stdout
    assert outputs[0] == outputs[1]


def _checkpoints_kept(monkeypatch, folder):
    """Every checkpoint a run writes, copied aside as it is written."""
    kept, save = [], embed.Word2Vec.save

    def keep(model, path):
        save(model, path)
        kept.append(folder / f"checkpoint-{len(kept)}.embed")
        shutil.copyfile(path, kept[-1])

    monkeypatch.setattr(embed.Word2Vec, "save", keep)
    return kept


def test_a_validation_and_epoch_checkpoints_on_the_cluster_read_each_epochs_weights(tiny_corpus, tmp_path, client,
                                                                                      monkeypatch):
    # An epoch's end copies the model from the workers only where something reads it
    # there: without the copy, the validation scored the weights of the last copy (the
    # run's start), and the checkpoint wrote them.
    path, _, _ = tiny_corpus
    held_out = [line.split() for line in path.read_text(encoding="utf-8").splitlines()[:40]]
    monkeypatch.setattr(rounds_module, "SYNC_SECONDS", 1e9)  # no copy by time (a cold compile)
    threads = embed.Word2Vec(Config(**SETTINGS, deterministic=True, workers=2)).build_vocab(str(path))
    threads.train(str(path), progress=False, validate=held_out)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client, validate=held_out)
    scores = [stats.validation for stats in model.history]
    assert scores == [stats.validation for stats in threads.history] and scores[0] != scores[1]
    kept = _checkpoints_kept(monkeypatch, tmp_path)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client, checkpoints=Checkpoints(str(tmp_path / "c"), epochs=1))
    monkeypatch.undo()
    first = embed.Word2Vec.load(kept[0])  # the first epoch's end
    assert first.epochs_done == 1 and digest(first) != digest(embed.Word2Vec.load(kept[-1]))
    first.resume(str(path), progress=False)
    assert digest(first) == digest(model) == digest(threads)


def test_a_run_checkpointed_on_the_cluster_resumes_on_threads_or_the_cluster_to_the_same_vectors(
        tiny_corpus, tmp_path, client, monkeypatch):
    path, _, _ = tiny_corpus
    options = ["--shards", "4", "--round-words", "300", "--epochs", "2", "--min-count", "1", "--dim", "16", "--quiet"]
    whole = tmp_path / "whole.bin"
    done = subprocess.run([sys.executable, "-m", "embed", "train", str(path), "-o", str(whole), *options,
                           "--deterministic", "--workers", "2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    kept = _checkpoints_kept(monkeypatch, tmp_path)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client, checkpoints=Checkpoints(str(tmp_path / "c"), seconds=1e-9))
    monkeypatch.undo()
    middle = embed.Word2Vec.load(kept[4])  # 3 rounds an epoch: one round into the second epoch
    assert middle.run.rounds and middle.run.epoch == 1 and middle.run.completed
    middle.resume(str(path), progress=False)
    assert digest(middle) == digest(model)
    for where in (["--cluster", "local:2"], []):
        out = tmp_path / f"resumed{len(where)}.bin"
        done = subprocess.run([sys.executable, "-m", "embed", "train", str(path), "-o", str(out), "--quiet",
                               "--resume", str(kept[2]), *where], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(whole.read_bytes()).hexdigest()
