"""Training in rounds (embed.training.rounds) and the shards it reads (embed.text.shards):
shards cut no token, the vocabulary counted over shards is the one-process vocabulary,
the merge rules do what they say, and the vectors are the same at any thread count."""

import gzip
import hashlib
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import embed
from embed.errors import EmbedError
from embed.kernels.densematrix import add_scaled_rows, row_changes
from embed.text.shards import Files, Segment, corpus_files, shard_sentences, split_shards
from embed.text.tokenizer import Tokenizer
from embed.training import rounds as rounds_module
from embed.training.config import Config
from embed.training.rounds import (Change, LocalTransport, Merger, RoundsWarning, _count_plain_segments,
                                   encode_shard, frequency_factors, merged_vocabulary, piece_bounds)
from embed.training.weights import Weights

PROPERTY = settings(max_examples=120, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
blank = st.sampled_from([" ", "  ", "\n", "\t", " \n", "\r\n"])
word = st.text(alphabet="abcdé", min_size=1, max_size=6)


def tokens_of(shards) -> list[str]:
    return [t for shard in shards for sentence in shard_sentences(shard, Tokenizer(), reports=[]) for t in sentence]


@PROPERTY
@given(st.lists(st.tuples(word, blank), max_size=80), st.integers(1, 12), st.booleans())
def test_shards_split_no_token_and_lose_none(tmp_path, pairs, count, leading_blank):
    text = (" " if leading_blank else "") + "".join(w + b for w, b in pairs)
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode())
    shards = split_shards([str(path)], count)
    assert len(shards) == count
    assert tokens_of(shards) == [t for s in Files([str(path)]) for t in s]
    sizes = [sum((s.stop or 0) - s.start for s in shard) for shard in shards]
    assert max(sizes) - min(sizes) <= 1  # balanced by bytes


def test_many_files_directories_globs_and_compressed_files_keep_their_order(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.txt").write_text("four five\nsix\n")
    (tmp_path / "d" / "a.txt").write_text("one two three\n")
    with gzip.open(tmp_path / "e.txt.gz", "wt") as f:
        f.write("seven eight\n")
    files = corpus_files([str(tmp_path / "d"), str(tmp_path / "*.gz")])
    assert [os.path.basename(f) for f in files] == ["a.txt", "b.txt", "e.txt.gz"]
    words = "one two three four five six seven eight".split()
    for count in (1, 2, 3, 5, 9):
        shards = split_shards(files, count)
        assert tokens_of(shards) == words
        assert sum(isinstance(s, Segment) and s.path.endswith(".gz") for shard in shards for s in shard) == 1


@pytest.mark.parametrize("spec,message", [("nothing/*.txt", "no file matches"), ("missing.txt", "no such file")])
def test_a_corpus_that_names_no_file_is_one_line(tmp_path, spec, message):
    with pytest.raises(EmbedError, match=message):
        corpus_files(str(tmp_path / spec))


@pytest.mark.parametrize("plain,separator", [(False, "\n"), (True, "\n"), (True, " ")])
def test_the_vocabulary_counted_over_shards_is_the_one_process_vocabulary(tmp_path, plain, separator):
    # Words with a letter beyond ASCII go through the tokenizer; words of ASCII letters
    # (mixed case, one long line as in text8 too) through the jitted count of plain
    # segments. (Words with digits were all "w" to the tokenizer: one word, which
    # build_vocab now refuses.)
    rng = np.random.default_rng(3)
    words = ["".join(rng.choice(list("abcdeFGH"), 4)) + ("" if plain else "é") for _ in range(300)]
    text = separator.join(" ".join(rng.choice(words, rng.integers(1, 40), p=_zipf(300))) for _ in range(400))
    path = tmp_path / "c.txt"
    path.write_text(text)
    config = Config(min_count=2)
    whole = embed.Word2Vec(config).build_vocab(str(path)).vocab
    transport = LocalTransport(2)
    for count in (1, 3, 16):
        shards = split_shards([str(path)], count)
        assert all((_count_plain_segments(shard, config) is not None) == plain for shard in shards)
        merged = merged_vocabulary(transport.count(shards, config), config, "c.txt")
        assert merged.words == whole.words and merged.counts.tolist() == whole.counts.tolist()
    transport.close()


def _zipf(n):
    weights = 1.0 / np.arange(1, n + 1)
    return weights / weights.sum()


def test_pieces_are_whole_sentences_of_about_round_words():
    encoded = encode_shard([["a", "b", "c"], ["x"], ["a"] * 5, ["b", "c"]], ["a", "b", "c"], Config())
    assert encoded.offsets.tolist() == [0, 3, 8, 10]  # the sentence of unknown words is gone
    bounds, words = piece_bounds(encoded, 4)
    assert bounds.tolist() == [0, 2, 3] and words.tolist() == [8, 2]  # a piece starts at the first sentence past 4, 8
    bounds, words = piece_bounds(encoded, 100)
    assert bounds.tolist() == [0, 3] and words.tolist() == [10]


def _change(in_rows, in_delta, out_rows, out_delta):
    """A task's change to matrices of 16 floats a row (no padding), deltas in column 0."""
    def block(rows, column):
        delta = np.zeros((len(rows), 16), np.float32)
        delta[:, 0] = column
        return delta

    return Change(np.array(in_rows, np.int64), block(in_rows, in_delta), np.array(out_rows, np.int64),
                  block(out_rows, out_delta), 1.0, 1, 1)


@pytest.mark.parametrize("rule", ["sum", "average", "row-average"])
def test_merge_rules_against_their_definitions(rule):
    weights = Weights(np.zeros((3, 16), np.float32), np.zeros((3, 16), np.float32))
    changes = [_change([0, 1], [1, 2], [2], [4]), _change([1], [6], [], [])]
    Merger(rule, "negative", 3, 2).merge((weights.input[: weights.rows], weights.output[: weights.rows]), iter(changes), active=2)
    expected_in = {"sum": [1, 8, 0], "average": [0.5, 4, 0], "row-average": [1, 4, 0]}[rule]
    expected_out = {"sum": [0, 0, 4], "average": [0, 0, 2], "row-average": [0, 0, 4]}[rule]
    np.testing.assert_allclose(weights.w_in[:, 0], expected_in)
    np.testing.assert_allclose(weights.w_out[:, 0], expected_out)
    assert not weights.w_in[:, 1:].any()


def test_frequency_merge_sums_rows_rounds_barely_update_and_averages_settled_ones():
    weights = Weights(np.zeros((3, 16), np.float32), np.zeros((3, 16), np.float32))
    updates = (np.array([0.0, 1e9, 0.0]), np.array([0.0, 0.0, 1e9]))  # rows 1 (input) and 2 (output) settle
    changes = [_change([0, 1], [1, 2], [2], [4]), _change([1], [6], [2], [2])]
    Merger("frequency", "negative", 3, 2, updates).merge((weights.input[: weights.rows], weights.output[: weights.rows]), iter(changes), active=2)
    np.testing.assert_allclose(weights.w_in[:, 0], [1, 4, 0])  # row 0 summed, row 1 averaged
    np.testing.assert_allclose(weights.w_out[:, 0], [0, 0, 3])


def test_frequency_factors_fall_from_one_to_one_over_the_shards():
    updates = np.array([0.0, 1.0, 10.0, 100.0, 1e3, 1e4, 1e6])
    c, n = 1e-3, 1e3
    factors = frequency_factors(updates, 8, c)
    assert factors[0] == 1.0 and factors[-1] == pytest.approx(1 / 8)
    assert np.all(np.diff(factors) < 0)
    # Shards x updates steps in a row: 1 - (1 - c)^(S n), against the S shards' summed 1 - (1 - c)^n each.
    assert factors[4] * 8 * (1 - (1 - c) ** n) == pytest.approx(1 - (1 - c) ** (8 * n), rel=1e-5)


def test_the_frequency_merges_kernel_is_numpys_scaled_add_bit_for_bit():
    # The coordinator and the workers' replicas merge with the kernel; NumPy states it.
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((500, 16)).astype(np.float32)
    rows = np.sort(rng.choice(500, 300, replace=False))
    deltas = (rng.standard_normal((300, 16)) * 1e-3).astype(np.float32)
    factors = frequency_factors(rng.random(500) * 1e4, 4, 1e-3)
    expected = matrix.copy()
    expected[rows] += factors[rows, None] * deltas
    add_scaled_rows(matrix, rows, deltas, factors)
    assert np.array_equal(matrix, expected)


@pytest.mark.parametrize("changed_share", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("into_spare", [False, True])
@pytest.mark.parametrize("width", [0, 20])
def test_row_changes_are_numpys_compare_and_difference_bit_for_bit(changed_share, into_spare, width):
    # A task's change, in one pass; NumPy states it. Signed zeros are equal, a NaN differs.
    # With a width, the columns beyond it are the pad (zero in both) and stay out.
    rng = np.random.default_rng(5)
    before = rng.standard_normal((400, 24)).astype(np.float32)
    before[:, width or 24 :] = 0
    after = before.copy()
    moved = rng.random(400) < changed_share
    after[moved, rng.integers(0, width or 24)] += np.float32(1e-3)
    after[7] = before[7]
    before[7, 3], after[7, 3] = -0.0, 0.0
    after[9, 5] = np.nan
    spare = np.full((400, width or 24), 7.0, np.float32) if into_spare else None
    rows, deltas = row_changes(before, after, spare, width)
    expected = np.flatnonzero((before != after).any(axis=1))
    assert rows.tolist() == expected.tolist() and 9 in rows.tolist() and 7 not in rows.tolist()
    assert np.array_equal(deltas, (after[expected] - before[expected])[:, : width or 24], equal_nan=True)
    if into_spare:
        assert np.shares_memory(deltas, spare)
    with pytest.raises(ValueError, match="spare deltas"):  # a block of other columns would be overrun
        row_changes(before, after, np.empty((400, 24 + 1), np.float32), width)


def test_a_task_sends_the_rows_dim_columns_not_the_pad():
    # At d = 100 a row is stored as 112 floats; the 12 of the pad stay zero and stay home.
    from embed.kernels.densematrix import dense_matrix
    from embed.text.vocab import Vocabulary
    from embed.training.rounds import train_shard_piece
    from embed.training.tables import make_plan

    config = Config(dim=20, sample=0, min_count=1)
    vocab = Vocabulary(["a", "b", "c"], [6, 4, 2])
    rng = np.random.default_rng(2)
    model = tuple(dense_matrix(rng.standard_normal((3, 20)).astype(np.float32)) for _ in range(2))
    encoded = encode_shard([["a", "b", "c", "a", "b", "a"]] * 4, vocab.words, config)
    change = train_shard_piece(model, make_plan(config, vocab), encoded, 0, 4, 0, 0.025, 0.02)
    assert model[0].shape[1] == 32 and change.in_delta.shape == (3, 20) and change.out_delta.shape[1] == 20
    assert change.words == 24


@pytest.mark.parametrize("rule", ["hogwild", "sum", "average", "row-average", "frequency"])
def test_a_change_without_its_pad_merges_as_the_padded_one_bit_for_bit(rule):
    # Tasks leave the pad's zero columns out of what they send; every rule merges the rest.
    rng = np.random.default_rng(11)
    rows, dim, width = 700, 20, 32
    updates = (rng.random(rows) * 1e4, rng.random(rows) * 1e4) if rule == "frequency" else None
    start = rng.standard_normal((2, rows, width)).astype(np.float32)
    start[:, :, dim:] = 0
    padded, narrow = [], []
    for _ in range(3):
        in_rows, out_rows = (np.sort(rng.choice(rows, 300, replace=False)) for _ in range(2))
        in_delta, out_delta = (np.zeros((300, width), np.float32) for _ in range(2))
        in_delta[:, :dim], out_delta[:, :dim] = (rng.standard_normal((2, 300, dim)) * 1e-2).astype(np.float32)
        padded.append(Change(in_rows, in_delta, out_rows, out_delta, 1.0, 1, 1))
        narrow.append(Change(in_rows, in_delta[:, :dim].copy(), out_rows, out_delta[:, :dim].copy(), 1.0, 1, 1))
    merged = []
    for changes in (padded, narrow):
        model = (start[0].copy(), start[1].copy())
        Merger(rule, "negative", rows, 3, updates).merge(model, iter(changes), 3)
        merged.append(model)
    assert all(np.array_equal(a, b) for a, b in zip(*merged))
    assert not np.array_equal(merged[0][0], start[0]) and not merged[1][1][:, dim:].any()


def test_hogwild_merge_moves_hot_rows_by_the_thread_engines_share():
    rows = 600
    weights = Weights(np.zeros((rows, 16), np.float32), np.ones((rows, 16), np.float32))
    merger = Merger("hogwild", "negative", rows, 8)  # beyond 4 shards: hot rows get 4/8 of the sum
    merger.merge((weights.input[: weights.rows], weights.output[: weights.rows]), iter([_change([], [], [0, 599], [1, 1])] * 8), active=8)
    assert weights.w_out[0, 0] == pytest.approx(1 + 8 * 0.5)  # a hot row
    assert weights.w_out[599, 0] == pytest.approx(1 + 8)  # a rare word's row: summed


def digest(model) -> str:
    return hashlib.sha256(model.w_in.tobytes() + model.w_out.tobytes()).hexdigest()


ROUNDS = dict(deterministic=True, shards=4, round_words=300, epochs=2, min_count=1, dim=16, progress=False)


@pytest.mark.parametrize("arch,loss", [("cbow", "negative"), ("skipgram", "hierarchical"), ("cbow", "softmax")])
def test_rounds_give_the_same_vectors_on_one_thread_and_on_three(tiny_corpus, arch, loss):
    path, _, _ = tiny_corpus
    one = embed.train(str(path), arch=arch, loss=loss, workers=1, **ROUNDS)
    three = embed.train(str(path), arch=arch, loss=loss, workers=3, **ROUNDS)
    assert digest(one) == digest(three)
    assert one.history[-1].words == one.vocab.total  # every word, every epoch
    other_shards = embed.train(str(path), arch=arch, loss=loss, workers=1, **{**ROUNDS, "shards": 3})
    assert digest(other_shards) != digest(one)  # the shards, not the threads, decide


def _blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")


def _set_blas_threads(count: int) -> None:
    """From a thread that then ends: threadpoolctl lets only one live thread at a time
    change OpenBLAS's count, and this leaves none holding it."""
    import threading

    from threadpoolctl import threadpool_limits

    setter = threading.Thread(target=threadpool_limits, kwargs={"limits": count, "user_api": "blas"})
    setter.start()
    setter.join()


@pytest.fixture
def two_blas_threads():
    original = _blas_threads()
    _set_blas_threads(2)
    if _blas_threads() != 2:
        pytest.skip("BLAS runs on one thread here (one core)")
    yield
    _set_blas_threads(original)


def test_blas_stays_on_one_thread_until_the_last_of_the_tasks_training_at_once_ends(two_blas_threads):
    # The full softmax's tasks train on several threads of one process at once. Each
    # setting BLAS's (process-wide) thread count and putting it back let the first to end
    # put it back while another still trained: its products, summed on more BLAS threads
    # in another order, changed the vectors of `--deterministic` runs from run to run.
    import threading

    from embed.training.blas import one_blas_thread

    entered, first_left, seen = threading.Event(), threading.Event(), []

    def second_task():
        with one_blas_thread():
            entered.set()
            first_left.wait(10)
            seen.append(_blas_threads())

    with one_blas_thread():
        assert _blas_threads() == 1
        other = threading.Thread(target=second_task)
        other.start()
        entered.wait(10)
    first_left.set()
    other.join(10)
    assert seen == [1]
    assert _blas_threads() == 2  # put back by the last to leave


def test_blas_held_at_more_threads_by_another_thread_stops_the_training_in_one_line(two_blas_threads):
    from threadpoolctl import threadpool_limits

    from embed.training.blas import one_blas_thread

    with threadpool_limits(limits=2, user_api="blas"):  # this thread holds threadpoolctl's control
        with pytest.raises(EmbedError, match="needs BLAS on one thread .* holds it at 2"):
            with one_blas_thread():
                pass
    with one_blas_thread():  # nothing left behind
        assert _blas_threads() == 1
    assert _blas_threads() == 2


@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
def test_the_frequency_merge_gives_the_same_vectors_on_one_thread_and_on_three(tiny_corpus, loss):
    path, _, _ = tiny_corpus
    one = embed.train(str(path), loss=loss, workers=1, merge="frequency", **ROUNDS)
    assert digest(one) == digest(embed.train(str(path), loss=loss, workers=3, merge="frequency", **ROUNDS))
    assert digest(one) != digest(embed.train(str(path), loss=loss, workers=1, merge="sum", **ROUNDS))


@pytest.mark.parametrize("loss,merge", [("negative", "hogwild"), ("hierarchical", "frequency")])
def test_full_merges_every_few_rounds_give_the_same_vectors_on_one_thread_and_on_three(tiny_corpus, monkeypatch,
                                                                                      loss, merge):
    monkeypatch.setattr(rounds_module, "MERGED_EACH_ROUND", 4)  # of the tiny vocabulary's 10 words
    path, _, _ = tiny_corpus
    settings = {**ROUNDS, "loss": loss, "merge": merge, "full_merge_every": 3}
    one = embed.train(str(path), workers=1, **settings)
    assert digest(one) == digest(embed.train(str(path), workers=3, **settings))
    assert one.history[-1].words == one.vocab.total
    assert digest(one) != digest(embed.train(str(path), workers=1, **{**settings, "full_merge_every": 1}))


def test_rounds_between_full_merges_follow_their_definition(tiny_corpus, monkeypatch):
    # Each shard trains on a model of its own. After every round the rows merged each
    # round move by the shards' changes to them, summed in shard order, and every shard's
    # model takes them; at the cycle's end every other row moves by the shards' changes
    # since the cycle began. A shard whose pieces end inside a cycle merges at its end.
    from embed.kernels.densematrix import dense_matrix
    from embed.kernels.piece import Piece, new_worker, train_piece
    from embed.training.rounds import plan_cycle, rows_merged_each_round
    from embed.training.schedule import Schedule

    monkeypatch.setattr(rounds_module, "MERGED_EACH_ROUND", 4)  # of the tiny vocabulary's 10 words
    path, _, _ = tiny_corpus
    every = 3
    config = Config(deterministic=True, shards=3, round_words=106, epochs=2, min_count=1, dim=16, merge="sum",
                    full_merge_every=every, workers=2)
    trained = embed.Word2Vec(config).build_vocab(str(path)).train(str(path), progress=False)
    reference = embed.Word2Vec(config).build_vocab(str(path))
    transport = LocalTransport(threads=1)
    bounds, _ = transport.encode(reference._shards(str(path)), reference.vocab.words, config)
    pieces = [len(words) for _, words in bounds]
    assert len(set(pieces)) > 1 and max(pieces) % every  # a shard runs out inside a cycle, and the epoch too
    rows, plan = reference.weights.rows, reference.plan
    model = (reference.weights.input[:rows], reference.weights.output[:rows])
    each_round = rows_merged_each_round(config.loss, rows)
    others = [np.ones(rows, bool), np.ones(rows, bool)]
    for other, hot in zip(others, each_round):
        other[hot] = False
    schedule = Schedule.for_run(config, config.epochs, sum(int(words.sum()) for _, words in bounds))
    for epoch in range(config.epochs):
        for cycle in range(-(-max(pieces) // every)):
            rounds = plan_cycle(bounds, cycle, every, epoch, schedule)
            start = [matrix.copy() for matrix in model]
            own = {task[0]: [dense_matrix(matrix) for matrix in model] for task in rounds[0]}
            for tasks in rounds:
                before = [matrix[hot].copy() for matrix, hot in zip(model, each_round)]
                for shard, first, last, number, alpha_start, alpha_end in tasks:
                    for mine, hot, merged in zip(own[shard], each_round, before):
                        mine[hot] = merged
                    encoded = transport.encoded[shard]
                    begin, end = encoded.offsets[first], encoded.offsets[last]
                    piece = Piece(number, encoded.ids[begin:end], encoded.offsets[first : last + 1] - begin,
                                  alpha_start, alpha_end)
                    train_piece(*own[shard], plan, new_worker(plan, rows, model[1].shape[1]), piece)
                for shard, *_ in tasks:
                    for matrix, mine, hot, merged in zip(model, own[shard], each_round, before):
                        matrix[hot] += mine[hot] - merged
            for shard in own:
                for matrix, mine, began, other in zip(model, own[shard], start, others):
                    matrix[other] += mine[other] - began[other]
    transport.close()
    # Not a run that merges every row every round: the definition, not a coincidence.
    assert not np.array_equal(trained.w_in, embed.Word2Vec(config.replace(full_merge_every=1)).build_vocab(
        str(path)).train(str(path), progress=False).w_in)
    np.testing.assert_array_equal(trained.w_in, reference.w_in)
    np.testing.assert_array_equal(trained.w_out, reference.w_out)


def test_the_frequency_rule_counts_a_cycles_updates_for_the_rows_that_wait():
    updates = (np.array([5.0, 1e4, 20.0, 3.0]), np.array([2.0, 8e3, 1.0, 7.0]))
    every = Merger("frequency", "negative", 4, 2, updates, full_merge_every=4)
    assert every.each_round == (slice(0, 4), slice(0, 4))  # a vocabulary of 4: every row is among the hottest
    np.testing.assert_array_equal(every._factors(2)[1], frequency_factors(updates[1], 2, rounds_module.CONTRACTION[1]))
    rows = 600
    updates = (np.linspace(1.0, 1e4, rows), np.linspace(2.0, 5e3, rows))
    factors = Merger("frequency", "negative", rows, 2, updates, full_merge_every=4)._factors(2)
    for k, contraction in enumerate(rounds_module.CONTRACTION):
        np.testing.assert_array_equal(factors[k][:512], frequency_factors(updates[k][:512], 2, contraction))
        np.testing.assert_array_equal(factors[k][512:], frequency_factors(4 * updates[k][512:], 2, contraction))


def test_summing_more_than_two_shards_warns_and_the_frequency_merge_does_not(tiny_corpus):
    path, _, _ = tiny_corpus
    settings = {**ROUNDS, "epochs": 1}
    with pytest.warns(RoundsWarning, match="4 shards with merge 'hogwild'.*merge 'frequency'"):
        embed.train(str(path), **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RoundsWarning)
        embed.train(str(path), merge="frequency", **settings)
        embed.train(str(path), **{**settings, "shards": 2})


def test_shards_left_without_text_or_unbalanced_by_compressed_files_are_warned_of(tiny_corpus, tmp_path):
    import gzip

    path, _, _ = tiny_corpus
    packed = tmp_path / "tiny.txt.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    settings = {**ROUNDS, "epochs": 1, "shards": 2}
    with pytest.warns(RoundsWarning, match="1 of 2 shards has no text to train on and waits through every round; a "
                                           "compressed file cannot be cut at blanks"):
        embed.train(str(packed), **settings)
    for copy in "bc":  # three files of one size: one shard gets one, the other two
        (tmp_path / f"{copy}.txt.gz").write_bytes(packed.read_bytes())
    with pytest.warns(RoundsWarning, match=r"the shards are unbalanced: the largest has ([\d,]+) vocabulary words an "
                                           r"epoch and the smallest ([\d,]+), so their workers spend about 25% of the "
                                           r"rounds waiting; a compressed file"):
        embed.train(str(tmp_path / "*.txt.gz"), **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RoundsWarning)
        embed.train(str(path), **settings)  # a plain file: cut into both shards


def test_rounds_learn_what_threads_learn(tiny_corpus):
    path, animals, tools = tiny_corpus

    def margin(wv):  # mean similarity within a family less that across families
        within = np.mean([wv.similarity(a, b) for family in (animals, tools) for a in family for b in family if a != b])
        return within - np.mean([wv.similarity(a, b) for a in animals for b in tools])

    settings = dict(epochs=5, min_count=1, dim=16, sample=0, progress=False)
    rounds = margin(embed.train(str(path), deterministic=True, round_words=100, **settings).wv)  # 2 shards
    threads = margin(embed.train(str(path), **settings).wv)
    assert rounds > 0.3 and rounds > 0.5 * threads


def test_rounds_train_sentences_in_memory(tiny_corpus):
    path, _, _ = tiny_corpus
    sentences = [line.split() for line in path.read_text().splitlines()]
    one = embed.train(sentences, workers=1, **ROUNDS)
    two = embed.train(sentences, workers=2, **ROUNDS)
    assert digest(one) == digest(two)


def test_a_tokenizer_function_cannot_go_to_the_shards(tiny_corpus):
    path, _, _ = tiny_corpus
    with pytest.raises(EmbedError, match="tokenizer function"):
        embed.train(str(path), tokenizer=str.split, **ROUNDS)


def test_plain_segments_encode_from_bytes_to_the_ids_the_tokenizer_gives(tmp_path):
    (tmp_path / "plain.txt").write_text("the cat sat\non the mat the end\n" * 50)
    (tmp_path / "other.txt").write_text("Thé cat, sat!\non the mat 42 the end\n" * 50)
    files = corpus_files(str(tmp_path))
    words = ["the", "cat", "mat", "sat", "on", "thé"]
    vocab_index = {w: i for i, w in enumerate(words)}
    expected = [[vocab_index[t] for t in s if t in vocab_index] for s in Files(files)]
    expected = [ids for ids in expected if ids]
    for count in (1, 3, 7):
        got = []
        for shard in split_shards(files, count):
            encoded = encode_shard(shard, words, Config())
            got += [encoded.ids[a:b].tolist() for a, b in zip(encoded.offsets, encoded.offsets[1:])]
        assert [t for s in got for t in s] == [t for s in expected for t in s]
    encoded = encode_shard(split_shards(files, 1)[0], words, Config())
    assert len(encoded.offsets) - 1 == len(expected)  # the same sentences, cut at the same places


@pytest.fixture
def in_memory_store(tiny_corpus):
    """The tiny corpus in fsspec's in-memory file system, as a URL: whole, cut in two
    files, and gzipped."""
    fsspec = pytest.importorskip("fsspec")
    path, _, _ = tiny_corpus
    store = fsspec.filesystem("memory")
    lines = path.read_bytes().splitlines(keepends=True)
    store.pipe({"/embed-test/tiny.txt": path.read_bytes(), "/embed-test/parts/a.txt": b"".join(lines[:150]),
                "/embed-test/parts/b.txt": b"".join(lines[150:]), "/embed-test/tiny.txt.gz": gzip.compress(
                    path.read_bytes())})
    yield path
    store.rm("/embed-test", recursive=True)


def test_a_corpus_at_a_url_trains_as_the_same_file_on_disk(in_memory_store, tmp_path):
    path = in_memory_store
    (tmp_path / "parts").mkdir()
    lines = path.read_bytes().splitlines(keepends=True)
    (tmp_path / "parts" / "a.txt").write_bytes(b"".join(lines[:150]))
    (tmp_path / "parts" / "b.txt").write_bytes(b"".join(lines[150:]))
    (tmp_path / "tiny.txt.gz").write_bytes(gzip.compress(path.read_bytes()))
    for url, local in (("memory://embed-test/tiny.txt", str(path)),
                       ("memory://embed-test/tiny.txt.gz", str(tmp_path / "tiny.txt.gz")),
                       ("memory://embed-test/parts", str(tmp_path / "parts")),
                       ("memory://embed-test/parts/*.txt", str(tmp_path / "parts" / "*.txt"))):
        assert digest(embed.train(url, workers=2, **ROUNDS)) == digest(embed.train(local, workers=1, **ROUNDS)), url
    settings = dict(workers=1, seed=3, epochs=1, min_count=1, dim=8, progress=False)  # and on threads
    assert digest(embed.train("memory://embed-test/tiny.txt", **settings)) == digest(embed.train(str(path), **settings))


@pytest.mark.parametrize("url,message", [
    ("memory://embed-test/none.txt", "memory://embed-test/none.txt: no such file"),
    ("memory://embed-test/*.csv", "memory://embed-test/\\*.csv: no file matches this pattern"),
    ("nosuchprotocol://bucket/c.txt", "nosuchprotocol://bucket/c.txt: cannot read nosuchprotocol:// URLs here"),
])
def test_a_url_that_cannot_be_read_is_one_line(in_memory_store, url, message):
    with pytest.raises(EmbedError, match=message):
        embed.train(url, **ROUNDS)


def test_shards_prune_their_counts_and_the_merge_prunes_again():
    config = Config(min_count=1, max_table=3)
    counted = LocalTransport(threads=1).count([[["a", "a", "b", "c", "d"]], [["a", "a", "e", "e", "e", "f", "g"]]],
                                              config)
    assert [(c.words, c.counts.tolist(), c.forgotten, c.pruned_at) for c in counted] == [
        (["a"], [2], 3, 1), (["a", "e"], [2, 3], 2, 1)]  # four words each: those seen once go
    vocab = merged_vocabulary(counted, config.replace(max_table=1), "corpus")  # a4 e3: at most 2 goes, then 3
    assert (vocab.words, vocab.counts.tolist(), vocab.corpus_tokens, vocab.pruned_at) == (["a"], [4], 12, 3)


def test_rounds_over_another_corpus_than_the_one_counted_say_what_reading_it_repaired(tiny_corpus, tmp_path):
    # The vocabulary's count said its corpus's repairs, and the rounds' encoding of
    # another corpus said nothing of its own.
    from embed.text.corpus import CorpusWarning

    tiny, _, _ = tiny_corpus
    other = tmp_path / "other.txt"
    other.write_bytes(tiny.read_bytes()[:3000] + b" caf\xe9 cat " + b"z" * 120 + b" dog\n")
    model = embed.Word2Vec(Config(dim=8, min_count=1, epochs=1, deterministic=True, shards=2, round_words=300,
                                  workers=2)).build_vocab(tiny)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.train(str(other), progress=False)
    said = [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]
    assert said == [f"{other}: replaced 1 bytes that are not valid UTF-8, the first at byte 3004 (use "
                    "encoding_errors='strict' / --encoding-errors strict to stop instead)",
                    f"{other}: cut 1 tokens longer than the token length cap"]
