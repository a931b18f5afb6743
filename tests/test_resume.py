"""Saving whole models, checkpoints, and resuming to the same vectors."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from embed import Config, EmbedError, Word2Vec
from embed.vectors.atomic import atomic_write
from embed.vectors import load_vectors
from embed.vectors.native import VERSION, read_model
from embed.training.schedule import Checkpoints


def config(**fields):
    base = dict(arch="skipgram", dim=8, min_count=1, epochs=3, workers=1, seed=5, chunk_words=300)
    return Config(**{**base, **fields})


def test_save_load_and_train_on(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    model = Word2Vec(config()).build_vocab(path).train(path, progress=False)
    model.save(tmp_path / "m.embed")
    loaded = Word2Vec.load(tmp_path / "m.embed")
    assert loaded.config == model.config and loaded.vocab.words == model.vocab.words
    np.testing.assert_array_equal(loaded.w_in, model.w_in)
    np.testing.assert_array_equal(loaded.w_out, model.w_out)
    assert loaded.loss_history == model.loss_history and loaded.run is None
    assert load_vectors(tmp_path / "m.embed").words == model.vocab.words
    # Training on from the file is training on from memory.
    more = [["cat", "dog", "hammer"]] * 30
    model.train(more, epochs=1, progress=False)
    loaded.train(more, epochs=1, progress=False)
    np.testing.assert_array_equal(loaded.w_in, model.w_in)


@pytest.mark.parametrize("loss", ["negative", "hierarchical", "softmax"])
def test_resume_from_a_mid_epoch_checkpoint_gives_the_uninterrupted_vectors(tiny_corpus, tmp_path, loss):
    path, _, _ = tiny_corpus
    checkpoint = tmp_path / "run.checkpoint"
    # A checkpoint before every chunk: the file ends up holding the state one chunk before the end.
    full = Word2Vec(config(loss=loss)).build_vocab(path)
    full.train(path, progress=False, checkpoints=Checkpoints(str(checkpoint), seconds=1e-9))
    resumed = Word2Vec.load(checkpoint)
    assert resumed.run is not None and resumed.run.epoch == 2 and resumed.run.completed
    assert not np.array_equal(resumed.w_in, full.w_in)
    resumed.resume(path, progress=False)
    np.testing.assert_array_equal(resumed.w_in, full.w_in)
    np.testing.assert_array_equal(resumed.w_out, full.w_out)
    assert resumed.run is None
    with pytest.raises(EmbedError, match="nothing to resume"):
        resumed.resume(path, progress=False)


def test_interrupt_between_epochs_then_resume(tiny_corpus):
    path, _, _ = tiny_corpus
    full = Word2Vec(config()).build_vocab(path).train(path, progress=False)
    model = Word2Vec(config()).build_vocab(path)

    def stop_after_first(m, epoch, loss):
        if epoch == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.train(path, progress=False, on_epoch_end=stop_after_first)
    model.resume(path, progress=False)
    np.testing.assert_array_equal(model.w_in, full.w_in)


def test_epoch_checkpoints(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    seen = []
    checkpoint = tmp_path / "c.embed"
    model = Word2Vec(config()).build_vocab(path)
    model.train(path, progress=False, checkpoints=Checkpoints(str(checkpoint), epochs=1),
                on_epoch_end=lambda m, e, l: seen.append(Word2Vec.load(checkpoint).epochs_done))
    assert seen == [1, 2, 3]


def test_model_files_that_cannot_be_read(tmp_path, tiny_corpus):
    path, _, _ = tiny_corpus
    model = Word2Vec(config(epochs=1)).build_vocab(path).train(path, progress=False)
    good = tmp_path / "m.embed"
    model.save(good)
    damaged = tmp_path / "d.embed"
    damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(EmbedError, match="d.embed: damaged or not an embed model file"):
        read_model(damaged)
    import zipfile

    newer = tmp_path / "n.embed"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(newer, "w") as target:
        for item in source.namelist():
            data = source.read(item)
            if item == "version.npy":
                import io

                buffer = io.BytesIO()
                np.save(buffer, np.array(VERSION + 1))
                data = buffer.getvalue()
            target.writestr(item, data)
    with pytest.raises(EmbedError, match=f"version {VERSION + 1} is newer than this embed reads"):
        read_model(newer)


def test_written_files_get_the_usual_permissions(tmp_path):
    fresh = tmp_path / "new.txt"
    with atomic_write(fresh, "w", encoding="utf-8") as stream:
        stream.write("x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    with atomic_write(kept, "w", encoding="utf-8") as stream:
        stream.write("new")
    assert kept.stat().st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path):
    target = tmp_path / "vectors.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w", encoding="utf-8") as stream:
            stream.write("half of the new")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["vectors.txt"]


@pytest.mark.parametrize("stop,code,word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_ctrl_c_or_sigterm_saves_partial_and_resume_finishes(tmp_path, stop, code, word):
    corpus = tmp_path / "big.txt"
    rng = np.random.default_rng(0)
    words = [f"w{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(500)]
    corpus.write_text("\n".join(" ".join(rng.choice(words, 20)) for _ in range(6_000)))
    out = tmp_path / "v.txt"
    out.write_text("previous vectors")
    command = [sys.executable, "-m", "embed", "train", str(corpus), "-o", str(out), "--arch", "skipgram",
               "--loss", "softmax", "--dim", "16", "--epochs", "6", "--workers", "1", "--min-count", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = b""
    while b"epoch 1/6" not in seen:  # interrupt once training is under way, whatever the machine's speed
        block = os.read(process.stderr.fileno(), 4096)
        assert block, seen.decode()
        seen += block
    process.send_signal(stop)
    _, rest = process.communicate(timeout=120)
    stderr = (seen + rest).decode()
    assert process.returncode == code, stderr
    assert f"embed: {word}; the model so far is in {out}.partial" in stderr and f"--resume {out}.partial" in stderr
    assert out.read_text() == "previous vectors"
    partial = Word2Vec.load(f"{out}.partial")
    assert partial.run is not None
    done = subprocess.run(command[:7] + ["--resume", f"{out}.partial", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert load_vectors(out).dim == 16


def test_killing_a_process_mid_save_leaves_the_old_file(tmp_path):
    target = tmp_path / "vectors.txt"
    target.write_text("old vectors")
    script = (
        "import sys, numpy as np\n"
        "from embed.vectors.formats import save_word2vec_format\n"
        "words = [f'w{i}' for i in range(200_000)]\n"
        "print('saving', flush=True)\n"
        "save_word2vec_format(sys.argv[1], words, np.ones((200_000, 50), np.float32))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "saving"
    time.sleep(0.5)
    process.kill()
    process.wait()
    assert target.read_text() == "old vectors"
    debris = [name for name in os.listdir(tmp_path) if name != "vectors.txt"]
    assert all(name.startswith(".vectors.txt.") and name.endswith(".tmp") for name in debris)
