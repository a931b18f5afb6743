"""Kernels against the NumPy references, and the references against finite differences."""

import itertools

import numpy as np
import pytest

from embed.kernels.densematrix import dense_matrix
from embed.kernels.huffman import huffman_tree
from embed.kernels.loss import HIERARCHICAL, KINDS, NEGATIVE, SOFTMAX, empty_tables
from embed.kernels.loss_hierarchical import hierarchical_step
from embed.kernels.loss_negative import alias_table, draw_noise, negative_update, noise_distribution
from embed.kernels.loss_softmax import scratch_size, softmax_batch_step
from embed.kernels.optimizer import NO_OPTIMIZER, Optimizer, step_input_rows
from embed.kernels.piece import ARCH_CODES, Piece, Plan, apply_changes, new_worker, train_piece
from embed.kernels.private_rows import NO_PRIVATE_ROWS, PrivateRows
from embed.kernels.tally import new_tally, tally_total
from embed.text.rng import make_state
from embed.text.windows import cbow_examples, skipgram_pairs, subsample

from reference import (
    hierarchical_loss, momentum_step, negative_loss, negative_sequential_step, sgd_step, shared_rows_step,
    shared_softmax_loss, softmax_loss, with_l2,
)

V, D = 13, 7


def problem(seed):
    rng = np.random.default_rng(seed)
    h = rng.normal(0, 0.5, D)
    W = rng.normal(0, 0.5, (V, D))
    return rng, h, W


def finite_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def loss_cases(seed):
    rng, h, W = problem(seed)
    codes, points, lengths = huffman_tree(np.sort(rng.integers(1, 100, V))[::-1])
    target = int(rng.integers(V))
    noise = [int(k) for k in rng.choice(V, 5, replace=False)]
    n = lengths[target]
    return h, W, [
        (negative_loss, (target, noise)),
        (softmax_loss, (target,)),
        (hierarchical_loss, (codes[target, :n], points[target, :n])),
        (shared_softmax_loss, (noise[:4] + [noise[0]],)),  # a context word may come twice
        (with_l2(softmax_loss, 0.3), (target,)),
    ]


@pytest.mark.parametrize("seed", range(4))
def test_references_match_finite_differences(seed):
    h, W, cases = loss_cases(seed)
    for loss_fn, args in cases:
        _, grad_h, grad_W = loss_fn(h, W, *args)
        np.testing.assert_allclose(grad_h, finite_difference(lambda x: loss_fn(x, W, *args)[0], h), atol=1e-6)
        np.testing.assert_allclose(grad_W, finite_difference(lambda x: loss_fn(h, x, *args)[0], W), atol=1e-6)


def assert_step_matches(got, want):
    """A float32 kernel's (loss, hidden steps, output matrix) against the float64 reference's."""
    (loss, steps, W), (want_loss, want_steps, want_W) = got, want
    assert loss == pytest.approx(want_loss, rel=1e-5)
    np.testing.assert_allclose(steps, want_steps, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(W, want_W, rtol=1e-4, atol=1e-6)


def row_scratch():
    """The ``rows`` and ``labels`` scratch of the sampling losses."""
    return np.zeros(V, np.int64), np.zeros(V, np.float32)


def run_kernel(name, h, W, lr, args):
    h32, W32 = h.astype(np.float32), W.astype(np.float32)
    steps, gains, tally = np.zeros((1, D), np.float32), np.zeros(V, np.float32), new_tally()
    update = steps[0]
    if name == "negative":
        target, noise = args
        negative_update(1, h32[None, :], target, np.array([noise], np.int32), 0, W32, NO_PRIVATE_ROWS, lr, steps, gains,
                        *row_scratch(), tally)
    elif name == "softmax":
        steps = np.zeros((1, D), np.float32)
        scratch = np.empty(scratch_size(V, D, 1), np.float32)
        softmax_batch_step(h32[None, :], np.array(args[:1], np.int32), np.ones(1, np.int32), W32, lr, steps, scratch,
                           tally, NO_OPTIMIZER)
        update = steps[0]
    else:
        code, point = args
        hierarchical_step(1, h32[None, :], code[None, :], point[None, :], 0, len(code), W32, NO_PRIVATE_ROWS, lr, steps,
                          gains, *row_scratch(), tally)
    return tally_total(tally), update, W32


@pytest.mark.parametrize("seed", range(4))
def test_loss_kernels_match_references(seed):
    h, W, cases = loss_cases(seed)
    lr = 0.05
    for name, (loss_fn, args) in zip(("negative", "softmax", "hierarchical"), cases[:3]):
        want_loss, want_update, want_W = sgd_step(loss_fn, h, W, lr, *args)
        loss, update, new_W = run_kernel(name, h, W, lr, args)
        assert loss == pytest.approx(want_loss, rel=1e-5), name
        np.testing.assert_allclose(update, want_update, rtol=1e-4, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(new_W, want_W, rtol=1e-4, atol=1e-6, err_msg=name)


def test_softmax_batch_is_one_step_on_the_summed_loss():
    rng, _, W = problem(11)
    hidden = rng.normal(0, 0.5, (6, D))
    targets = np.array([0, 3, 3, 12, 5, 0], np.int32)
    lr = 0.03
    want_loss, want_W, want_steps = 0.0, W.copy(), []
    for h, t in zip(hidden, targets):
        loss, grad_h, grad_W = softmax_loss(h, W, t)  # every example sees U before the step
        want_loss += loss
        want_steps.append(-lr * grad_h)
        want_W -= lr * grad_W
    W32, steps = W.astype(np.float32), np.zeros((6, D), np.float32)
    tally = new_tally()
    softmax_batch_step(hidden.astype(np.float32), targets, np.arange(1, 7, dtype=np.int32), W32, lr, steps,
                       np.empty(scratch_size(V, D, 6), np.float32), tally, NO_OPTIMIZER)
    assert_step_matches((tally_total(tally), steps, W32), (want_loss, want_steps, want_W))


def test_the_shared_skipgram_softmax_is_the_separate_softmaxes_of_its_pairs():
    """One softmax per centre word with its context words as targets: the loss and the
    gradients of a softmax per (centre, context) pair at the same weights, in one pass."""
    rng, _, W = problem(15)
    centres = rng.normal(0, 0.5, (3, D))
    contexts = [[4, 1, 4, 9], [0], [2, 3, 5, 7, 11, 12]]
    lr = 0.04
    want_loss, want_W, want_steps = 0.0, W.copy(), []
    for h, targets in zip(centres, contexts):
        shared = shared_softmax_loss(h, W, targets)
        pairs = [softmax_loss(h, W, t) for t in targets]
        assert shared[0] == pytest.approx(sum(p[0] for p in pairs), rel=1e-12)
        np.testing.assert_allclose(shared[1], sum(p[1] for p in pairs), atol=1e-12)
        np.testing.assert_allclose(shared[2], sum(p[2] for p in pairs), atol=1e-12)
        want_loss += shared[0]
        want_steps.append(-lr * shared[1])
        want_W -= lr * shared[2]
    W32, steps, tally = W.astype(np.float32), np.zeros((3, D), np.float32), new_tally()
    ends = np.cumsum([len(c) for c in contexts]).astype(np.int32)
    softmax_batch_step(centres.astype(np.float32), np.concatenate(contexts).astype(np.int32), ends, W32, lr, steps,
                       np.empty(scratch_size(V, D, 3), np.float32), tally, NO_OPTIMIZER)
    assert_step_matches((tally_total(tally), steps, W32), (want_loss, want_steps, want_W))


def test_momentum_and_l2_steps_match_the_reference_over_several_steps():
    """Three softmax steps with classical momentum and decay: the output rows' dense
    velocity, and the input rows' velocity per touched row (a row two examples share
    gets their summed step and one velocity update; a row no example touches keeps its
    value and velocity)."""
    rng, _, W = problem(16)
    w_in = rng.normal(0, 0.5, (V, D))
    sources = np.array([[3, 5], [5, 5], [8, 0]], np.int32)
    targets = np.array([1, 2, 1], np.int32)
    lr, momentum, l2 = 0.05, 0.8, 0.01
    loss_fn = with_l2(softmax_loss, 0.0)
    ref_in, ref_out = w_in.copy(), W.copy()
    vel_in, vel_out = np.zeros_like(w_in), np.zeros_like(W)
    got_in, got_out = dense_matrix(w_in.astype(np.float32)), dense_matrix(W.astype(np.float32))
    optimizer = Optimizer(momentum, l2, np.zeros_like(got_in), np.zeros_like(got_out))
    steps = np.zeros((3, got_in.shape[1]), np.float32)
    counts = np.array([2, 2, 2], np.int32)
    for _ in range(3):
        hidden = np.array([ref_in[row].mean(0) for row in sources])
        grad_out, grad_rows = l2 * ref_out, {}
        for h, t, rows in zip(hidden, targets, sources):
            _, grad_h, grad_W = loss_fn(h, ref_out, t)
            grad_out = grad_out + grad_W
            for row in rows:  # the hidden step goes to each context row unscaled, as word2vec's CBOW does
                grad_rows[row] = grad_rows.get(row, 0.0) + grad_h
        ref_out, vel_out = momentum_step(ref_out, vel_out, grad_out, lr, momentum)
        for row, grad in grad_rows.items():
            ref_in[row], vel_in[row] = momentum_step(ref_in[row], vel_in[row], grad + l2 * ref_in[row], lr, momentum)
        hidden32 = np.zeros((3, got_in.shape[1]), np.float32)
        for b, rows in enumerate(sources):
            hidden32[b] = got_in[rows].mean(0)
        softmax_batch_step(hidden32, targets, np.arange(1, 4, dtype=np.int32), got_out, lr, steps,
                           np.empty(scratch_size(V, got_out.shape[1], 3), np.float32), new_tally(), optimizer)
        step_input_rows(3, steps, sources, counts, got_in, lr, optimizer)
    untouched = [r for r in range(V) if r not in sources]
    np.testing.assert_array_equal(got_in[untouched, :D], w_in[untouched].astype(np.float32))
    np.testing.assert_allclose(got_in[:, :D], ref_in, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got_out[:, :D], ref_out, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(optimizer.velocity_in[:, :D], vel_in, rtol=1e-3, atol=1e-6)
    assert not got_in[:, D:].any() and not got_out[:, D:].any()


# Every remainder of the kernel's blocks of 2 and 4 hidden vectors and of 4 rows.
@pytest.mark.parametrize("contexts", [1, 2, 3, 4, 5, 7])
def test_a_window_batch_shares_output_rows(contexts):
    rng, _, W = problem(12)
    H = rng.normal(0, 0.5, (contexts, D))
    target, noise, lr = 2, [7, 1, 9, 4], 0.05
    rows = [(target, 1.0)] + [(k, 0.0) for k in noise]
    want_loss, want_steps, want_W = shared_rows_step(H, W, lr, rows)
    # With distinct rows the shared step is one SGD step on the batch's summed loss.
    summed = [negative_loss(h, W, target, noise) for h in H]
    np.testing.assert_allclose(want_W, W - lr * sum(g for _, _, g in summed), atol=1e-12)
    np.testing.assert_allclose(want_steps, [-lr * g for _, g, _ in summed], atol=1e-12)
    assert want_loss == pytest.approx(sum(l for l, _, _ in summed))
    W32, steps = W.astype(np.float32), np.zeros((contexts, D), np.float32)
    tally = new_tally()
    negative_update(contexts, H.astype(np.float32), target, np.array([noise], np.int32), 0, W32, NO_PRIVATE_ROWS, lr, steps,
                    np.zeros(contexts * V, np.float32), *row_scratch(), tally)
    assert_step_matches((tally_total(tally), steps, W32), (want_loss, want_steps, want_W))
    codes, points, lengths = huffman_tree(np.arange(V, 0, -1))
    target = int(np.argmax(lengths))  # the longest path: a block of 4 rows and a remainder
    n = lengths[target]
    assert n >= 5
    path = [(points[target, k], 1.0 - codes[target, k]) for k in range(n)]
    want_loss, want_steps, want_W = shared_rows_step(H, W, lr, path)
    W32, steps = W.astype(np.float32), np.zeros((contexts, D), np.float32)
    tally = new_tally()
    hierarchical_step(contexts, H.astype(np.float32), codes, points, target, n, W32, NO_PRIVATE_ROWS, lr, steps,
                      np.zeros(contexts * V, np.float32), *row_scratch(), tally)
    assert_step_matches((tally_total(tally), steps, W32), (want_loss, want_steps, want_W))


def test_saturated_pairs_count_in_the_loss_but_are_not_updated():
    rng, _, W = problem(13)
    H = rng.normal(0, 0.5, (3, D))
    H[1] *= 40.0  # its scores leave [-6, 6]
    rows = [(4, 1.0), (8, 0.0)]
    want_loss, want_steps, want_W = shared_rows_step(H, W, 0.05, rows, saturation=6.0)
    scores = H @ W[[4, 8]].T
    assert (np.abs(scores[1]) >= 6).all() and (np.abs(scores[[0, 2]]) < 6).all()
    assert not want_steps[1].any()
    W32, steps = W.astype(np.float32), np.zeros((3, D), np.float32)
    tally = new_tally()
    negative_update(3, H.astype(np.float32), 4, np.array([[8]], np.int32), 0, W32, NO_PRIVATE_ROWS, 0.05, steps,
                    np.zeros(3 * V, np.float32), *row_scratch(), tally, 6.0)
    assert_step_matches((tally_total(tally), steps, W32), (want_loss, want_steps, want_W))


def test_skipgram_pairs_are_the_cbow_windows_unfolded():
    sentence = list(range(40))
    unfolded = [(c, x) for context, c in cbow_examples(sentence, 4, 9) for x in context]
    assert list(skipgram_pairs(sentence, 4, 9)) == unfolded


def test_negative_kernel_skips_target_and_repeats_noise_in_order():
    _, h, W = problem(9)
    want = negative_sequential_step(h, W, 0.1, 3, [3, 4, 3, 4])
    got = run_kernel("negative", h, W, 0.1, (3, [3, 4, 3, 4]))
    np.testing.assert_allclose(got[1], want[1], rtol=1e-4, atol=1e-6)
    assert got[0] == pytest.approx(want[0], rel=1e-5)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-4, atol=1e-6)


def test_alias_sampler_follows_word2vecs_noise_distribution():
    # word2vec.c's unigram table: word w with probability count_w^0.75 / sum of count^0.75.
    from scipy.stats import chisquare

    counts = np.array([1000, 300, 100, 30, 10, 3, 1, 1])
    word2vec = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(noise_distribution(counts), word2vec, rtol=1e-12)
    state = make_state(5)
    draws = np.array([draw_noise(state, alias_table(noise_distribution(counts))) for _ in range(200_000)])
    observed = np.bincount(draws, minlength=len(counts))
    assert chisquare(observed, word2vec * len(draws)).pvalue > 1e-3
    # The test has the power to see a wrong exponent (0.7) or a rare word's lost mass.
    wrong = counts**0.7 / (counts**0.7).sum()
    assert chisquare(observed, wrong * len(draws)).pvalue < 1e-6
    moved = word2vec.copy()
    moved[-1], moved[0] = moved[-1] / 2, moved[0] + moved[-1] / 2
    assert chisquare(observed, moved * len(draws)).pvalue < 1e-6


@pytest.mark.parametrize("exponent", [0.5, 0.0, -0.5])
def test_ns_exponent_shapes_the_noise_distribution(exponent):
    # gensim's ns_exponent: probability count ** exponent / sum (0: uniform; below 0: rare words favoured).
    from scipy.stats import chisquare

    from embed.training.config import Config
    from embed.training.tables import make_plan
    from embed.text.vocab import Vocabulary

    counts = np.array([1000, 300, 100, 30, 10, 3, 1, 1])
    formula = counts**exponent / (counts**exponent).sum()
    plan = make_plan(Config(ns_exponent=exponent), Vocabulary([f"w{i}" for i in range(len(counts))], counts))
    state = make_state(6)
    draws = np.array([draw_noise(state, plan.tables.noise) for _ in range(100_000)])
    observed = np.bincount(draws, minlength=len(counts))
    assert chisquare(observed, formula * len(draws)).pvalue > 1e-3
    other = counts**0.75 / (counts**0.75).sum()
    assert chisquare(observed, other * len(draws)).pvalue < 1e-6


# -- drivers: the same walk as the public window generators -------------------------------


def corpus_chunk(rng):
    sentences = [rng.integers(0, V, size) for size in (9, 1, 14)]
    offsets = np.cumsum([0] + [len(s) for s in sentences]).astype(np.int64)
    return np.concatenate(sentences).astype(np.int32), offsets


def tables_for(kind, counts):
    tables = empty_tables()
    if kind == NEGATIVE:
        return tables._replace(noise=alias_table(noise_distribution(counts)))
    if kind == HIERARCHICAL:
        codes, points, lengths = huffman_tree(counts)
        return tables._replace(codes=codes, points=points, lengths=lengths)
    return tables


def reference_chunk(arch, kind, ids, offsets, w_in, w_out, tables, negative, window, keep_prob,
                    alpha_start, alpha_end, seed, chunk, cbow_mean=True, batch=1, saturation=np.inf, share_noise=True,
                    shared_softmax=True, momentum=0.0, l2=0.0, shrink=True):
    """The drivers' walk, step for step, from the generators and the references.

    Examples are queued with hidden vectors formed from the input rows as they are, and
    trained in batches of ``batch`` (1 unless the loss is the full softmax); a batch
    closes at a sentence's end once at least half full, and at the chunk's end. With
    the full softmax, skip-gram's example is a centre word and its context words
    (``shared_softmax``) or a pair, and a step may carry momentum and decay."""
    w_in, w_out = w_in.astype(np.float64), w_out.astype(np.float64)
    velocity_in, velocity_out = np.zeros_like(w_in), np.zeros_like(w_out)
    window_state, noise_state = make_state(seed, 0, chunk), make_state(seed, 1, chunk)
    size = batch if kind == SOFTMAX else 1
    total = 0.0
    queue = []

    def draw():
        return [int(draw_noise(noise_state, tables.noise)) for _ in range(negative)]

    def flush(lr, noise=None):
        nonlocal w_out, velocity_out, total
        if kind == SOFTMAX:
            grad_sum = l2 * w_out
            steps = []
            for h, _, targets in queue:
                loss, grad_h, grad_W = shared_softmax_loss(h, w_out, np.atleast_1d(targets))  # all see U before the step
                steps.append(-lr * grad_h)
                grad_sum += grad_W
                total += loss
            w_out, velocity_out = momentum_step(w_out, velocity_out, grad_sum, lr, momentum)
            if momentum or l2:  # each touched input row once, with its summed step
                summed = {}
                for (_, sources, _), step in zip(queue, steps):
                    for row in sources:
                        summed[row] = summed.get(row, 0.0) + step
                for row, step in summed.items():
                    w_in[row], velocity_in[row] = momentum_step(w_in[row], velocity_in[row],
                                                                -step / lr + l2 * w_in[row], lr, momentum)
                queue.clear()
                return
        else:  # one window (or one CBOW example): the batch shares its target's rows
            target = queue[0][2]
            if kind == NEGATIVE:
                noise = draw() if noise is None else noise
                rows = [(target, 1.0)] + [(k, 0.0) for k in noise if k != target]
            else:
                n = tables.lengths[target]
                rows = [(tables.points[target, k], 1.0 - tables.codes[target, k]) for k in range(n)]
            loss, steps, w_out = shared_rows_step(np.array([h for h, _, _ in queue]), w_out, lr, rows, saturation)
            total += loss
        for (_, sources, _), step in zip(queue, steps):
            for row in sources:
                w_in[row] += step
        queue.clear()

    lr = alpha_start
    for s in range(len(offsets) - 1):
        lr = alpha_start + (alpha_end - alpha_start) * (offsets[s] - offsets[0]) / len(ids)
        kept = subsample(ids[offsets[s]:offsets[s + 1]], keep_prob, window_state)
        if arch == "skipgram" and kind != SOFTMAX and not share_noise:
            # word2vec's pair by pair: each pair one step, with noise words of its own,
            # drawn in the driver's order (a centre's first set ahead, the next centre's
            # set before this centre's pairs, then a fresh set before each later pair).
            ahead = {0: draw()} if kind == NEGATIVE and len(kept) > 1 else {}
            for i, (context, center) in enumerate(cbow_examples(kept, window, window_state, shrink)):
                if kind == NEGATIVE and i + 1 < len(kept):
                    ahead[i + 1] = draw()
                for p, word in enumerate(context):
                    queue.append((w_in[word].copy(), [word], center))
                    flush(lr, (ahead[i] if p == 0 else draw()) if kind == NEGATIVE else None)
            continue
        for context, center in cbow_examples(kept, window, window_state, shrink):
            if arch == "skipgram" and kind == SOFTMAX and shared_softmax:  # the centre predicts its context
                queue.append((w_in[center].copy(), [center], list(context)))
                if len(queue) == size:
                    flush(lr)
            elif arch == "skipgram":  # the window's pairs, as skipgram_pairs yields them
                for word in context:
                    queue.append((w_in[word].copy(), [word], center))
                    if kind == SOFTMAX and len(queue) == size:
                        flush(lr)
                if kind != SOFTMAX:
                    flush(lr)
            else:
                queue.append((w_in[context].mean(0) if cbow_mean else w_in[context].sum(0), context, center))
                if len(queue) == size:
                    flush(lr)
        if queue and (2 * len(queue) >= size or s == len(offsets) - 2):  # a batch at least half full, or the last
            flush(lr)
    return total, w_in, w_out


def driver_cases():
    """Every combination of settings that applies: cbow_mean to CBOW, share_noise to
    skip-gram's sampling losses, shared_softmax to skip-gram's full softmax, batches,
    momentum and l2 to the full softmax, private rows to the sampling losses."""
    for arch, loss in itertools.product(["skipgram", "cbow"], ["negative", "softmax", "hierarchical"]):
        softmax = loss == "softmax"
        for cbow_mean, batch in [(True, 1), (False, 1), (True, 5), (True, 40)]:
            if (arch == "skipgram" and not cbow_mean) or (batch > 1 and not softmax):
                continue
            for private, share_noise, shared_softmax, (momentum, l2) in itertools.product(
                    [0, 6], [True, False], [True, False], [(0.0, 0.0), (0.7, 0.01)]):
                if ((private and softmax) or (not share_noise and (arch == "cbow" or softmax))
                        or (not shared_softmax and (arch == "cbow" or not softmax))
                        or (momentum and (not softmax or batch == 40))):
                    continue
                yield arch, loss, cbow_mean, batch, private, share_noise, shared_softmax, momentum, l2, True
        yield arch, loss, True, 1, 0, True, True, 0.0, 0.0, False  # fixed windows (shrink_windows=False)


@pytest.mark.parametrize("arch,loss,cbow_mean,batch,private,share_noise,shared_softmax,momentum,l2,shrink",
                         driver_cases())
def test_drivers_match_generators_and_references(arch, loss, cbow_mean, batch, private, share_noise, shared_softmax,
                                                 momentum, l2, shrink):
    rng = np.random.default_rng(3)
    ids, offsets = corpus_chunk(rng)
    counts = np.sort(rng.integers(1, 50, V))[::-1]
    keep_prob = np.where(np.arange(V) < 3, 0.6, 1.0).astype(np.float32)  # some words subsampled
    kind = KINDS[loss]
    tables = tables_for(kind, counts)
    w_in = rng.uniform(-0.5, 0.5, (V, D)).astype(np.float32)
    w_out = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    # As the trainer stores them: rows padded with zeros (embed.kernels.densematrix), and
    # with ``private`` rows from row 2 kept by this worker in spare rows V.. for the piece.
    matrices = dense_matrix(w_in), dense_matrix(w_out, private)
    saturation = 0.3  # low, so that both branches of the rule are exercised
    optimizer = NO_OPTIMIZER
    if momentum or l2:
        optimizer = Optimizer(momentum, l2, np.zeros_like(matrices[0]), np.zeros_like(matrices[1]))
    plan = Plan(ARCH_CODES[arch], kind, tables, keep_prob, window=3, negative=4, softmax_batch=batch, cbow_mean=cbow_mean,
                saturation=saturation, seed=7, share_noise=share_noise, shared_softmax=shared_softmax,
                optimizer=optimizer, shrink_windows=shrink)
    worker = new_worker(plan, V, matrices[1].shape[1], PrivateRows(2, private, V) if private else NO_PRIVATE_ROWS)
    changes, loss_sum, count, stopped = train_piece(*matrices, plan, worker, Piece(11, ids, offsets, 0.05, 0.02))
    assert stopped is None
    assert changes.rows.tolist() == list(range(2, 2 + private))
    apply_changes(matrices[1], changes, 1.0)
    want_loss, want_in, want_out = reference_chunk(
        arch, kind, ids, offsets, w_in, w_out, tables, 4, 3, keep_prob, 0.05, 0.02, 7, 11, cbow_mean, batch,
        saturation, share_noise, shared_softmax, momentum, l2, shrink,
    )
    assert count > 20
    assert loss_sum == pytest.approx(want_loss, rel=1e-4)
    np.testing.assert_allclose(matrices[0][:, :D], want_in, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(matrices[1][:V, :D], want_out, rtol=1e-3, atol=1e-5)
    assert not matrices[0][:, D:].any() and not matrices[1][:, D:].any()  # the pad stays zero


@pytest.mark.parametrize("arch", ["skipgram", "cbow"])
@pytest.mark.parametrize("loss", ["negative", "softmax", "hierarchical"])
def test_a_piece_halted_between_sentences_ends_as_if_it_had_not_stopped(arch, loss):
    rng = np.random.default_rng(8)
    sentences = [rng.integers(0, V, size) for size in (7, 12, 1, 9, 15)]
    offsets = np.cumsum([0] + [len(s) for s in sentences]).astype(np.int64)
    ids = np.concatenate(sentences).astype(np.int32)
    kind = KINDS[loss]
    plan = Plan(ARCH_CODES[arch], kind, tables_for(kind, np.sort(rng.integers(1, 50, V))[::-1]),
                np.full(V, 0.9, np.float32), window=3, negative=4, softmax_batch=4, cbow_mean=True, saturation=np.inf,
                seed=7)
    start_in, start_out = rng.uniform(-0.5, 0.5, (V, D)).astype(np.float32), rng.normal(0, 0.3, (V, D)).astype(np.float32)
    whole = dense_matrix(start_in), dense_matrix(start_out)
    piece = Piece(4, ids, offsets, 0.05, 0.02)
    whole_loss = train_piece(*whole, plan, new_worker(plan, V, whole[1].shape[1]), piece).loss
    halted = dense_matrix(start_in), dense_matrix(start_out)
    worker = new_worker(plan, V, halted[1].shape[1])
    worker.halt[0] = 1  # raised before the call: each call trains one sentence, then stops
    outcome = train_piece(*halted, plan, worker, piece)
    reached, loss_sum = [], outcome.loss
    while outcome.stopped is not None:
        reached.append(outcome.stopped.sentence)
        outcome = train_piece(*halted, plan, worker, piece._replace(resume=outcome.stopped))
        loss_sum += outcome.loss
    assert reached == [1, 2, 3, 4]
    np.testing.assert_array_equal(halted[0], whole[0])
    np.testing.assert_array_equal(halted[1], whole[1])
    assert loss_sum == pytest.approx(whole_loss, rel=1e-9)


def test_a_halt_raised_by_another_thread_stops_a_long_piece_between_sentences():
    # The full softmax over 3,000 words takes many seconds for this piece; the flag must
    # be read from memory between sentences, not once before the loop.
    import threading

    rng = np.random.default_rng(2)
    words, dim = 3000, 32
    offsets = np.arange(0, 20 * 300 + 1, 20, dtype=np.int64)
    ids = rng.integers(0, words, offsets[-1]).astype(np.int32)
    plan = Plan(ARCH_CODES["skipgram"], SOFTMAX, empty_tables(), np.ones(words, np.float32), window=5, negative=0,
                softmax_batch=32, cbow_mean=True, saturation=np.inf, seed=1)
    w_in = dense_matrix(rng.uniform(-0.1, 0.1, (words, dim)).astype(np.float32))
    w_out = dense_matrix(np.zeros((words, dim), np.float32))
    worker = new_worker(plan, words, w_out.shape[1])
    train_piece(w_in, w_out, plan, worker, Piece(0, ids[:20], offsets[:2], 0.01, 0.01))  # compiled before timing
    threading.Timer(0.05, lambda: worker.halt.__setitem__(0, 1)).start()
    outcome = train_piece(w_in, w_out, plan, worker, Piece(1, ids, offsets, 0.01, 0.01))
    assert outcome.stopped is not None and 0 < outcome.stopped.sentence < 300


def test_loss_tally_survives_batches_of_thousands():
    # The tally multiplies (1 + e) factors, each up to 2, and takes their log lazily:
    # 3,000 pairs would overflow a plain float64 product.
    rng, h, W = problem(14)
    H = np.repeat(h[None, :] * 0.0, 3000, axis=0).astype(np.float32)  # score 0: factor 2 each
    tally = new_tally()
    negative_update(3000, H, 1, np.array([[2, 3]], np.int32), 0, W.astype(np.float32), NO_PRIVATE_ROWS, 0.0, np.zeros_like(H),
                    np.zeros(3000 * 3, np.float32), *row_scratch(), tally)
    assert tally_total(tally) == pytest.approx(3000 * 3 * np.log(2.0), rel=1e-9)


def test_inlined_exp_matches_numpy():
    from numba import njit

    from embed.kernels.vector import exp_negative

    @njit
    def exps(x):
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = exp_negative(x[i])
        return out

    x = np.linspace(0, 87, 200_001, dtype=np.float32)
    want = np.exp(-x.astype(np.float64))
    assert (np.abs(exps(x) - want) / want).max() < 5e-7
    np.testing.assert_array_equal(exps(np.float32([87.5, 1e4, np.inf])), 0.0)
    assert np.isnan(exps(np.float32([np.nan]))[0])
