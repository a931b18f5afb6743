"""Training in rounds on Dask (embed.training.cluster): a LocalCluster of worker
processes gives the vectors that threads give, also after a worker is killed; the
vocabulary counted on the workers is the one-process vocabulary; what goes wrong is
one line."""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

distributed = pytest.importorskip("distributed")

import embed  # noqa: E402
from embed.errors import EmbedError  # noqa: E402
from embed.text.shards import Segment  # noqa: E402
from embed.training.cluster import DaskTransport  # noqa: E402
from embed.training.config import Config  # noqa: E402

SETTINGS = dict(shards=4, round_words=300, epochs=2, min_count=1, dim=16)


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


def test_inputs_no_worker_holds_any_more_are_sent_again(tiny_corpus, client, monkeypatch):
    # The scheduler forgets scattered data when every worker holding it dies, and cancels
    # what depends on it; cancelling the data does the same, without a race to win.
    path, _, _ = tiny_corpus
    undisturbed = embed.train(str(path), deterministic=True, workers=2, progress=False, **SETTINGS)
    train_round, rounds = DaskTransport.train_round, []

    def losing_round(self, model, plan, tasks):
        rounds.append(len(tasks))
        if len(rounds) == 3:
            self.client.cancel([self.words_future, self.plan[1]])
        return train_round(self, model, plan, tasks)

    monkeypatch.setattr(DaskTransport, "train_round", losing_round)
    model = embed.Word2Vec(Config(**SETTINGS)).build_vocab(str(path), cluster=client)
    model.train(str(path), progress=False, cluster=client)
    assert len(rounds) > 3 and digest(model) == digest(undisturbed)


def test_a_worker_that_cannot_read_its_shard_names_itself_and_the_path(tmp_path, client):
    missing = str(tmp_path / "gone.txt")
    with pytest.raises(EmbedError, match=r"Dask worker tcp://[\d.:]+: .*gone\.txt: no such file"):
        DaskTransport(client).encode([[Segment(missing)]], ["a"], Config())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_scheduler_at_the_address_is_one_line_within_seconds(tiny_corpus):
    path, _, _ = tiny_corpus
    started = time.perf_counter()
    with pytest.raises(EmbedError, match="no Dask scheduler answered"):
        embed.train(str(path), cluster=f"tcp://127.0.0.1:{_free_port()}", progress=False, **SETTINGS)
    assert time.perf_counter() - started < 30


def test_a_bad_cluster_value_is_one_line(tiny_corpus):
    path, _, _ = tiny_corpus
    with pytest.raises(EmbedError, match="--cluster must be local:N or a scheduler address"):
        embed.train(str(path), cluster="somewhere", progress=False, **SETTINGS)


def test_the_command_on_a_local_cluster_writes_the_file_deterministic_threads_write(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    options = ["--shards", "4", "--round-words", "300", "--epochs", "2", "--min-count", "1", "--dim", "16", "--quiet"]
    outputs = []
    for how in (["--cluster", "local:2"], ["--deterministic", "--workers", "2"]):
        out = tmp_path / f"{how[0].strip('-')}.bin"
        result = subprocess.run([sys.executable, "-m", "embed", "train", str(path), "-o", str(out), *options, *how],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("extra,message", [(["--resume", "x.embed"], "--resume is not available"),
                                           (["--checkpoint-every", "1"], "--checkpoint-every is not available")])
def test_what_rounds_cannot_do_yet_is_refused_before_any_work(tiny_corpus, tmp_path, extra, message):
    path, _, _ = tiny_corpus
    result = subprocess.run([sys.executable, "-m", "embed", "train", str(path), "-o", str(tmp_path / "o.bin"),
                             "--deterministic", *extra], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"embed: error: {result.stderr.split('error: ', 1)[1].strip()}"]
    assert message in result.stderr
