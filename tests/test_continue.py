"""Training that goes on with new text: build_vocab(update=True) and train() again
(Python), ``embed train NEW --init OLD`` (command line). Each check is against what the
test computes itself: merged counts, kept rows, word2vec's start for new rows, the
learning rates handed to the kernels."""

import subprocess
import sys

import numpy as np
import pytest

from embed.errors import EmbedError
from embed.kernels.huffman import huffman_tree
from embed.kernels.loss_negative import alias_table, noise_distribution
from embed.training.config import Config
from embed.training.word2vec import Word2Vec

ANIMALS = ["cat", "dog", "horse", "cow", "sheep"]
TOOLS = ["hammer", "saw", "drill", "wrench", "pliers"]


def family_text(path, families, lines=400, seed=0):
    rng = np.random.default_rng(seed)
    text = []
    for _ in range(lines):
        family = families[int(rng.integers(len(families)))]
        text.append(" ".join(rng.choice(family, 8)))
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def config(**fields):
    base = dict(arch="skipgram", dim=16, min_count=3, epochs=4, workers=1, seed=2, sample=0, chunk_words=500)
    return Config(**{**base, **fields})


@pytest.mark.parametrize("loss", ["negative", "hierarchical", "softmax"])
def test_new_words_join_after_the_old_ones_whose_rows_stay(tmp_path, loss):
    old_text = family_text(tmp_path / "old.txt", [ANIMALS, TOOLS])
    new_text = family_text(tmp_path / "new.txt", [ANIMALS + ["goat", "llama"], TOOLS + ["chisel"], ["rare"]],
                           lines=300, seed=1)
    (tmp_path / "new.txt").write_text(new_text.read_text() + "once once\n")  # "once" stays below min_count
    model = Word2Vec(config(loss=loss)).build_vocab(old_text).train(old_text, progress=False)
    words, counts = list(model.vocab.words), model.vocab.counts.copy()
    w_in, w_out = model.w_in.copy(), model.w_out.copy()
    model.build_vocab(new_text, update=True)

    new_counts = {}
    for token in new_text.read_text().split():
        new_counts[token] = new_counts.get(token, 0) + 1
    added = sorted((w for w, c in new_counts.items() if c >= 3 and w not in words), key=lambda w: -new_counts[w])
    assert model.vocab.words == words + added and "once" not in model.vocab
    assert model.vocab.counts.tolist() == [c + new_counts.get(w, 0) for w, c in zip(words, counts)] + [
        new_counts[w] for w in added]
    np.testing.assert_array_equal(model.w_in[: len(words)], w_in)
    np.testing.assert_array_equal(model.w_out[: len(words)], w_out)
    fresh = model.w_in[len(words):]
    assert (np.abs(fresh) <= 0.5 / 16).all() and len(np.unique(fresh)) == fresh.size  # word2vec's start
    assert not model.w_out[len(words):].any()
    if loss == "negative":  # the noise table of the merged counts
        np.testing.assert_array_equal(model.plan.tables.noise, alias_table(noise_distribution(model.vocab.counts)))
    if loss == "hierarchical":
        np.testing.assert_array_equal(model.plan.tables.codes, huffman_tree(model.vocab.counts)[0])


def test_a_continuation_keeps_old_neighbourhoods_and_trains_new_words(tmp_path):
    old_text = family_text(tmp_path / "old.txt", [ANIMALS, TOOLS])
    new_text = family_text(tmp_path / "new.txt", [ANIMALS + ["goat", "llama"], TOOLS + ["chisel"]], seed=1)
    model = Word2Vec(config(epochs=8)).build_vocab(old_text).train(old_text, progress=False)
    ids = {w: model.vocab.index[w] for w in model.vocab.words}
    model.build_vocab(new_text, update=True).train(new_text, progress=False)
    assert all(model.vocab.index[w] == i for w, i in ids.items())
    vectors = model.wv
    for word, family in [("goat", ANIMALS), ("llama", ANIMALS), ("chisel", TOOLS), ("cat", ANIMALS),
                         ("hammer", TOOLS)]:
        nearest = [w for w, _ in vectors.most_similar(word, topn=3)]
        assert all(w in family + ["goat", "llama", "chisel"] for w in nearest), (word, nearest)
        assert not any(w in (TOOLS if family is ANIMALS else ANIMALS) for w in nearest), (word, nearest)


def test_the_continuation_runs_its_own_learning_rate_schedule(tmp_path, monkeypatch):
    from embed.training import threads

    old_text = family_text(tmp_path / "old.txt", [ANIMALS, TOOLS])
    new_text = family_text(tmp_path / "new.txt", [ANIMALS + ["goat"], TOOLS], seed=1)
    model = Word2Vec(config(alpha=0.04, min_alpha=0.001, epochs=2)).build_vocab(old_text).train(old_text,
                                                                                               progress=False)
    spans = []
    original = threads.train_piece

    def recording(w_in, w_out, plan, worker, piece):
        spans.append((piece.alpha_start, piece.alpha_end))
        return original(w_in, w_out, plan, worker, piece)

    monkeypatch.setattr(threads, "train_piece", recording)
    model.build_vocab(new_text, update=True).train(new_text, progress=False, start_alpha=0.01)
    assert spans[0][0] == pytest.approx(0.01) and spans[-1][1] == pytest.approx(0.001, abs=1e-6)
    assert all(a >= b for a, b in spans) and all(b1 == pytest.approx(a2) for (_, b1), (a2, _) in zip(spans, spans[1:]))
    assert model.config.alpha == 0.04  # the model's settings stay; the rate was this call's
    spans.clear()
    model.train(new_text, progress=False)  # a plain call: the settings' rates again
    assert spans[0][0] == pytest.approx(0.04)


def test_adding_words_is_refused_where_it_cannot_hold(tmp_path):
    text = family_text(tmp_path / "old.txt", [ANIMALS, TOOLS])
    with pytest.raises(EmbedError, match=r"build_vocab\(update=True\) adds words to a model's vocabulary: build one"):
        Word2Vec(config()).build_vocab(text, update=True)
    model = Word2Vec(config()).build_vocab(text)

    def stop(m, epoch, loss):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.train(text, progress=False, on_epoch_end=stop)
    with pytest.raises(EmbedError, match=r"did not finish: resume\(\) it before adding words"):
        model.build_vocab(text, update=True)
    with pytest.raises(EmbedError, match="alpha must be a finite number > 0"):
        Word2Vec(config()).build_vocab(text).train(text, progress=False, start_alpha=-1.0)


def embed_command(*arguments):
    return subprocess.run([sys.executable, "-m", "embed", *map(str, arguments)], capture_output=True, text=True)


def test_init_on_the_command_line_from_a_model_or_from_vectors(tmp_path):
    old_text = family_text(tmp_path / "old.txt", [ANIMALS, TOOLS])
    new_text = family_text(tmp_path / "new.txt", [ANIMALS + ["goat"], TOOLS], seed=1)
    settings = ["--arch", "skipgram", "--dim", "16", "--min-count", "3", "--epochs", "2", "--sample", "0", "--quiet"]
    done = embed_command("train", old_text, "-o", tmp_path / "old.embed", *settings)
    assert done.returncode == 0, done.stderr
    done = embed_command("train", new_text, "-o", tmp_path / "new.embed", "--init", tmp_path / "old.embed",
                         "--epochs", "2", "--alpha", "0.01", "--quiet")
    assert done.returncode == 0, done.stderr
    old, new = Word2Vec.load(tmp_path / "old.embed"), Word2Vec.load(tmp_path / "new.embed")
    assert new.vocab.words[: len(old.vocab)] == old.vocab.words and "goat" in new.vocab
    assert new.epochs_done == old.epochs_done + 2 and new.config.arch == "skipgram"
    # The closing line counts this command's two epochs, not the model's first two.
    assert f"trained {sum(stats.words for stats in new.history[-2:]):,} words in" in done.stdout

    # From vectors: a new model of the new text whose input rows start from the file's where it has the word.
    Word2Vec.load(tmp_path / "old.embed").wv.save_word2vec_format(tmp_path / "old.vec")
    done = embed_command("train", new_text, "-o", tmp_path / "from_vectors.embed", "--init", tmp_path / "old.vec",
                         "--epochs", "1", "--min-count", "3", "--arch", "skipgram", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "initialised the input vectors of 10 of 11 words from" in done.stdout

    for arguments, message in [
        (["--init", tmp_path / "old.embed", "--dim", "32"], "the model in .*old.embed has dim 16; --dim 32 asks for "
                                                           "another: leave --dim out to go on with the model's"),
        (["--init", tmp_path / "old.embed", "--loss", "hierarchical"], "has loss negative; --loss hierarchical"),
        (["--init", tmp_path / "old.vec", "--dim", "32"], "old.vec holds vectors of dimension 16; --dim 32 asks for "
                                                          "another"),
        (["--init", tmp_path / "missing.embed"], "missing.embed: no such file"),
        (["--init", new_text], "new.txt: line 1: "),
        (["--init", tmp_path / "old.embed", "--resume", tmp_path / "old.embed"], "--init and --resume"),
    ]:
        done = embed_command("train", new_text, "-o", tmp_path / "refused.embed", "--quiet", *arguments)
        assert done.returncode == 1 and not (tmp_path / "refused.embed").exists(), (arguments, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert __import__("re").search(message, done.stderr), (message, done.stderr)
