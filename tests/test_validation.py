"""Validation while training (embed.training.validation): the held-out loss against a
NumPy reference, scores equal to the evaluations', early stopping that keeps the best
epoch, and the command line's --validate and --early-stop."""

import re
import subprocess
import sys

import numpy as np
import pytest

from embed.errors import EmbedError
from embed.training.config import Config
from embed.training.validation import HeldOutLoss, Validation, validation_for
from embed.training.word2vec import Word2Vec
from embed.vectors.evaluate import evaluate_word_analogies, evaluate_word_pairs


def settings(**fields):
    base = dict(dim=12, min_count=1, epochs=3, workers=1, seed=4, sample=0, chunk_words=300)
    return Config(**{**base, **fields})


def test_the_held_out_loss_is_the_training_loss_with_nothing_updated(tiny_corpus, tmp_path):
    # CBOW, full softmax, fixed windows, no subsampling: no random draw at all, so the
    # reference is the textbook loss, -log softmax(W_out h)[centre] with h the context mean.
    path, _, _ = tiny_corpus
    held = tmp_path / "held.txt"
    held.write_text("cat dog cow horse\nhammer saw drill\nsheep\n")
    model = Word2Vec(settings(loss="softmax", shrink_windows=False, window=2)).build_vocab(path).train(
        path, progress=False)
    before = model.w_in.copy(), model.w_out.copy()
    validation = HeldOutLoss(str(held))
    score = validation.score(model)
    np.testing.assert_array_equal(model.w_in, before[0])
    np.testing.assert_array_equal(model.w_out, before[1])
    w_in, w_out = model.w_in.astype(np.float64), model.w_out.astype(np.float64)
    losses = []
    for line in held.read_text().splitlines():
        ids = [model.vocab.index[w] for w in line.split()]
        for i, centre in enumerate(ids):
            context = [ids[j] for j in range(max(0, i - 2), min(len(ids), i + 3)) if j != i]
            if context:
                scores = w_out @ w_in[context].mean(0)
                losses.append(np.log(np.exp(scores - scores.max()).sum()) + scores.max() - scores[centre])
    assert score == pytest.approx(np.mean(losses), rel=1e-5)
    assert validation.score(model) == score  # the same draws every time


@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
def test_the_held_out_loss_draws_the_same_noise_every_epoch(tiny_corpus, loss):
    path, _, _ = tiny_corpus
    model = Word2Vec(settings(loss=loss, arch="skipgram", sample=1e-2)).build_vocab(path).train(path, progress=False)
    validation = HeldOutLoss([["cat", "dog", "cow", "horse", "sheep", "cat"]] * 3)
    first = validation.score(model)
    assert np.isfinite(first) and validation.score(model) == first


def test_scores_are_the_evaluations_and_kept_in_the_history(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    analogies = tmp_path / "q.txt"
    analogies.write_text(": family\ncat dog cow horse\nhammer saw drill wrench\n")
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("cat\tdog\t9\ncat\thammer\t1\ndog\tsaw\t2\nsaw\tdrill\t8\n")
    assert validation_for(str(analogies)).name == "analogy accuracy"
    assert validation_for(str(pairs)).name == "Spearman"
    assert validation_for(str(path)).name == "held-out loss"
    for source, evaluate in [(analogies, lambda v: evaluate_word_analogies(v, analogies, 30_000).accuracy),
                             (pairs, lambda v: evaluate_word_pairs(v, pairs).spearman)]:
        seen = []
        model = Word2Vec(settings()).build_vocab(path)
        model.train(path, progress=False, validate=str(source),
                    on_epoch_end=lambda m, epoch, loss: seen.append(evaluate(m.wv)))
        assert [stats.validation for stats in model.history] == pytest.approx(seen)


class Scripted(Validation):
    """Scores given in advance (lower is better), so the stop falls where the test says."""

    name = "scripted"
    higher_is_better = False

    def __init__(self, scores):
        self.scores = list(scores)

    def score(self, model):
        return self.scores.pop(0)


@pytest.mark.parametrize("deterministic", [False, True], ids=["threads", "rounds"])
def test_early_stop_ends_after_n_epochs_without_improvement_and_keeps_the_best(tiny_corpus, deterministic):
    path, _, _ = tiny_corpus
    weights = {}
    rounds = {"round_words": 500} if deterministic else {}
    model = Word2Vec(settings(epochs=8, deterministic=deterministic, **rounds)).build_vocab(path)
    model.train(path, progress=False, validate=Scripted([3.0, 2.0, 2.5, 2.1, 1.0]), early_stop=2,
                on_epoch_end=lambda m, epoch, loss: weights.update({epoch: (m.w_in.copy(), m.w_out.copy())}))
    assert [s.validation for s in model.history] == [3.0, 2.0, 2.5, 2.1] and sorted(weights) == [1, 2, 3, 4]
    assert model.best_epoch == 2 and model.run is None
    np.testing.assert_array_equal(model.w_in, weights[2][0])
    np.testing.assert_array_equal(model.w_out, weights[2][1])
    assert not np.array_equal(model.w_in, weights[4][0])


def test_early_stop_needs_a_validation_and_a_whole_number(tiny_corpus):
    path, _, _ = tiny_corpus
    model = Word2Vec(settings()).build_vocab(path)
    with pytest.raises(EmbedError, match="early_stop needs validate"):
        model.train(path, progress=False, early_stop=2)
    with pytest.raises(EmbedError, match="early_stop must be a number of epochs >= 1, got 0"):
        model.train(path, progress=False, validate=[["cat", "dog"]], early_stop=0)
    with pytest.raises(EmbedError, match="held-out text has no word of the vocabulary"):
        model.train(path, progress=False, validate=[["zebra", "yak"]])
    assert not model.history  # refused before the first epoch, not after it


def test_a_bad_validation_file_is_refused_before_training(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("cat\tdog\t9\ncat\thammer\t1\ncat\tsaw\t2\ncat\tcow\t3\ncat\tcow\t3\nsaw\tdrill\tmany\n")
    model = Word2Vec(settings()).build_vocab(path)
    with pytest.raises(EmbedError, match=r"pairs.tsv: line 6: the score 'many' is not a finite number"):
        model.train(path, progress=False, validate=str(pairs))
    assert not model.history


def test_a_validation_file_that_could_score_nothing_is_refused_and_a_header_is_a_header(tiny_corpus, tmp_path):
    # Analogies of words outside the vocabulary scored 0 every epoch, and an early stop
    # stopped on it; pairs outside it failed after the first epoch; constant human scores
    # gave nan with scipy's warning twice; a pairs file with WordSim-353 combined.tab's
    # header line was refused by the evaluation and trained on as held-out text by validate.
    path, _, _ = tiny_corpus
    model = Word2Vec(settings()).build_vocab(path)
    unknown = tmp_path / "q.txt"
    unknown.write_text(": capitals\nparis france rome italy\n")
    few = tmp_path / "few.tsv"
    few.write_text("cat\tdog\t9\nparis\tfrance\t8\n")
    for source, message in ((unknown, "q.txt: none of its 1 questions has its four words among the 30,000 most frequent "
                                      "words of the vocabulary"),
                            (few, "few.tsv: fewer than two word pairs are in the vocabulary (1 pairs have unknown words)")):
        with pytest.raises(EmbedError, match=re.escape(message)):
            model.train(path, progress=False, validate=str(source), early_stop=1)
    assert not model.history
    header = tmp_path / "combined.tab"
    header.write_text("Word 1\tWord 2\tHuman (mean)\ncat\tdog\t9\ncat\thammer\t1\ndog\tsaw\t2\n")
    assert validation_for(str(header)).name == "Spearman"
    assert evaluate_word_pairs(model.wv, header).pairs == 3
    comma = tmp_path / "comma.tsv"  # a bad score at line 1 is no column name
    comma.write_text("cat\tdog\t7,35\ncat\thammer\t1\n")
    with pytest.raises(EmbedError, match=r"comma.tsv: line 1: the score '7,35' is not a finite number$"):
        evaluate_word_pairs(model.wv, comma)
    constant = tmp_path / "constant.tsv"
    constant.write_text("cat\tdog\t5\ncat\thammer\t5\n")
    for call in (lambda: evaluate_word_pairs(model.wv, constant),
                 lambda: model.train(path, progress=False, validate=str(constant))):  # it failed after an epoch
        with pytest.raises(EmbedError, match=r"constant.tsv: the human scores of the 2 pairs in the vocabulary are all 5: "):
            call()
    assert not model.history


def test_validate_and_early_stop_on_the_command_line(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    held = tmp_path / "held.txt"
    held.write_text("cat dog cow horse sheep\nhammer saw drill wrench pliers\n" * 5)
    command = [sys.executable, "-m", "embed", "train", str(path), "-o", str(tmp_path / "v.vec"), "--dim", "8",
               "--min-count", "1", "--epochs", "3", "--sample", "0", "--workers", "1"]
    done = subprocess.run(command + ["--validate", str(held), "--early-stop", "5"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    epochs = [line for line in done.stdout.splitlines() if line.startswith("epoch ")]
    assert len(epochs) == 3 and all(", held-out loss " in line for line in epochs), done.stdout
    refused = subprocess.run(command + ["--early-stop", "2"], capture_output=True, text=True)
    assert refused.returncode == 1 and "--early-stop needs --validate" in refused.stderr
    refused = subprocess.run(command + ["--validate", str(tmp_path / "none.txt")], capture_output=True, text=True)
    assert refused.returncode == 1 and "none.txt: no such file" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
