"""Saving whole models, checkpoints, and resuming to the same vectors."""

import os
import re
import shutil
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
from conftest import default_signals


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


@pytest.mark.parametrize("loss,settings", [
    ("negative", {}), ("hierarchical", {}), ("softmax", {}),
    ("softmax", dict(momentum=0.9, l2=1e-3, lr_schedule="step")),  # the velocities are saved too
])
def test_resume_from_a_mid_epoch_checkpoint_gives_the_uninterrupted_vectors(tiny_corpus, tmp_path, loss, settings):
    path, _, _ = tiny_corpus
    checkpoint = tmp_path / "run.checkpoint"
    # A checkpoint before every chunk: the file ends up holding the state one chunk before the end.
    full = Word2Vec(config(loss=loss, **settings)).build_vocab(path)
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


@pytest.mark.parametrize("stop,code,word,engine", [
    (signal.SIGINT, 130, "interrupted", []), (signal.SIGTERM, 143, "terminated", []),
    (signal.SIGHUP, 129, "hung up", []), (signal.SIGINT, 130, "interrupted", ["--deterministic", "--shards", "2"])])
def test_ctrl_c_or_sigterm_saves_partial_and_resume_finishes(tmp_path, stop, code, word, engine):
    corpus = tmp_path / "big.txt"
    rng = np.random.default_rng(0)
    words = [f"w{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(500)]
    corpus.write_text("\n".join(" ".join(rng.choice(words, 20)) for _ in range(6_000)))
    out = tmp_path / "v.txt"
    out.write_text("previous vectors")
    command = [sys.executable, "-m", "embed", "train", str(corpus), "-o", str(out), "--arch", "skipgram",
               "--loss", "softmax", "--dim", "16", "--epochs", "6", "--workers", "1", "--min-count", "1", *engine]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=default_signals)
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
    assert partial.run is not None and partial.run.rounds == bool(engine)
    done = subprocess.run(command[:7] + ["--resume", f"{out}.partial", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert load_vectors(out).dim == 16
    # The closing line counts the words this command trained, not those before the stop.
    before = sum(stats.words for stats in partial.history) + partial.run.words
    trained = int(re.search(r"trained ([\d,]+) words in", done.stdout).group(1).replace(",", ""))
    assert before > 0 and trained == 6 * partial.run.words_per_epoch - before, done.stdout


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



def slowed(monkeypatch, seconds=0.0, spans=None, stop_after=None, twice=False):
    """Make every piece take ``seconds`` longer (as a long sentence of the full softmax
    does) and record its learning-rate span in ``spans``; after ``stop_after`` pieces
    press Ctrl-C, and with ``twice`` again 0.3 s later, while that worker still works."""
    import _thread
    import threading

    from embed.training import threads

    original, count = threads.train_piece, [0]

    def piece(w_in, w_out, plan, worker, piece):
        if spans is not None:
            spans[piece.number] = (piece.alpha_start, piece.alpha_end)
        outcome = original(w_in, w_out, plan, worker, piece)
        count[0] += 1
        if count[0] == stop_after:
            _thread.interrupt_main()
            if twice:
                threading.Timer(0.3, _thread.interrupt_main).start()
        time.sleep(seconds)
        return outcome

    monkeypatch.setattr(threads, "train_piece", piece)


def test_a_second_ctrl_c_waits_for_the_workers_and_the_resumed_run_is_exact(tiny_corpus, monkeypatch, capsys,
                                                                             interruptible):
    path, _, _ = tiny_corpus
    full = Word2Vec(config()).build_vocab(path).train(path, progress=False)
    slowed(monkeypatch, seconds=2.0, stop_after=3, twice=True)
    model = Word2Vec(config()).build_vocab(path)
    with pytest.raises(KeyboardInterrupt):
        model.train(path, progress=False)
    assert "embed: still stopping: each worker finishes the sentence it is in" in capsys.readouterr().err
    assert model.run.completed == [0, 1, 2]  # the third piece was finished, not cut off mid-update
    monkeypatch.undo()
    model.resume(path, progress=False)
    np.testing.assert_array_equal(model.w_in, full.w_in)
    np.testing.assert_array_equal(model.w_out, full.w_out)


def test_statistics_and_learning_rates_of_a_resumed_epoch_are_the_uninterrupted_ones(tiny_corpus, monkeypatch,
                                                                                     interruptible):
    path, _, _ = tiny_corpus
    whole_spans, spans = {}, {}
    slowed(monkeypatch, spans=whole_spans)
    full = Word2Vec(config()).build_vocab(path).train(path, progress=False)
    slowed(monkeypatch, spans=spans, stop_after=len(whole_spans) // 3 + 3)  # part way through epoch 2
    model = Word2Vec(config()).build_vocab(path)
    with pytest.raises(KeyboardInterrupt):
        model.train(path, progress=False)
    assert model.run.epoch == 1 and model.run.words > 0
    slowed(monkeypatch, spans=spans)
    model.resume(path, progress=False)
    np.testing.assert_array_equal(model.w_in, full.w_in)
    assert spans == whole_spans  # every chunk's learning rates, before and after the stop
    for resumed, whole in zip(model.history, full.history, strict=True):
        assert (resumed.words, resumed.examples) == (whole.words, whole.examples)
        assert resumed.loss == pytest.approx(whole.loss, rel=1e-9)


def stopped_training(model, path, **train) -> None:
    """Train ``model``, which a stop is to end with KeyboardInterrupt; no stop stays
    recorded for the next training call."""
    from embed.training.stop import stop_seen

    try:
        with pytest.raises(KeyboardInterrupt):
            model.train(path, progress=False, **train)
    finally:
        stop_seen()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("deterministic", [False, True], ids=["threads", "rounds"])
def test_a_stop_whose_exception_python_dropped_still_stops_the_run(tiny_corpus, deterministic):
    # A signal's exception raised inside a weakref callback (or a __del__, wherever the
    # garbage collector runs) is printed and dropped by Python; the embed command's
    # handlers record it too, so training stops at its next wait all the same.
    import weakref

    from embed.training.stop import raise_stop

    path, _, _ = tiny_corpus

    class Collected:
        pass

    def drop_a_stop(model, epoch, loss):
        if epoch == 1:
            held = Collected()
            reference = weakref.ref(held, lambda _: raise_stop(KeyboardInterrupt()))
            del held  # "Exception ignored in: <function ...>": the callback's stop goes nowhere
            assert reference() is None

    settings = config(deterministic=deterministic, **(dict(shards=2, round_words=200) if deterministic else {}))
    model = Word2Vec(settings).build_vocab(path)
    stopped_training(model, path, on_epoch_end=drop_a_stop)
    assert model.epochs_done == 1 and model.run is not None and model.run.rounds == deterministic
    model.resume(path, progress=False)  # and the stopped run goes on to the uninterrupted vectors
    whole = Word2Vec(settings).build_vocab(path).train(path, progress=False)
    np.testing.assert_array_equal(model.w_in, whole.w_in)
    # A thread's stop can land inside a chunk (on a busy machine it did), whose loss is
    # then added in two parts: the same sum to the last bit or two. Rounds stop between rounds.
    expected = [h.loss_sum for h in whole.history]
    assert [h.loss_sum for h in model.history] == (expected if deterministic else pytest.approx(expected, rel=1e-12))


@pytest.mark.parametrize("stop", ["command", "command, twice", "program"])
def test_a_stop_signal_as_a_round_is_merged_stops_after_its_record(tiny_corpus, monkeypatch, interruptible, capsys,
                                                                   stop):
    # A stop that ran just after a round was merged, before the run recorded it, left a
    # round in the weights that the run did not know of, and the resumed run trained it
    # twice. Now the first stop waits for the round's record; a second, while the round
    # is in flight, drops the round. The embed command's handlers go through raise_stop;
    # in a program of the user's own, with Python's Ctrl-C handler, training in rounds
    # puts Ctrl-C through raise_stop while it runs, and then puts Python's handler back.
    import _thread
    import signal

    from embed.training.rounds import LocalTransport, Merger
    from embed.training.stop import raise_stop

    path, _, _ = tiny_corpus
    settings = config(deterministic=True, shards=2, round_words=200, workers=2, full_merge_every=1)  # 8 rounds an epoch
    whole = Word2Vec(settings).build_vocab(path).train(path, progress=False)
    train_cycle, calls = LocalTransport.train_cycle, []

    def stopped_in_the_fourth(self, *args):
        calls.append(1)
        if len(calls) == 4 and stop == "command, twice":
            raise_stop(KeyboardInterrupt())  # held back: the round goes on ...
            merge = Merger.merge

            def cut_short(merger, model, changes, active):
                def then_stopped():
                    yield next(changes)
                    raise_stop(KeyboardInterrupt())  # ... until the second, half-way through its merge

                return merge(merger, model, then_stopped(), active)

            monkeypatch.setattr(Merger, "merge", cut_short)
        totals = train_cycle(self, *args)
        if len(calls) == 4:  # merged, not yet recorded
            if stop == "program":
                _thread.interrupt_main()  # runs the SIGINT handler here, in the main thread
            else:
                raise_stop(KeyboardInterrupt())
        return totals

    monkeypatch.setattr(LocalTransport, "train_cycle", stopped_in_the_fourth)
    model = Word2Vec(settings).build_vocab(path)
    stopped_training(model, path)
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert model.run.epoch == 0 and model.run.completed == ([0, 1, 2] if stop == "command, twice" else [0, 1, 2, 3])
    assert capsys.readouterr().err.count("embed: stopping once the round in flight ends; stop again to drop it") == 1
    model.resume(path, progress=False)
    np.testing.assert_array_equal(model.w_in, whole.w_in)
    assert [h.loss_sum for h in model.history] == [h.loss_sum for h in whole.history]


def test_a_second_stop_inside_a_cycle_puts_the_weights_back_to_its_start(tiny_corpus, monkeypatch, interruptible,
                                                                           capsys):
    # Between full merges each shard trains a model of its own: a cycle is the unit a
    # stop leaves whole. The first stop waits for the cycle to end; a second, in its
    # middle, drops it, and the weights go back to the last cycle's.
    from embed.training import rounds as rounds_module
    from embed.training.rounds import LocalTransport
    from embed.training.stop import raise_stop

    monkeypatch.setattr(rounds_module, "MERGED_EACH_ROUND", 4)  # of the tiny vocabulary's 10 words
    path, _, _ = tiny_corpus
    settings = config(deterministic=True, shards=2, round_words=200, workers=2, full_merge_every=2)  # 4 cycles an epoch
    whole = Word2Vec(settings).build_vocab(path).train(path, progress=False)
    own_round, rounds = LocalTransport._train_own_round, []

    def stopped_in_the_sixth(self, *args):
        rounds.append(1)
        if len(rounds) == 6:  # the third cycle's second round
            raise_stop(KeyboardInterrupt())  # held back: the cycle goes on ...
            raise_stop(KeyboardInterrupt())  # ... until the second stop
        return own_round(self, *args)

    monkeypatch.setattr(LocalTransport, "_train_own_round", stopped_in_the_sixth)
    model = Word2Vec(settings).build_vocab(path)
    stopped_training(model, path)
    monkeypatch.setattr(LocalTransport, "_train_own_round", own_round)
    assert model.run.epoch == 0 and model.run.completed == [0, 1]
    assert "embed: stopping once the rounds to the next full merge end; stop again to drop it" in capsys.readouterr().err
    model.resume(path, progress=False)
    np.testing.assert_array_equal(model.w_in, whole.w_in)
    np.testing.assert_array_equal(model.w_out, whole.w_out)


def test_a_ctrl_c_outside_a_rounds_wait_leaves_no_stop_for_the_next_train_call(tiny_corpus, interruptible):
    # In a program (a notebook), Ctrl-C in an epoch's callback stops that call; the stop
    # recorded on its way must not stop the next call after its first round.
    import _thread

    path, _, _ = tiny_corpus
    settings = config(deterministic=True, shards=2, round_words=200, workers=2)

    def interrupted(model, epoch, loss):
        _thread.interrupt_main()

    with pytest.raises(KeyboardInterrupt):
        Word2Vec(settings).build_vocab(path).train(path, progress=False, on_epoch_end=interrupted)
    model = Word2Vec(settings).build_vocab(path).train(path, progress=False)
    assert model.epochs_done == settings.epochs


def test_a_model_file_keeps_the_tokens_counted_and_an_older_one_finds_them_in_its_reading(tiny_corpus, tmp_path):
    from embed.vectors.native import write_model

    path, _, _ = tiny_corpus
    path.write_text(path.read_text() + "".join(f"cat rare{chr(97 + i)} dog\n" for i in range(26)))
    model = Word2Vec(config(min_count=2)).build_vocab(path)
    assert model.vocab.corpus_tokens == model.vocab.counts.sum() + 26  # min_count left the rare words out
    model.save(tmp_path / "m.embed")
    assert Word2Vec.load(tmp_path / "m.embed").vocab.corpus_tokens == model.vocab.corpus_tokens

    def as_older(name):  # the file as a version before corpus_tokens was kept wrote it
        parts = read_model(tmp_path / "m.embed")
        older = {k: v for k, v in parts.state.items() if k not in ("corpus_tokens", "pruned_at")}
        write_model(tmp_path / name, parts._replace(state=older))
        return Word2Vec.load(tmp_path / name).vocab.corpus_tokens

    assert as_older("older.embed") == model.vocab.corpus_tokens
    # Words added since: the file's reading record counted the added text alone.
    model.train(path, progress=False).build_vocab([["cat", "dog", "lion"]] * 3, update=True)
    model.save(tmp_path / "m.embed")
    assert as_older("updated.embed") == model.vocab.corpus_tokens == model.vocab.counts.sum()


def test_a_model_file_from_before_full_merges_goes_on_merging_every_round(tiny_corpus, tmp_path):
    # Its run in rounds merged every row every round: resumed with today's default (a
    # full merge every 4), it would end with other vectors than it would have.
    from embed.vectors.native import write_model

    path, _, _ = tiny_corpus
    Word2Vec(config(deterministic=True)).build_vocab(path).save(tmp_path / "m.embed")
    parts = read_model(tmp_path / "m.embed")
    older = {k: v for k, v in parts.settings.items() if k != "full_merge_every"}
    write_model(tmp_path / "older.embed", parts._replace(settings=older))
    assert Word2Vec.load(tmp_path / "m.embed").config.full_merge_every == 4
    assert Word2Vec.load(tmp_path / "older.embed").config.full_merge_every == 1


@pytest.mark.parametrize("merge,every", [("hogwild", 1), ("frequency", 1), ("frequency", 3)])
def test_a_run_in_rounds_resumed_from_any_checkpoint_gives_the_uninterrupted_vectors(tiny_corpus, tmp_path,
                                                                                    monkeypatch, merge, every):
    path, _, _ = tiny_corpus
    # Words that min_count leaves out: the frequency merge reads how many tokens were
    # counted, these too, and a loaded model once knew only its vocabulary's.
    path.write_text(path.read_text() + "".join(f"cat rare{chr(97 + i)} dog\n" for i in range(26)))
    kept, save = [], Word2Vec.save

    def keep(model, target):  # every checkpoint, copied aside as it is written
        save(model, target)
        kept.append(tmp_path / f"checkpoint-{len(kept)}.embed")
        kept[-1].write_bytes(open(target, "rb").read())

    settings = config(deterministic=True, shards=2, round_words=200, workers=2, epochs=2, merge=merge, min_count=2,
                      full_merge_every=every)
    monkeypatch.setattr(Word2Vec, "save", keep)
    full = Word2Vec(settings).build_vocab(path)
    full.train(path, progress=False, checkpoints=Checkpoints(str(tmp_path / "run.checkpoint"), seconds=1e-9))
    monkeypatch.undo()
    # Two shards of 200-word pieces, about; cycles of ``every`` rounds.
    cycles = len(full.history) * -(-full.history[0].words // (400 * every))
    assert len(kept) >= cycles - 2  # one before every cycle
    for checkpoint in (kept[1], kept[len(kept) // 2], kept[-1]):
        resumed = Word2Vec.load(checkpoint)
        assert resumed.run is not None and resumed.run.rounds
        resumed.resume(path, progress=False, checkpoints=Checkpoints(str(tmp_path / "again"), epochs=1))
        assert resumed.run is None
        np.testing.assert_array_equal(resumed.w_in, full.w_in)
        np.testing.assert_array_equal(resumed.w_out, full.w_out)
        assert [(h.loss_sum, h.examples, h.words, h.tenths) for h in resumed.history] == [
            (h.loss_sum, h.examples, h.words, h.tenths) for h in full.history]
    with pytest.raises(EmbedError, match="not the corpus this run was trained on"):
        other = tmp_path / "other.txt"
        other.write_text(path.read_text() + "cat dog\n")
        Word2Vec.load(kept[1]).resume(other, progress=False)


def test_resume_refuses_another_corpus_unless_told(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    model = Word2Vec(config()).build_vocab(path)

    def stop(m, epoch, loss):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.train(path, progress=False, on_epoch_end=stop)
    model.save(tmp_path / "m.partial")
    moved = tmp_path / "moved.txt"
    moved.write_bytes(path.read_bytes())
    other = tmp_path / "other.txt"
    other.write_bytes(path.read_bytes().replace(b"cat", b"dog", 1))
    with pytest.raises(EmbedError, match=r"other.txt: not the corpus this run was trained on \(.*tiny.txt of [\d,]+ "
                                         r"bytes; this file has [\d,]+ bytes, and other text at its start\)"):
        Word2Vec.load(tmp_path / "m.partial").resume(other, progress=False)
    with pytest.raises(EmbedError, match="not the corpus this run was trained on"):
        Word2Vec.load(tmp_path / "m.partial").resume([["cat", "dog"]] * 5, progress=False)
    Word2Vec.load(tmp_path / "m.partial").resume(moved, progress=False)  # the same text elsewhere is the same corpus
    Word2Vec.load(tmp_path / "m.partial").resume(other, progress=False, check_corpus=False)
    result = subprocess.run([sys.executable, "-m", "embed", "train", str(other), "-o", str(tmp_path / "v.vec"),
                             "--resume", str(tmp_path / "m.partial")], capture_output=True, text=True)
    assert result.returncode == 1 and "--resume-other-corpus" in result.stderr
    result = subprocess.run([sys.executable, "-m", "embed", "train", str(other), "-o", str(tmp_path / "v.vec"),
                             "--resume", str(tmp_path / "m.partial"), "--resume-other-corpus", "--quiet"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_epoch_cache_is_optional_and_its_failures_fall_back_to_reading(tiny_corpus, tmp_path, monkeypatch):
    import shutil

    from embed.text import chunks

    path, _, _ = tiny_corpus
    cached = Word2Vec(config(cache_dir=str(tmp_path))).build_vocab(path).train(path, progress=False)
    uncached = Word2Vec(config(cache_dir="none")).build_vocab(path).train(path, progress=False)
    np.testing.assert_array_equal(cached.w_in, uncached.w_in)
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda folder: usage._replace(free=1000))
    with pytest.warns(chunks.CacheWarning, match=r"has 0 MB free, and keeping the corpus's word ids between epochs "
                                                 r"needs about \d+ MB: reading the corpus again every epoch instead"):
        short = Word2Vec(config()).build_vocab(path).train(path, progress=False)
    np.testing.assert_array_equal(short.w_in, cached.w_in)
    monkeypatch.undo()

    class FullDisk:
        def write(self, data):
            raise OSError(28, "No space left on device")

        def seek(self, *args):
            pass

        truncate = flush = close = seek

    monkeypatch.setattr(chunks.tempfile, "TemporaryFile", lambda **kw: FullDisk(), raising=False)
    with pytest.warns(chunks.CacheWarning, match=r"cannot keep the corpus's word ids in .* \(No space left on device\)"):
        full = Word2Vec(config()).build_vocab(path).train(path, progress=False)
    np.testing.assert_array_equal(full.w_in, cached.w_in)
    with pytest.raises(EmbedError, match="cache_dir must be an existing folder, 'none' or None, got '/no/such'"):
        config(cache_dir="/no/such")


def test_the_epoch_cache_stops_at_what_its_folder_can_spare(tiny_corpus, tmp_path, monkeypatch):
    from embed.text import chunks

    path, _, _ = tiny_corpus
    reference = Word2Vec(config(cache_dir="none")).build_vocab(path).train(path, progress=False)
    # The free space looked enough at the start, but the ids outgrow what it could spare.
    real = chunks.ChunkCache
    monkeypatch.setattr(chunks, "ChunkCache", lambda folder, limit=None: real(folder, limit=200))
    with pytest.warns(chunks.CacheWarning, match=r"cannot keep the corpus's word ids in .* \(it has no more than 0 MB "
                                                 r"to spare\): reading the corpus again every epoch instead"):
        model = Word2Vec(config(cache_dir=str(tmp_path))).build_vocab(path)
    assert model._counted_ids is None
    with pytest.warns(chunks.CacheWarning):
        model.train(path, progress=False)
    np.testing.assert_array_equal(model.w_in, reference.w_in)


def test_a_final_write_that_fails_keeps_the_trained_model(tiny_corpus, tmp_path, monkeypatch, capsys):
    from embed.cli import main
    from embed.vectors import formats

    path, _, _ = tiny_corpus

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(formats, "save_word2vec_format", full_disk)
    out = tmp_path / "v.vec"
    assert main(["train", str(path), "-o", str(out), "--dim", "8", "--min-count", "1", "--epochs", "1", "--quiet"]) == 1
    line = capsys.readouterr().err.strip()
    assert line == (f"embed: error: {out}: cannot write it (No space left on device); the trained model is saved in "
                    f"{out}.partial: embed convert {out}.partial {out} writes the vectors once {out} can be written")
    monkeypatch.undo()
    assert Word2Vec.load(f"{out}.partial").run is None
    assert main(["convert", f"{out}.partial", str(out)]) == 0 and load_vectors(out).dim == 8


def test_a_stop_while_the_cluster_closes_still_writes_the_trained_model(tiny_corpus, tmp_path, monkeypatch, capsys):
    # A LocalCluster takes seconds to close after the last epoch: a stop then ended the
    # command with the trained model written nowhere.
    import contextlib

    from embed.cli import main
    from embed.training import cluster

    @contextlib.contextmanager
    def stopped_as_it_closes(address):
        yield None  # the threads of this process train
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(cluster, "connected", stopped_as_it_closes)
    path, _, _ = tiny_corpus
    out = tmp_path / "v.vec"
    assert main(["train", str(path), "-o", str(out), "--dim", "8", "--min-count", "1", "--epochs", "1", "--quiet",
                 "--cluster", "local:2"]) == 0
    assert "embed: saving the model; it stops once that is done" in capsys.readouterr().err
    assert load_vectors(out).dim == 8


def test_a_checkpoint_that_cannot_be_written_is_a_warning_and_training_goes_on(tiny_corpus, tmp_path):
    from embed.training.schedule import CheckpointWarning

    path, _, _ = tiny_corpus
    model = Word2Vec(config()).build_vocab(path)
    folder = tmp_path / "gone"
    folder.mkdir()
    checkpoints = Checkpoints(str(folder / "run.checkpoint"), epochs=1)
    with pytest.warns(CheckpointWarning, match=r"checkpoint not written, training goes on: .*gone"):
        # The folder goes away after the first epoch.
        model.train(path, progress=False, checkpoints=checkpoints,
                    on_epoch_end=lambda *_: shutil.rmtree(folder, ignore_errors=True))
    assert model.run is None and len(model.history) == 3
    # A folder missing from the start is refused before training, as the command's outputs are.
    with pytest.raises(EmbedError, match=r"run.checkpoint: folder .*gone does not exist$"):
        model.train(path, progress=False, checkpoints=checkpoints)
    assert len(model.history) == 3


def test_callbacks_and_checkpoints_that_are_not_are_one_line_before_training(tiny_corpus, tmp_path):
    # on_epoch_end=5 failed once the first epoch was done; checkpoints=5 ended in an
    # AttributeError; Checkpoints with epochs=0 or neither field never wrote one.
    path, _, _ = tiny_corpus
    model = Word2Vec(config()).build_vocab(path)
    for keywords, message in (
            # A name no model may have: no checkpoint was written, with one warning an epoch.
            ({"checkpoints": Checkpoints(str(tmp_path / "ckpt.bin"), epochs=1)},
             f"{tmp_path / 'ckpt.bin'}: the name says word2vec binary, and this writes a model: name it .embed, or "
             "write word2vec binary with save_word2vec_format"),
            ({"on_epoch_end": 5}, "on_epoch_end must be a function of (model, epoch, loss), got 5"),
            # gensim's callbacks take the model alone: it failed once the first epoch was done.
            ({"on_epoch_end": lambda model: None},
             "on_epoch_end must be a function of (model, epoch, loss); this one takes (model)"),
            ({"checkpoints": 5}, "checkpoints must be an embed.training.schedule.Checkpoints(path, epochs=, seconds=), "
                                 "got int 5"),
    ):
        for call in (model.train, model.resume):
            with pytest.raises(EmbedError, match="^" + re.escape(message) + "$"):
                call(path, progress=False, **keywords)
    assert model.history == [] and os.listdir(tmp_path) == [path.name]
    for fields, message in (
            ({}, "Checkpoints needs epochs= or seconds=: with neither, none would be written"),
            ({"epochs": 0}, "Checkpoints' epochs must be an integer >= 1, got 0"),
            ({"epochs": 1.5}, "Checkpoints' epochs must be an integer >= 1, got 1.5"),
            ({"seconds": float("nan")}, "Checkpoints' seconds must be a number, got nan"),
            ({"seconds": -1}, "Checkpoints' seconds must be a finite number > 0, got -1"),
    ):
        with pytest.raises(EmbedError, match="^" + re.escape(message) + "$"):
            Checkpoints(str(tmp_path / "c"), **fields)
    with pytest.raises(EmbedError, match="^a file's path must be a str or an os.PathLike, got NoneType None$"):
        Checkpoints(None, epochs=1)
    # NumPy integers are whole numbers (they were refused as not integers), and the run's
    # state holds a plain int, which its model file can store.
    model.train(path, progress=False, epochs=np.int64(1), checkpoints=Checkpoints(str(tmp_path / "c"), epochs=np.int64(1)))
    model.save(tmp_path / "m.embed")
    assert Word2Vec.load(tmp_path / "m.embed").epochs_done == 1
