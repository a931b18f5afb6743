"""Training end to end on small corpora: learning, reproducibility, callbacks, errors."""

import dataclasses
import os
import re
import time
import warnings

import numpy as np
import pytest

from embed import Config, EmbedError, Word2Vec, train
from embed.training.config import SettingsWarning
from embed.training.word2vec import PruningWarning


def family_share(vectors, animals, tools):
    hits = []
    for family, other in ((animals, tools), (tools, animals)):
        for word in family:
            near = [w for w, _ in vectors.most_similar(word, topn=4)]
            hits.append(np.mean([w in family for w in near]))
    return float(np.mean(hits))


@pytest.mark.parametrize("arch", ["cbow", "skipgram"])
@pytest.mark.parametrize("loss", ["negative", "softmax", "hierarchical"])
def test_every_model_learns_word_families(tiny_corpus, arch, loss):
    path, animals, tools = tiny_corpus
    model = train(path, arch=arch, loss=loss, dim=16, min_count=1, epochs=5, workers=2, sample=0, progress=False)
    assert family_share(model.wv, animals, tools) >= 0.9
    assert model.loss_history[-1] < model.loss_history[0]
    assert model.w_out.shape == (len(model.vocab), 16)  # the workers' private rows are not part of it


@pytest.mark.parametrize("loss", ["negative", "softmax", "hierarchical"])
def test_one_worker_and_a_seed_give_identical_vectors(tiny_corpus, loss):
    path, _, _ = tiny_corpus
    config = Config(arch="skipgram", loss=loss, dim=8, min_count=1, epochs=2, workers=1, seed=3, chunk_words=500)
    first = Word2Vec(config).build_vocab(path).train(path, progress=False)
    second = Word2Vec(config).build_vocab(path).train(path, progress=False)
    np.testing.assert_array_equal(first.w_in, second.w_in)
    np.testing.assert_array_equal(first.w_out, second.w_out)
    other = Word2Vec(config.replace(seed=4)).build_vocab(path).train(path, progress=False)
    assert not np.array_equal(first.w_in, other.w_in)


def test_initialisation_follows_word2vec(tiny_corpus):
    path, _, _ = tiny_corpus
    model = Word2Vec(Config(dim=20, min_count=1)).build_vocab(path)
    from scipy import stats

    # word2vec: each input weight uniform in [-0.5/dim, 0.5/dim); output weights zero.
    values = model.w_in.ravel().astype(np.float64) * 20 + 0.5
    assert values.size >= 200 and values.min() >= 0 and values.max() < 1
    assert stats.kstest(values, "uniform").pvalue > 1e-3
    assert not model.w_out.any()


def test_weights_of_the_wrong_shape_are_refused(tiny_corpus):
    path, _, _ = tiny_corpus
    model = Word2Vec(Config(dim=8, min_count=1)).build_vocab(path)
    size = len(model.vocab)
    for bad in (np.zeros(8), np.zeros((size - 1, 8)), np.zeros((size, 9))):
        with pytest.raises(EmbedError, match=rf"w_in must be a matrix of {size} rows \(the vocabulary\) x 8 \(dim\)"):
            model.w_in = bad
    model.w_out = np.ones((size, 8))
    assert model.w_out.dtype == np.float32 and model.w_out.all()


def test_callbacks_and_history(tiny_corpus):
    path, _, _ = tiny_corpus
    seen = []
    model = Word2Vec(Config(dim=8, min_count=1, epochs=3, workers=2)).build_vocab(path)
    model.train(path, progress=False, on_epoch_end=lambda m, epoch, loss: seen.append((epoch, loss)))
    assert [e for e, _ in seen] == [1, 2, 3]
    assert [l for _, l in seen] == model.loss_history
    assert sum(s.words for s in model.history) == 3 * model.vocab.total


def test_diverging_training_stops_with_advice(tiny_corpus):
    path, _, _ = tiny_corpus
    with pytest.raises(EmbedError, match=r"diverged in epoch 1 .*lower alpha"):
        train(path, loss="softmax", alpha=1e30, dim=8, min_count=1, epochs=2, workers=1, progress=False)
    # The saturation bound held the weights finite while the loss grew, and the run wrote noise.
    small = dict(dim=8, min_count=1, epochs=2, workers=1, progress=False)
    for loss, untrained in (("negative", 6 * np.log(2)), ("hierarchical", None)):
        with pytest.raises(EmbedError, match=r"^training diverged in epoch 1 \(loss [\d.e+]+, where a model that "
                                             r"learned nothing scores ([\d.]+)\); try a lower alpha than 5.0$") as error:
            train(path, loss=loss, alpha=5.0, **small)
        if untrained is not None:
            assert f"scores {untrained:.4g})" in str(error.value)
    for loss in ("negative", "hierarchical"):  # a high alpha that still learns
        model = train(path, loss=loss, alpha=0.5, **small)
        assert model.history[-1].loss < model.history[0].loss


@pytest.mark.parametrize("arch", ["cbow", "skipgram"])
@pytest.mark.parametrize("loss", ["negative", "hierarchical", "softmax"])
def test_the_untrained_loss_is_what_a_run_that_learns_nothing_scores(tiny_corpus, arch, loss):
    # The divergence check's yardstick, against a run whose steps are too small to move it.
    from embed.training.tables import untrained_loss

    path, _, _ = tiny_corpus
    model = train(path, arch=arch, loss=loss, alpha=1e-9, min_alpha=0, dim=8, min_count=1, epochs=1, workers=1,
                  progress=False)
    expected = untrained_loss(model.config, model.vocab, model.plan)
    if loss == "negative":  # noise words that draw the target are skipped, as word2vec skips them: fewer labels
        assert 0.85 * expected < model.history[0].loss <= expected
    else:
        assert model.history[0].loss == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize(
    "fields,message",
    [
        (dict(dim=0), "dim must be an integer >= 1, got 0"),
        (dict(window=0), "window must be an integer >= 1, got 0"),
        (dict(negative=-1), "negative must be an integer >= 0, got -1"),
        (dict(loss="negative", negative=0), "negative must be >= 1 when loss is 'negative', got 0"),
        (dict(alpha=-0.1), "alpha must be a finite number > 0"),
        (dict(alpha=float("nan")), "alpha must be a number, got nan"),
        (dict(min_alpha=0.5), "min_alpha must be <= alpha (0.025), got 0.5"),
        (dict(workers=0), "workers must be an integer >= 1, got 0"),
        (dict(arch="glove"), "arch must be one of cbow, skipgram, got 'glove'"),
        (dict(loss="nce"), "loss must be one of negative, softmax, hierarchical, got 'nce'"),
        (dict(sample=-1e-3), "sample must be a finite number >= 0, got -0.001"),
        (dict(epochs=1.5), "epochs must be an integer >= 1, got 1.5"),
        (dict(min_count=0), "min_count must be an integer >= 1, got 0"),
        (dict(encoding_errors="ignore"), "encoding_errors must be one of replace, strict, got 'ignore'"),
        (dict(token_pattern="("), "token_pattern '(' is not a valid regular expression"),
        (dict(saturation=-1), "saturation must be a finite number >= 0 (0: the exact gradient everywhere), got -1"),
        (dict(momentum=1.0), "momentum must be a number from 0 to below 1, got 1.0"),
        (dict(momentum=0.9), "momentum applies to loss 'softmax' only, got loss 'negative'"),
        (dict(loss="hierarchical", l2=1e-4), "l2 applies to loss 'softmax' only, got loss 'hierarchical'"),
        (dict(loss="softmax", momentum=0.5, deterministic=True), "momentum is not available when training in rounds"),
        (dict(lr_step_epochs=(3, 2)), "lr_step_epochs must be rising epoch numbers from 2 on"),
        (dict(lr_schedule="cosine"), "lr_schedule must be one of linear, step, constant, got 'cosine'"),
        # Python's "unexpected keyword argument", with the field meant.
        (dict(dims=50), "unknown config field(s): dims (did you mean dim?)"),
        (dict(vector_size=50, sg=1), "unknown config field(s): vector_size (gensim's name; embed's is dim), sg "
                                     "(gensim's name; embed's is arch ('skipgram' or 'cbow'))"),
    ],
)
def test_fields_are_validated_with_the_field_and_value_named(fields, message):
    with pytest.raises(EmbedError) as error:
        Word2Vec(Config(**fields)).tokenizer()
    assert message in str(error.value)


FIELDS = [field.name for field in dataclasses.fields(Config)]


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_refuses_every_bad_value_its_declaration_names(name):
    field = next(f for f in dataclasses.fields(Config) if f.name == name)
    bad_values = field.metadata["constraint"].bad_values()
    assert bad_values
    for value in bad_values:
        with pytest.raises(EmbedError, match=rf"^{name} (must|.* is not a valid)") as error:
            Config(**{name: value})
        assert repr(value) in str(error.value) or name == "token_pattern", (value, str(error.value))


def test_numpy_numbers_are_taken_as_python_numbers_and_zero_saturation_is_exact():
    config = Config(dim=np.int64(12), alpha=np.float32(0.05), window=np.int32(3), saturation=0)
    assert (config.dim, config.window, config.saturation) == (12, 3, None)
    assert type(config.dim) is int and type(config.alpha) is float


def test_config_validation_names_field_and_value():
    with pytest.raises(EmbedError, match="window must be an integer >= 1, got 0"):
        Config(window=0)
    with pytest.raises(EmbedError, match="loss must be one of negative, softmax, hierarchical, got 'hs'"):
        Config(loss="hs")
    with pytest.raises(EmbedError, match="alpha must be a finite number > 0"):
        Config(alpha=0)
    with pytest.raises(EmbedError, match="sample must be a finite number >= 0"):
        Config(sample=-1)
    with pytest.raises(EmbedError, match="unknown config field"):
        Config().replace(size=3)


def test_training_from_a_list_of_sentences_and_a_different_corpus(tiny_corpus):
    sentences = [["a", "b", "c", "d"]] * 30
    model = Word2Vec(Config(dim=8, min_count=1, epochs=1, workers=1, sample=0)).build_vocab(sentences)
    model.train(sentences, progress=False)
    model.train([["a", "b", "zzz"]] * 10, epochs=1, progress=False)
    assert model.history[-1].words == 20  # unknown words are dropped, not counted
    with pytest.raises(EmbedError, match="not a generator"):
        model.train(iter(sentences), progress=False)


def test_wv_is_made_once_and_again_after_the_weights_change():
    sentences = [["a", "b", "c", "d"]] * 30
    model = Word2Vec(Config(dim=8, min_count=1, epochs=1, workers=1)).build_vocab(sentences)
    first = model.wv
    assert model.wv is first  # no copy of the matrix per access
    model.train(sentences, progress=False)
    trained = model.wv
    assert trained is not first and not np.array_equal(trained.vectors, first.vectors)
    np.testing.assert_array_equal(trained.vectors, model.w_in)
    model.w_in = np.zeros_like(model.w_in)
    assert not model.wv.vectors.any() and trained.vectors.any()  # what users held stays as it was


def test_a_list_of_strings_is_refused_with_what_to_do():
    with pytest.raises(EmbedError, match=r"a sentence must be a list of tokens, got the string 'paris is the capital'"):
        train(["paris is the capital", "of france"], min_count=1, progress=False)


@pytest.fixture
def spans(monkeypatch):
    """(number, alpha_start, alpha_end) of every piece the thread engine trains."""
    from embed.training import threads

    recorded = []
    original = threads.train_piece

    def recording(w_in, w_out, plan, worker, piece):
        recorded.append((piece.number, piece.alpha_start, piece.alpha_end))
        return original(w_in, w_out, plan, worker, piece)

    monkeypatch.setattr(threads, "train_piece", recording)
    return recorded


@pytest.mark.parametrize("schedule,steps,want", [
    ("step", None, [0.05, 0.05, 0.005, 0.005]),  # by default one step, halfway
    ("step", (2, 4), [0.05, 0.005, 0.005, 0.0005]),
    ("constant", None, [0.05] * 4),
])
def test_stepped_and_constant_learning_rates_hold_through_each_epoch(spans, schedule, steps, want):
    sentences = [["a", "b", "c", "d"]] * 30
    config = Config(dim=8, min_count=1, epochs=4, workers=1, chunk_words=20, alpha=0.05, lr_schedule=schedule,
                    lr_step_epochs=steps)
    Word2Vec(config).build_vocab(sentences).train(sentences, progress=False)
    spans.sort()
    per_epoch = len(spans) // 4
    for epoch, rate in enumerate(want):
        for _, start, end in spans[epoch * per_epoch:(epoch + 1) * per_epoch]:
            assert start == end == pytest.approx(rate)


def test_a_run_with_momentum_records_tenths_and_plots_its_loss(tiny_corpus, tmp_path):
    from embed import plot_loss

    path, _, _ = tiny_corpus
    settings = dict(loss="softmax", dim=8, min_count=1, epochs=2, workers=1, chunk_words=200, alpha=0.01)
    plain = Word2Vec(Config(**settings)).build_vocab(path).train(path, progress=False)
    fast = Word2Vec(Config(**settings, momentum=0.9)).build_vocab(path).train(path, progress=False)
    for model in (plain, fast):
        assert [len(stats.tenths) for stats in model.history] == [10, 10]
        # The tenths are the epoch's loss cut finer: weighted alike, they average to it.
        assert np.mean(model.history[0].tenths) == pytest.approx(model.history[0].loss, rel=0.05)
    assert fast.history[-1].loss < plain.history[-1].loss  # momentum 0.9 takes ten times the steps
    plot_loss({"SGD": plain, "momentum 0.9": fast}, tmp_path / "loss.png")
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(EmbedError, match="no loss to plot"):
        plot_loss(Word2Vec(Config(**settings)), tmp_path / "none.png")
    # What is not a model said "the model has not been trained"; a .pdf name got PNG data.
    with pytest.raises(EmbedError, match="^plot_loss takes a Word2Vec, or a mapping from labels to them, got int 5$"):
        plot_loss({"SGD": plain, "other": 5}, tmp_path / "none.png")
    with pytest.raises(EmbedError, match="loss.txt: a plot is written as .avif"):
        plot_loss(plain, tmp_path / "loss.txt")
    plot_loss(plain, tmp_path / "loss.pdf")
    assert (tmp_path / "loss.pdf").read_bytes()[:4] == b"%PDF" and not (tmp_path / "none.png").exists()


def test_learning_rate_falls_from_alpha_to_min_alpha_over_the_corpus_trained(spans):
    # A list is counted each time: its identity says nothing of its length (a list that
    # grew, or a new list at a freed list's address, once took the old word count).
    sentences = [["a", "b", "c", "d"]] * 30
    config = Config(dim=8, min_count=1, epochs=2, workers=1, chunk_words=20, alpha=0.05, min_alpha=0.001)
    model = Word2Vec(config).build_vocab(sentences)
    sentences.extend([["c", "d", "a"]] * 90)  # the same list, three times longer
    model.train(sentences, progress=False)
    spans.sort()
    assert len(spans) > 20
    assert spans[0][1] == pytest.approx(0.05) and spans[-1][2] == pytest.approx(0.001)
    rates = [rate for _, start, end in spans for rate in (start, end)]
    assert all(later <= earlier for earlier, later in zip(rates, rates[1:]))
    # Linear in the words trained: only the last chunk reaches min_alpha, and half-way
    # through the rate is half-way down.
    assert all(end > 0.0011 for _, _, end in spans[:-1])
    middle = spans[len(spans) // 2]
    assert 0.3 * 0.05 < middle[1] < 0.7 * 0.05


def test_a_run_with_nothing_to_learn_is_an_error(tmp_path):
    # Once, such runs ended with "loss nan, 0 examples" and random vectors as a result.
    path = tmp_path / "c.txt"
    path.write_text("paris france rome italy\n" * 50)
    model = Word2Vec(Config(dim=4, min_count=1, workers=1, epochs=2)).build_vocab(path)
    path.write_text("")  # emptied after the vocabulary was counted
    with pytest.raises(EmbedError, match=r"c.txt: epoch 1 read no word of the vocabulary"):
        model.train(path, progress=False)
    with pytest.raises(EmbedError, match="corpus: has no word of the vocabulary to train on"):
        model.train([["berlin", "germany"]] * 10, progress=False)
    for engine in ({}, {"deterministic": True, "shards": 4}):  # on threads, and in rounds
        with pytest.raises(EmbedError, match=r"training saw no example: no sentence has two vocabulary words left "
                                             r"after subsampling \(sample=0.001; a corpus this small needs 0"):
            train([["ok", "fine"]] * 20, dim=4, min_count=1, workers=1, epochs=2, progress=False, **engine)


def test_the_malloc_threshold_is_held_where_the_c_library_is_glibc():
    import platform

    from embed.memory import fix_malloc_threshold

    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert fix_malloc_threshold() is glibc


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps"), reason="Linux's /proc")
def test_the_compilers_pages_are_released_and_compiling_afterwards_still_works():
    from numba import njit

    from embed.memory import library_resident_bytes, release_compiler_pages

    @njit
    def first(x):  # compiled here, not cached: LLVM runs
        return x * 2 + 1

    assert first(3) == 7
    before = library_resident_bytes()
    released = release_compiler_pages()
    assert released > 0 and library_resident_bytes() <= before - released
    model = Word2Vec(Config(dim=8, min_count=1, workers=1, epochs=1, seed=3, sample=0))
    model.build_vocab([["a", "b", "c"]] * 20).train([["a", "b", "c"]] * 20, progress=False)

    @njit
    def second(x):  # LLVM runs again, from pages faulted back in
        return x * 3 - 1

    assert second(3) == 8 and np.isfinite(model.wv.vectors).all()


def test_only_the_libraries_read_only_pages_never_written_are_released():
    from embed.memory import _clean_library_regions

    smaps = """\
7f0000000000-7f0000400000 r-xp 00365000 fe:00 2171072    /x/libllvmlite.so
Rss:                1024 kB
Private_Dirty:         0 kB
Anonymous:             0 kB
7f0000400000-7f0000500000 r--p 05394000 fe:00 2171072    /x/libllvmlite.so
Rss:                  64 kB
Private_Dirty:         4 kB
Anonymous:             4 kB
7f0000500000-7f0000600000 rw-p 09677000 fe:00 2171072    /x/libllvmlite.so
Rss:                  64 kB
Anonymous:             0 kB
7f0000600000-7f0000700000 r-xp 00000000 fe:00 2171073    /x/libpython3.11.so
Rss:                 512 kB
Anonymous:             0 kB
7f0000700000-7f0000800000 rw-p 00000000 00:00 0
Rss:                 512 kB
Anonymous:           512 kB
""".splitlines(keepends=True)
    assert _clean_library_regions(smaps, "libllvmlite") == [(0x7F0000000000, 0x7F0000400000, 1024 * 1024)]


def test_a_slow_kernel_load_is_announced_in_one_line_before_any_progress_bar(monkeypatch):
    from embed.training import threads

    model = Word2Vec(Config(dim=8, min_count=1, workers=1)).build_vocab([["a", "b"]] * 9)
    lines = []
    threads.ready_kernels(model.weights, model.plan, lines.append)  # loaded from the cache: no line
    assert lines == []
    original = threads.load_kernels

    def compiling(*args):  # as slow as a first run's compilation, in miniature
        time.sleep(1.5)
        original(*args)

    monkeypatch.setattr(threads, "load_kernels", compiling)
    threads.ready_kernels(model.weights, model.plan, lines.append)
    assert lines == [threads.COMPILING] and "once" in lines[0]


def test_word2vec_takes_its_settings_as_keywords_too():
    # As Phrases does, and gensim's Word2Vec (whose names are told apart); it was a TypeError.
    assert Word2Vec(dim=8, min_count=1).config == Config(dim=8, min_count=1)
    with pytest.raises(EmbedError, match=r"^unknown config field\(s\): vector_size \(gensim's name; embed's is dim\)$"):
        Word2Vec(vector_size=50)
    with pytest.raises(EmbedError, match="^give Word2Vec a Config or settings, not both$"):
        Word2Vec(Config(), dim=8)
    with pytest.raises(EmbedError, match=r"^config must be an embed.Config, such as Config\(dim=50\), got list "):
        Word2Vec([["a", "b"]], dim=8)  # gensim's Word2Vec(sentences, vector_size=...): no Config was given


def test_gensims_arguments_given_as_settings_say_what_embed_takes():
    # gensim's Word2Vec(sentences=..., compute_loss=True) and embed.train(corpus,
    # compute_loss=True) met a bare "unknown config field(s): compute_loss".
    with pytest.raises(EmbedError, match=r"^unknown config field\(s\): sentences \(gensim's: the corpus is the first "
                                         r"argument of embed.train, build_vocab and train: a list of token lists or a "
                                         r"path\), vector_size \(gensim's name; embed's is dim\)$"):
        Word2Vec(sentences=[["a", "b"]], vector_size=8)
    with pytest.raises(EmbedError, match=r"^unknown config field\(s\): compute_loss \(gensim's: each epoch's loss is "
                                         r"kept in model.loss_history \(and model.history\), always\), callbacks "
                                         r"\(gensim's name; embed's is on_epoch_end=, an argument of Word2Vec.train\)$"):
        train([["a", "b"]] * 5, min_count=1, compute_loss=True, callbacks=[])


def test_gensims_model_attributes_say_where_embed_keeps_them():
    # gensim's idiom model.train(corpus, total_examples=model.corpus_count, epochs=model.epochs)
    # met a bare AttributeError.
    model = Word2Vec(dim=8)
    for name, said in (("epochs", "the setting is model.config.epochs"),
                       ("vector_size", "the setting is model.config.dim"),
                       ("corpus_count", "embed's train() reads the corpus itself and takes no total_examples"),
                       ("syn1neg", "model.w_out, the output weights (with loss 'negative')"),
                       ("get_latest_training_loss", "each epoch's loss is kept in model.loss_history")):
        with pytest.raises(AttributeError, match=rf"^'Word2Vec' object has no attribute '{name}', gensim's name: "
                                                 rf"{re.escape(said)}"):
            getattr(model, name)
    with pytest.raises(AttributeError, match=r"^'Word2Vec' object has no attribute 'nope'$"):
        model.nope
    assert not hasattr(model, "epochs") and hasattr(model, "config")


@pytest.mark.parametrize("call, message", [
    (lambda m: m.build_vocab(corpus_iterable=[["a", "b"]]),
     r"^build_vocab\(\) takes no corpus_iterable \(gensim's: the corpus is the first argument of embed.train, "
     r"build_vocab and train: a list of token lists or a path\)$"),
    (lambda m: m.build_vocab(), r"^a corpus is a file's path \(a str\), several paths, or sentences as lists of "
                                r"tokens; got NoneType None$"),
    (lambda m: m.build_vocab([["a", "b"]] * 3).train([["a", "b"]] * 3, total_examples=3, epochs=2),
     r"^train\(\) takes no total_examples \(gensim's: embed counts the corpus itself: model.train\(corpus, epochs=N\)\)$"),
    (lambda m: m.build_vocab([["a", "b"]] * 3).train([["a", "b"]] * 3, epocs=3, compute_loss=True),
     r"^train\(\) takes no epocs \(did you mean epochs\?\), compute_loss \(gensim's: each epoch's loss is kept in "
     r"model.loss_history"),
    (lambda m: m.build_vocab([["a", "b"]] * 3, progress_per=10),
     r"^build_vocab\(\) takes no progress_per \(gensim's: its own bookkeeping; embed has none\)$"),
])
def test_gensims_keywords_of_train_and_build_vocab_say_what_embed_takes(call, message):
    # gensim's model.train(sentences, total_examples=..., epochs=...) was Python's
    # "unexpected keyword argument", and build_vocab(corpus_iterable=...) "missing corpus".
    model = Word2Vec(Config(dim=4, min_count=1, workers=1))
    with pytest.raises(EmbedError, match=message):
        call(model)
    assert not model.history


def test_settings_the_others_leave_unused_are_warned_of_in_one_line(tiny_corpus, tmp_path):
    # They were taken without a word: negative=10 beside hierarchical softmax trained as
    # negative=5 would, and shards=3 without rounds trained Hogwild's threads.
    path, _, _ = tiny_corpus
    small = dict(dim=8, min_count=1, epochs=1, workers=1)

    def warned(**settings) -> list[str]:
        tokenizer = settings.pop("tokenizer", None)
        model = Word2Vec(**{**small, **settings}, tokenizer=tokenizer).build_vocab(path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.train(path, progress=False)
            model.train(path, progress=False)  # said once: gensim's loop of one-epoch calls
        return [str(warning.message) for warning in caught if warning.category is SettingsWarning]

    assert warned(loss="hierarchical", negative=10, cbow_mean=False, lr_step_factor=4.0, shards=3) == [
        "these settings do nothing here: negative=10 (applies to loss 'negative'); lr_step_factor=4.0 (applies to "
        "lr_schedule 'step'); shards=3 (applies to training in rounds: deterministic, or on a cluster)"]
    assert warned(arch="skipgram", cbow_mean=False) == [
        "this setting does nothing here: cbow_mean=False (applies to arch 'cbow')"]
    assert warned(lowercase=False, tokenizer=str.split) == [
        "this setting does nothing here: lowercase=False (applies to the token pattern; a tokenizer function splits "
        "this text)"]
    # Default values, and settings that apply, are not warned of.
    assert warned(loss="hierarchical", negative=5, arch="skipgram", share_noise=False) == []
    assert warned(shards=3, deterministic=True, round_words=500) == []
    assert warned(lr_schedule="step", lr_step_factor=4.0, epochs=2) == []
    # A model trained further after a load was warned of when it first trained.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = train(path, **small, loss="hierarchical", negative=10, progress=False)
    model.save(tmp_path / "m.embed")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Word2Vec.load(tmp_path / "m.embed").train(path, progress=False)


def test_a_collected_model_closes_its_counted_ids_quietly(tiny_corpus):
    # The word ids met while counting stay for the next train call on the file (gensim's
    # loop of one-epoch calls reads no text); a model collected with them closed their
    # temporary file with Python's ResourceWarning.
    import gc
    import warnings

    path, _, _ = tiny_corpus
    model = train(str(path), dim=8, min_count=1, epochs=1, workers=1, progress=False)
    model.train(str(path), epochs=1, progress=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del model
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_a_vocabulary_of_one_word_is_refused_before_training():
    # It trained, to a loss of 0.
    for corpus, settings in (([["a", "a", "a"]] * 10, {}), ([["a", "b", "a"]] * 10, {"max_vocab": 1})):
        with pytest.raises(EmbedError, match="^corpus: the vocabulary has a single word, 'a': "):
            train(corpus, min_count=1, progress=False, **settings)


def test_a_step_schedule_whose_steps_lie_beyond_the_run_is_refused_before_training():
    # The rate never changed, without a word. The run's epochs decide, not the config's:
    # train(epochs=10) on a config of 5 epochs steps at epoch 8.
    sentences = [["a", "b", "c", "d"]] * 30
    model = Word2Vec(Config(dim=4, min_count=1, epochs=5, workers=1, sample=0, lr_schedule="step",
                            lr_step_epochs=(2, 8))).build_vocab(sentences)
    with pytest.raises(EmbedError, match=r"^lr_step_epochs \(2, 8\) go beyond this run's 5 epochs: a step at epoch 8 "
                                         "would never come$"):
        model.train(sentences, progress=False)
    assert model.history == []
    model.train(sentences, epochs=10, progress=False)
    assert len(model.history) == 10


def _trim_rule(word, count, min_count):
    """Keep words that start with z whatever their count, drop 'the' whatever its count."""
    from embed import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP

    if word == "the":
        return RULE_DISCARD
    return RULE_KEEP if word.startswith("z") else RULE_DEFAULT


def _trim_sentences():
    rng = np.random.default_rng(8)
    words = ["the"] * 30 + [f"w{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(60)]
    zipf = 1 / np.arange(1, len(words) + 1)
    sentences = [[str(w) for w in rng.choice(words, 12, p=zipf / zipf.sum())] for _ in range(80)]
    return sentences + [["za", "the", "zb", "zb"], ["abc", "zc"]]


def test_a_trim_rule_decides_the_vocabulary_as_gensims_does():
    gensim = pytest.importorskip("gensim.models")
    sentences = _trim_sentences()
    for settings in (dict(min_count=3), dict(min_count=1, max_final_vocab=25)):
        ours = Word2Vec(Config(**settings)).build_vocab(sentences, trim_rule=_trim_rule).vocab
        theirs = gensim.Word2Vec(sentences, vector_size=8, trim_rule=_trim_rule, **settings).wv
        assert dict(zip(ours.words, ours.counts.tolist())) == {w: theirs.get_vecattr(w, "count")
                                                                for w in theirs.index_to_key}
        assert "the" not in ours and {"za", "zb", "zc"} <= set(ours.words)


def test_a_trim_rule_gives_one_vocabulary_from_a_file_a_list_the_shards_and_an_update(tmp_path):
    from embed.training.rounds import LocalTransport, merged_vocabulary

    sentences = _trim_sentences()
    plain, tokenized = tmp_path / "plain.txt", tmp_path / "tokenized.txt"
    plain.write_text("\n".join(" ".join(s) for s in sentences) + "\n")
    # A byte the plain-text counter leaves to the tokenizer, in a line of its own.
    tokenized.write_text(plain.read_text() + "é\n")
    config = Config(min_count=3)
    expected = Word2Vec(config).build_vocab(sentences, trim_rule=_trim_rule).vocab
    for corpus in (str(plain), str(tokenized)):
        vocab = Word2Vec(config).build_vocab(corpus, trim_rule=_trim_rule).vocab
        assert vocab.words == expected.words and vocab.counts.tolist() == expected.counts.tolist()
    model = Word2Vec(config)
    shards = model._shards(str(plain))
    transport = LocalTransport(threads=2)
    try:
        vocab = merged_vocabulary(transport.count(shards, config), config, "plain.txt", _trim_rule)
    finally:
        transport.close()
    assert vocab.words == expected.words
    # An update takes in new words as the rule says, and keeps the words it has.
    model = Word2Vec(Config(min_count=3, dim=8, workers=1)).build_vocab(sentences[:40])
    model.build_vocab([["zz", "the"], ["new"] * 5, ["rare"]], update=True, trim_rule=_trim_rule)
    assert model.vocab.words[-2:] == ["new", "zz"] and "the" in model.vocab and "rare" not in model.vocab


def test_a_trim_rule_keeps_its_words_through_counting_under_max_table(tmp_path):
    # gensim's pruning asks the rule (utils.prune_vocab); embed's forgot a word the rule
    # keeps, seen once before the table filled, whichever way it counted.
    from embed.training.rounds import LocalTransport, merged_vocabulary

    sentences = [["zq", "the", "a", "a"]] + [[f"w{chr(97 + i % 26)}{chr(97 + i // 26)}", "a", "b"] for i in range(60)]
    plain, tokenized = tmp_path / "plain.txt", tmp_path / "tokenized.txt"
    plain.write_text("\n".join(" ".join(s) for s in sentences) + "\n")
    tokenized.write_text(plain.read_text() + "é\n")  # a byte the plain-text counter leaves to the tokenizer
    config = Config(min_count=2, max_table=20)
    with pytest.warns(PruningWarning):
        assert "zq" not in Word2Vec(config).build_vocab(sentences).vocab
    model = Word2Vec(config)
    shards = model._shards(str(plain))
    transport = LocalTransport(threads=2)
    try:
        vocabularies = [merged_vocabulary(transport.count(shards, config, _trim_rule), config, "plain.txt", _trim_rule)]
    finally:
        transport.close()
    with pytest.warns(PruningWarning):
        for corpus in (sentences, str(plain), str(tokenized)):
            vocabularies.append(Word2Vec(config).build_vocab(corpus, trim_rule=_trim_rule).vocab)
        model = Word2Vec(Config(min_count=2, max_table=20, dim=8, workers=1)).build_vocab([["a", "a", "b", "b"]])
        vocabularies.append(model.build_vocab(sentences, update=True, trim_rule=_trim_rule).vocab)
    for vocab in vocabularies:
        assert "zq" in vocab and "the" not in vocab and {"a", "b"} <= set(vocab.words)
    with pytest.raises(EmbedError, match=r"^trim_rule keeps 21 words through counting, more than max_table=20 distinct "
                                         r"words: raise --max-table, or keep fewer$"):
        Word2Vec(config).build_vocab(sentences, trim_rule=lambda word, count, min_count: 2)


@pytest.mark.parametrize("answer, shown", [(True, "True"), (np.True_, "np.True_"), ("keep", "'keep'"), (3, "3")])
def test_a_trim_rule_answering_what_is_not_a_rule_is_one_line(answer, shown):
    with pytest.raises(EmbedError, match=rf"^trim_rule returned {shown} for 'a' \(count 2\); a rule returns RULE_KEEP "
                                         r"\(2\), RULE_DISCARD \(1\) or RULE_DEFAULT \(0\): embed's or gensim.utils'$"):
        Word2Vec(Config(min_count=1)).build_vocab([["a", "b", "a"]], trim_rule=lambda word, count, min_count: answer)
    with pytest.raises(EmbedError, match=r"^corpus: trim_rule and min_count=1 kept no word of the 2 distinct words$"):
        Word2Vec(Config(min_count=1)).build_vocab([["a", "b", "a"]], trim_rule=lambda word, count, min_count: 1)
    with pytest.raises(EmbedError, match=r"^trim_rule is a function of \(word, count, min_count\) that returns "
                                         r"RULE_KEEP, RULE_DISCARD or RULE_DEFAULT, got str 'keep'$"):
        Word2Vec(Config(min_count=1)).build_vocab_from_freq({"a": 2, "b": 1}, trim_rule="keep")


def test_a_vocabulary_from_counts_made_elsewhere_trains_as_one_counted_from_the_corpus():
    from collections import Counter

    sentences = _trim_sentences()
    config = Config(dim=8, min_count=2, workers=1, epochs=2, seed=5)
    counted = Word2Vec(config).build_vocab(sentences).train(sentences, progress=False)
    given = Word2Vec(config).build_vocab_from_freq(Counter(w for s in sentences for w in s))
    assert given.vocab.words == counted.vocab.words and given.vocab.counts.tolist() == counted.vocab.counts.tolist()
    given.train(sentences, progress=False)
    np.testing.assert_array_equal(given.wv.vectors, counted.wv.vectors)
    freq = Counter(w for s in sentences for w in s)
    kept = Word2Vec(Config(min_count=1, max_final_vocab=20)).build_vocab_from_freq(freq, trim_rule=_trim_rule).vocab
    gensim = pytest.importorskip("gensim.models")
    theirs = gensim.Word2Vec(vector_size=8, min_count=1, max_final_vocab=20)
    theirs.build_vocab_from_freq(freq, trim_rule=_trim_rule)
    assert dict(zip(kept.words, kept.counts.tolist())) == {w: theirs.wv.get_vecattr(w, "count")
                                                            for w in theirs.wv.index_to_key}
    # An update adds the words min_count keeps, and grows every count.
    given.build_vocab_from_freq({"zz": 1, "new": 3, "the": 2}, update=True)
    assert given.vocab.words[-1] == "new" and "zz" not in given.vocab
    assert given.vocab.counts[given.vocab["the"]] == freq["the"] + 2


@pytest.mark.parametrize("word_freq, message", [
    ([("a", 1)], r"^build_vocab_from_freq takes a mapping of words to their counts \(a dict, a Counter\), got list "),
    ({}, r"^build_vocab_from_freq: word_freq holds no word$"),
    ({"a": 2, 3: 1}, r"^build_vocab_from_freq: words are strings, neither empty nor holding a newline, got int 3$"),
    ({"a": -1}, r"^build_vocab_from_freq: the count of 'a' must be a whole number >= 0, got int -1$"),
    ({"a": 1.5}, r"^build_vocab_from_freq: the count of 'a' must be a whole number >= 0, got float 1.5$"),
    ({"a": 9}, r"^word_freq: the vocabulary has a single word, 'a'"),
])
def test_counts_made_elsewhere_that_are_not_words_and_counts_are_one_line(word_freq, message):
    with pytest.raises(EmbedError, match=message):
        Word2Vec(Config(min_count=1)).build_vocab_from_freq(word_freq)
