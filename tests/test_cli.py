"""The embed command: each subcommand once, and the one-line errors users see."""

import os
import subprocess
import sys
import time

import pytest

from embed.cli import main

from conftest import default_signals


def run(*args):
    return subprocess.run([sys.executable, "-m", "embed.cli", *map(str, args)], capture_output=True, text=True)


def test_help_is_quick_and_loads_no_numba():
    started = time.perf_counter()
    result = run("--help")
    assert result.returncode == 0 and "train" in result.stdout and "demo" in result.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from embed.cli import parser; parser(); print('numba' in sys.modules)"],
        capture_output=True, text=True,
    )
    assert probe.stdout.strip() == "False"
    assert time.perf_counter() - started < 10
    for command in ("train", "similar", "analogy", "plot", "evaluate", "demo"):
        assert run(command, "--help").returncode == 0


def test_train_query_and_plot(tiny_corpus, tmp_path, capsys):
    path, animals, tools = tiny_corpus
    out = tmp_path / "v.bin"
    assert main(["train", str(path), "-o", str(out), "--dim", "12", "--min-count", "1", "--epochs", "3",
                 "--arch", "skipgram", "--quiet", "--workers", "2", "--sample", "0"]) == 0
    assert "words/s" in capsys.readouterr().out
    assert main(["similar", str(out), "cat", "--topn", "3"]) == 0
    near = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert len(near) == 3 and set(near) <= set(animals)
    assert main(["analogy", str(out), "cat", "dog", "hammer"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split("\t")[0] in tools


def test_train_with_the_derivations_optimiser_and_its_loss_curve(tiny_corpus, tmp_path, capsys):
    path, _, _ = tiny_corpus
    out, curve = tmp_path / "v.embed", tmp_path / "loss.png"
    assert main(["train", str(path), "-o", str(out), "--dim", "8", "--min-count", "1", "--epochs", "4", "--quiet",
                 "--arch", "skipgram", "--loss", "softmax", "--momentum", "0.9", "--l2", "1e-4", "--lr-schedule", "step",
                 "--lr-step-epochs", "2", "4", "--lr-step-factor", "5", "--plot-loss", str(curve)]) == 0
    assert "wrote the loss curve" in capsys.readouterr().out
    assert curve.read_bytes()[:4] == b"\x89PNG"
    from embed.training.word2vec import Word2Vec

    model = Word2Vec.load(out)
    assert (model.config.momentum, model.config.lr_schedule, model.config.lr_step_epochs) == (0.9, "step", (2, 4))
    assert model.config.skipgram_softmax == "shared" and len(model.history) == 4


@pytest.mark.parametrize(
    "make,args,message",
    [
        (None, ["train", "{tmp}/missing.txt", "-o", "{tmp}/o.txt"], "missing.txt: no such file"),
        ("a b\n" * 50, ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt", "--momentum", "0.9"],
         "momentum applies to loss 'softmax' only, got loss 'negative'"),
        ("a b\n" * 50, ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt", "--plot-loss", "{tmp}/c.txt"],
         "c.txt: is also an input"),
        ("a b\n" * 50, ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt", "--plot-loss", "{tmp}/loss.doc"],
         "loss.doc: a plot is written as .avif"),
        ("", ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt"], "c.txt: no tokens found"),
        ("123 456 !!! -- 7.5\n", ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt"], "c.txt: no tokens found"),
        (None, ["train", "{tmp}", "-o", "{tmp}/o.txt"], "a directory with no corpus files in it"),
        ("a b c\n", ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt"], "no word occurs at least min_count=5"),
        (b"ok \xff\xfe bad\n", ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt", "--encoding-errors", "strict"],
         "not valid UTF-8 at byte 3"),
        ("a b\n" * 50, ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt", "--dim", "0"], "dim must be an integer >= 1, got 0"),
        ("a b\n" * 50, ["train", "{tmp}/c.txt", "-o", "{tmp}/o.txt", "--saturation", "-1"],
         "saturation must be a finite number >= 0 (0: the exact gradient everywhere), got -1.0"),
        ("1 2\nparis 0.5 0.5\n", ["similar", "{tmp}/c.txt", "pariss"], "'pariss' is not in the vocabulary"),
        # It printed nothing, with exit 0.
        ("1 2\nparis 0.5 0.5\n", ["similar", "{tmp}/c.txt", "paris"],
         "no answer: every word it may choose from is a word of the query itself"),
    ],
)
def test_bad_input_gives_one_clear_line(tmp_path, make, args, message):
    if make is not None:
        data = make if isinstance(make, bytes) else make.encode()
        (tmp_path / "c.txt").write_bytes(data)
    result = run(*[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embed: error:") and message in lines[0], result.stderr
    assert not (tmp_path / "o.txt").exists()


@pytest.mark.parametrize("files", [1, 2])
def test_invalid_utf8_is_replaced_with_one_warning_line(tmp_path, files):
    # Each file's warning once, however many passes read it: two files' came out twice.
    corpora = [tmp_path / f"c{k}.txt" for k in range(files)]
    for corpus in corpora:
        corpus.write_bytes(b"ok \xff\xfe fine\n" * 20)
    result = run("train", *corpora, "-o", tmp_path / "o.txt", "--min-count", "1", "--dim", "4", "--epochs", "2",
                 "--sample", "0", "--quiet")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("embed: warning:")]
    assert warnings == [f"embed: warning: {corpus}: replaced 40 bytes that are not valid UTF-8, the first at byte 3 "
                        "(use encoding_errors='strict' / --encoding-errors strict to stop instead)"
                        for corpus in corpora]
    assert f"; {40 * files} bytes not valid in the encoding replaced" in result.stdout


def test_the_overshoot_warning_has_a_line_of_its_own_before_the_progress_bar(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    result = run("train", path, "-o", tmp_path / "o.txt", "--min-count", "1", "--dim", "4", "--epochs", "1",
                 "--deterministic", "--shards", "4", "--round-words", "300")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("embed: warning:")]
    assert len(warnings) == 1 and warnings[0].startswith("embed: warning: 4 shards with merge 'hogwild'")


def test_settings_that_do_nothing_are_one_warning_line(tiny_corpus, tmp_path):
    path, _, _ = tiny_corpus
    result = run("train", path, "-o", tmp_path / "o.txt", "--min-count", "1", "--dim", "4", "--epochs", "1",
                 "--loss", "hierarchical", "--negative", "10", "--shards", "3", "--quiet")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("embed: warning:")] == [
        "embed: warning: these settings do nothing here: negative=10 (applies to loss 'negative'); shards=3 (applies "
        "to training in rounds: deterministic, or on a cluster)"]


def test_workers_beside_a_cluster_are_warned_of_before_anything_starts(tiny_corpus, tmp_path):
    # The cluster's worker threads train; --workers is kept for a resume on this machine.
    path, _, _ = tiny_corpus
    result = run("train", path, "-o", tmp_path / "missing" / "o.bin", "--cluster", "local:2", "--workers", "3")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "embed: warning: --workers 3 sets the threads of training on this machine; on --cluster local:2 the "
        "cluster's worker threads train, one a shard (local:N starts N)",
        f"embed: error: {tmp_path / 'missing' / 'o.bin'}: folder {tmp_path / 'missing'} does not exist"]


def test_convert_and_evaluate_read_every_format(tiny_corpus, tmp_path, capsys):
    path, animals, _ = tiny_corpus
    model_file = tmp_path / "m.embed"
    assert main(["train", str(path), "-o", str(model_file), "--dim", "8", "--min-count", "1", "--epochs", "1",
                 "--quiet", "--sample", "0"]) == 0
    assert main(["convert", str(model_file), str(tmp_path / "v.bin")]) == 0
    assert main(["convert", str(tmp_path / "v.bin"), str(tmp_path / "v.vec")]) == 0
    assert main(["convert", str(tmp_path / "v.bin"), str(tmp_path / "four.vec"), "--limit", "4"]) == 0
    assert "wrote 4 vectors of dimension 8" in capsys.readouterr().out
    for target in ("v.vectors", "glove.txt.gz", "v.bin.xz", "v.vec.bz2"):
        extra = ["--no-header"] if target.startswith("glove") else []
        assert main(["convert", str(tmp_path / "v.bin"), str(tmp_path / target), *extra]) == 0
    capsys.readouterr()
    answers = {}
    for source in ("m.embed", "v.bin", "v.vec", "v.vectors", "glove.txt.gz", "v.bin.xz", "v.vec.bz2"):
        assert main(["similar", str(tmp_path / source), "cat", "--topn", "2"]) == 0
        answers[source] = capsys.readouterr().out
    assert len(set(answers.values())) == 1  # the same vectors in every format
    assert not (tmp_path / "glove.txt.gz").read_bytes().startswith(b"x")  # compressed
    import gzip

    assert gzip.decompress((tmp_path / "glove.txt.gz").read_bytes()).split(b"\n")[0].count(b" ") == 8
    assert main(["convert", str(tmp_path / "v.vectors"), str(tmp_path / "back.bin")]) == 0
    assert (tmp_path / "back.bin").read_bytes() == (tmp_path / "v.bin").read_bytes()
    assert main(["export", str(tmp_path / "v.vectors"), "--projector", str(tmp_path / "proj"), "--limit", "3"]) == 0
    assert len((tmp_path / "proj" / "metadata.tsv").read_text().splitlines()) == 3
    assert main(["convert", str(tmp_path / "v.bin"), str(tmp_path / "x.bin"), "--no-header"]) == 1
    analogies = tmp_path / "q.txt"
    analogies.write_text(": family\ncat dog cow horse\ncat dog zzz horse\n: gram-test\ndog cat horse cow\n")
    pairs = tmp_path / "p.txt"
    pairs.write_text("# comment\ncat dog 9\ncat hammer 1\ndog saw 2\nzzz cat 3\n")
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "v.bin"), "--analogies", str(analogies), "--pairs", str(pairs)]) == 0
    out = capsys.readouterr().out
    assert "family" in out and "semantic" in out and "syntactic" in out and "Spearman" in out
    assert "25.0% out of vocabulary" in out


def test_checkpoint_every_epoch_from_the_command_line(tiny_corpus, tmp_path, capsys):
    path, _, _ = tiny_corpus
    out = tmp_path / "v.txt"
    assert main(["train", str(path), "-o", str(out), "--dim", "4", "--min-count", "1", "--epochs", "2",
                 "--quiet", "--checkpoint-every", "1"]) == 0
    from embed import Word2Vec

    assert Word2Vec.load(f"{out}.checkpoint").epochs_done == 2
    with pytest.raises(SystemExit):
        main(["train", str(path), "-o", str(out), "--checkpoint-every", "0m"])
    assert "expected a number of epochs (2) or minutes (30m)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command,message",
    [
        (["train", "{tmp}/c.txt", "-o", ""], "the output path is empty"),
        (["train", "{tmp}/c.txt", "-o", "{tmp}/missing/o.txt"], "missing/o.txt: folder {tmp}/missing does not exist"),
        (["train", "{tmp}/c.txt", "-o", "{tmp}"], "is a directory; name a file to write"),
        (["train", "{tmp}/c.txt", "-o", "{tmp}/c.txt"], "c.txt: is also an input ({tmp}/c.txt)"),
        (["train", "{tmp}/c.txt", "-o", "{tmp}/locked.vec"], "locked.vec: the file exists and is read-only"),
        (["plot", "{tmp}/v.vec", "-o", "{tmp}/v.vec"], "v.vec: is also an input"),
        (["convert", "{tmp}/v.vec", "{tmp}/v.vec"], "v.vec: is also an input"),
        (["demo", "--out-dir", "{tmp}/c.txt/sub"], "cannot create the output folder"),
    ],
)
def test_outputs_are_checked_before_any_work_and_nothing_is_lost(tmp_path, command, message):
    corpus = "paris france rome italy\n" * 50
    (tmp_path / "c.txt").write_text(corpus)
    (tmp_path / "v.vec").write_text("1 2\nparis 0.5 0.5\n")
    locked = tmp_path / "locked.vec"
    locked.write_text("earlier vectors")
    locked.chmod(0o444)
    started = time.monotonic()
    result = run(*[a.format(tmp=tmp_path) for a in command])
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("embed: error:") and message.format(tmp=tmp_path) in lines[0], result.stderr
    assert time.monotonic() - started < 20  # refused at once, not after training
    assert (tmp_path / "c.txt").read_text() == corpus
    assert (tmp_path / "v.vec").read_text() == "1 2\nparis 0.5 0.5\n"
    assert locked.read_text() == "earlier vectors"


def test_a_ctrl_c_while_the_command_starts_is_one_line():
    # The console script imports embed.__main__ first; an interrupt before cli.main
    # runs ends the process with one line instead of the import machinery's traceback.
    probe = ("import os, signal, embed.__main__\n"
             "os.kill(os.getpid(), signal.SIGINT)\n"
             "import embed.training.word2vec\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            preexec_fn=default_signals)
    assert (result.returncode, result.stderr) == (130, "embed: interrupted\n")


def test_an_interrupt_inside_a_c_extensions_import_is_one_line(monkeypatch, capsys):
    import embed.cli

    def numpy_like_import(argv):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as stop:
            raise ImportError("Error importing numpy: you should not try to import numpy from\n...") from stop

    monkeypatch.setattr(embed.cli, "_main", numpy_like_import)
    assert main(["train", "x"]) == 130
    assert capsys.readouterr().err == "embed: interrupted\n"

    def broken_install(argv):
        raise ImportError("No module named 'numba'")

    monkeypatch.setattr(embed.cli, "_main", broken_install)
    with pytest.raises(ImportError):  # a real import failure is not taken for an interrupt
        main(["train", "x"])


def test_two_runs_cannot_write_the_same_output(tiny_corpus, tmp_path):
    corpus, _, _ = tiny_corpus
    out = tmp_path / "v.vec"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom embed.vectors.atomic import claim_output\n"
         "claim_output(sys.argv[1]); print('held', flush=True); time.sleep(120)", str(out)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        second = run("train", corpus, "-o", out, "--min-count", 1, "--epochs", 1, "--quiet")
        assert second.returncode == 1
        assert second.stderr == (f"embed: error: {out}: another embed run (process {holder.pid}) is writing it; "
                                 "wait for it to finish or choose another output\n")
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()
    # The system let go of the lock when its holder died, killed as it was; the run that
    # took the lock over removes its file when it ends.
    import hashlib
    import os
    import tempfile

    lock = os.path.join(tempfile.gettempdir(),
                        "embed-" + hashlib.sha1(os.path.realpath(out).encode()).hexdigest()[:20] + ".lock")
    assert os.path.exists(lock)
    assert run("train", corpus, "-o", out, "--min-count", 1, "--epochs", 1, "--quiet").returncode == 0
    assert out.exists() and not os.path.exists(lock)


def test_outputs_that_would_clash_or_that_no_writer_takes_are_refused_before_any_work(tmp_path, capsys):
    # -o same.png --plot-loss same.png wrote the plot over the vectors; phrases' --save
    # and -o alike; m.embed.gz trained and wrote gzipped word2vec text, v.vectors.gz
    # trained and then failed; --plot-loss "" trained and drew nothing.
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\n" * 50)
    out = str(tmp_path / "same.png")
    for args, message in (
            (["train", corpus, "-o", out, "--plot-loss", out],
             f"{out}: two outputs of this command would be written here, the second over the first"),
            (["train", corpus, "-o", tmp_path / "v.vec", "--plot-loss", tmp_path / "v.vec.checkpoint"],
             "v.vec.checkpoint: two outputs of this command would be written here"),
            (["phrases", corpus, "-o", tmp_path / "p.json", "--save", tmp_path / "p.json"],
             "p.json: two outputs of this command would be written here"),
            (["train", corpus, "-o", tmp_path / "m.embed.gz"],
             "m.embed.gz: a model file is a zip archive and cannot be compressed; name it without .gz"),
            (["train", corpus, "-o", tmp_path / "v.vectors.xz"],
             "v.vectors.xz: a vectors file is meant to be memory-mapped and cannot be compressed; name it without .xz"),
            (["train", corpus, "-o", tmp_path / "v.vec", "--plot-loss", ""], "the output path is empty"),
    ):
        assert main([str(arg) for arg in args]) == 1
        err = capsys.readouterr().err
        assert err.startswith("embed: error: ") and message in err and err.count("\n") == 1, err
        assert os.listdir(tmp_path) == ["c.txt"]


def test_the_word2vec_tools_command_line_is_answered_with_embeds(tiny_corpus, tmp_path, capsys):
    import shlex

    path, _, _ = tiny_corpus
    out = tmp_path / "vectors.bin"
    # The command of the tool's demo-word.sh, on the test corpus.
    tool = ["train", "-train", str(path), "-output", str(out), "-cbow", "1", "-size", "12", "-window", "8",
            "-negative", "25", "-hs", "0", "-sample", "1e-4", "-threads", "2", "-binary", "1", "-iter", "2"]
    assert main(tool) == 2 and not out.exists()
    said = capsys.readouterr().err.strip()
    assert said.startswith("embed: error: -train, -output, -cbow, -size, -window, -negative, -hs, -sample, -threads, "
                           "-binary and -iter are the word2vec tool's options; in embed that run is: embed train ")
    command = shlex.split(said.split("in embed that run is: ")[1])
    # word2vec.c starts CBOW at 0.05 (skip-gram at 0.025) and floors the rate at 1e-4 of the start.
    assert command == ["embed", "train", str(path), "-o", str(out), "--dim", "12", "--window", "8", "--sample", "1e-4",
                       "--epochs", "2", "--workers", "2", "--negative", "25", "--alpha", "0.05", "--min-alpha", "5e-06"]
    assert main([*command[1:], "--min-count", "1", "--quiet"]) == 0 and out.exists()
    capsys.readouterr()
    assert main(["train", "-train", "c.txt", "-output", "v.txt", "-cbow", "0", "-hs", "1", "-binary", "1", "-alpha",
                 "0.01", "-classes", "500", "-save-vocab", "vocab.txt"]) == 2
    said = capsys.readouterr().err.strip()
    assert said.split("in embed that run is: ")[1].split("; ")[0] == (
        "embed train c.txt -o v.txt --arch skipgram --loss hierarchical --alpha 0.01 --min-alpha 1e-06")
    for note in ("with -hs 1 and -negative 5 the tool trains both output layers at once; embed trains one",
                 "embed writes word2vec's binary format (-binary 1) where OUT ends in .bin, and text to v.txt",
                 "embed has no -classes", "embed has no -save-vocab"):
        assert note in said
    assert "\n" not in said


def test_unknown_options_name_what_they_were_likely_meant_to_be():
    result = run("train", "c.txt", "-o", "v.bin", "--size", "50", "--min_count", "3", "--sg", "1", "--trim_rule", "x")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "embed: error: unrecognized arguments: --size 50 --min_count 3 --sg 1 --trim_rule x (--size is gensim's name; "
        "embed's is --dim; did you mean --min-count?; --sg is gensim's name; embed's is --arch ('skipgram' or 'cbow'); "
        "--trim_rule is gensim's; embed's is trim_rule=, an argument of Word2Vec.build_vocab and embed.train, in Python)")
    assert run("similar", "v.bin", "paris", "--topnn", "3").stderr.splitlines()[-1] == (
        "embed: error: unrecognized arguments: --topnn 3 (did you mean --topn?)")
