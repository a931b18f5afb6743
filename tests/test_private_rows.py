"""Each worker's private copy of the hot output rows (``embed.kernels.private_rows``),
merged back through ``embed.kernels.piece``."""

import numpy as np
import pytest

from embed.kernels.densematrix import dense_matrix
from embed.kernels.huffman import huffman_tree
from embed.kernels.piece import apply_changes, private_changes
from embed.kernels.private_rows import PrivateRows, check_out, hot_range


@pytest.mark.parametrize("share", [1.0, 0.5])
def test_workers_changes_add_up_and_none_is_lost(share):
    rng = np.random.default_rng(0)
    size, dim, first, count = 10, 4, 3, 5
    start = rng.normal(size=(size, dim)).astype(np.float32)
    w_out = dense_matrix(start, 2 * count)
    privates = [PrivateRows(first, count, size), PrivateRows(first, count, size + count)]
    snapshots = [np.zeros((count, w_out.shape[1]), np.float32) for _ in privates]
    for private, snapshot in zip(privates, snapshots):  # both take their copies before either gives back
        check_out(w_out, private, snapshot)
    deltas = [rng.normal(size=(count, dim)).astype(np.float32) for _ in privates]
    for private, delta in zip(privates, deltas):
        w_out[private.home:private.home + count, :dim] += delta
    w_out[0] += 1.0  # a row outside the range, written directly meanwhile
    for private, snapshot in zip(privates, snapshots):
        apply_changes(w_out, private_changes(w_out, private, snapshot), share)
    want = start.copy()
    want[first:first + count] += share * (deltas[0] + deltas[1])  # 0.5: the copies' average
    want[0] += 1.0
    np.testing.assert_allclose(w_out[:size, :dim], want, rtol=1e-6, atol=1e-6)


def test_hot_rows_are_the_most_used():
    counts = np.sort(np.random.default_rng(1).zipf(1.3, 3000))[::-1]
    first, count, _ = hot_range("negative", len(counts), 2)
    assert (first, count) == (0, 512)  # words come by descending count
    codes, points, lengths = huffman_tree(counts)
    first, count, _ = hot_range("hierarchical", len(counts), 2)
    # The root and the nodes just below it start every path; the range holds the most
    # used nodes, weighted by how often each word occurs.
    uses = np.zeros(len(counts) - 1)
    for word in range(len(counts)):
        uses[points[word, :lengths[word]]] += counts[word]
    assert set(np.argsort(-uses, kind="stable")[:count]) == set(range(first, first + count))
    assert hot_range("hierarchical", len(counts), 1)[:2] == (0, 0)
