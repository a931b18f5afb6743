"""Training on several worker threads: the same model as one worker within noise, exact
merges of the private rows, resumes, and failures that end the run cleanly."""

import threading

import numpy as np
import pytest

from embed import Config, Word2Vec
from embed.kernels.piece import Changes, Outcome
from embed.training import threads
from embed.training.schedule import Checkpoints


def config(**fields):
    base = dict(dim=16, min_count=1, epochs=4, seed=3, chunk_words=200, sample=0)
    return Config(**{**base, **fields})


def family_score(model, animals, tools) -> float:
    """Mean similarity within the two word families minus across them."""
    within = np.mean([model.wv.similarity(a, b) for f in (animals, tools) for a in f for b in f if a != b])
    across = np.mean([model.wv.similarity(a, t) for a in animals for t in tools])
    return float(within - across)


@pytest.mark.parametrize("arch,loss", [("cbow", "negative"), ("skipgram", "hierarchical"), ("skipgram", "softmax"),
                                       ("cbow", "softmax")])
def test_two_workers_train_the_model_one_worker_trains(tiny_corpus, arch, loss):
    path, animals, tools = tiny_corpus
    one = Word2Vec(config(arch=arch, loss=loss, workers=1)).build_vocab(path).train(path, progress=False)
    two = Word2Vec(config(arch=arch, loss=loss, workers=2)).build_vocab(path).train(path, progress=False)
    assert [h.words for h in two.history] == [h.words for h in one.history]
    assert two.history[-1].loss == pytest.approx(one.history[-1].loss, rel=0.05)
    assert family_score(two, animals, tools) > 0.5 * family_score(one, animals, tools) > 0


@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
def test_concurrent_merges_of_private_rows_lose_nothing(tmp_path, monkeypatch, loss):
    # Every piece reports the same change, +1 on each of 512 private rows of 400 floats;
    # eight workers merge them at once, a thousand times. Without the merge lock some
    # additions are lost (1 chunk in 40 under stress before the lock, and here).
    rng = np.random.default_rng(0)
    path = tmp_path / "c.txt"
    words = [a + b + c for a in "abcdefghij" for b in "abcdefghij" for c in "abcdefghij"]
    path.write_text("\n".join(" ".join(rng.choice(words, 20)) for _ in range(1000)))
    pieces = []

    def fixed_change(w_in, w_out, plan, worker, piece):
        private = worker.private
        pieces.append(piece.number)
        delta = np.ones((private.count, w_out.shape[1]), np.float32)
        return Outcome(Changes(np.arange(private.first, private.first + private.count), delta), 0.0, 1, None)

    monkeypatch.setattr(threads, "train_piece", fixed_change)
    model = Word2Vec(config(loss=loss, workers=8, chunk_words=20, epochs=1, dim=400)).build_vocab(path)
    first, count, share = threads.hot_range(loss, model.weights.rows, 8)
    before = model.w_out.copy()
    model.train(path, progress=False)
    assert count == 512 and len(pieces) == 1000
    np.testing.assert_array_equal(model.w_out[first:first + count] - before[first:first + count],
                                  np.float32(share * len(pieces)))


def test_a_checkpoint_taken_with_two_workers_resumes_to_a_whole_run(tiny_corpus, tmp_path):
    path, animals, tools = tiny_corpus
    checkpoint = tmp_path / "run.checkpoint"
    full = Word2Vec(config(workers=2)).build_vocab(path)
    full.train(path, progress=False, checkpoints=Checkpoints(str(checkpoint), seconds=1e-9))
    resumed = Word2Vec.load(checkpoint)
    assert resumed.run is not None and resumed.run.completed
    resumed.resume(path, progress=False)
    assert resumed.run is None
    assert [h.words for h in resumed.history] == [h.words for h in full.history]
    assert resumed.history[-1].loss == pytest.approx(full.history[-1].loss, rel=0.05)
    assert family_score(resumed, animals, tools) > 0


def test_a_failing_worker_ends_the_run_with_its_error(tiny_corpus, monkeypatch):
    path, _, _ = tiny_corpus
    original, count = threads.train_piece, [0]

    def failing(w_in, w_out, plan, worker, piece):
        count[0] += 1
        if count[0] == 5:
            raise RuntimeError("a worker failed")
        return original(w_in, w_out, plan, worker, piece)

    monkeypatch.setattr(threads, "train_piece", failing)
    model = Word2Vec(config(workers=2)).build_vocab(path)
    before = threading.active_count()  # other tests' libraries (Dask's) may keep threads of their own
    with pytest.raises(RuntimeError, match="a worker failed"):
        model.train(path, progress=False)
    assert threading.active_count() <= before  # the reader and the other worker have stopped
    assert model.run is not None and len(model.run.completed) >= 3


class FailingCorpus:
    """Sentences read whole twice (the vocabulary, then the word count of train()); the
    third read, the first epoch's, fails half way."""

    def __init__(self, sentences):
        self.sentences, self.passes = sentences, 0

    def __iter__(self):
        for number, sentence in enumerate(self.sentences):
            if self.passes == 2 and number == len(self.sentences) // 2:
                raise OSError("the network drive went away")
            yield sentence
        self.passes += 1


def test_a_failing_reader_ends_the_run_with_its_error(tiny_corpus):
    path, _, _ = tiny_corpus
    sentences = FailingCorpus([line.split() for line in path.read_text().splitlines()])
    model = Word2Vec(config(workers=2)).build_vocab(sentences)
    before = threading.active_count()
    with pytest.raises(OSError, match="the network drive went away"):
        model.train(sentences, progress=False)
    assert threading.active_count() <= before
    assert model.run is not None and model.run.completed
