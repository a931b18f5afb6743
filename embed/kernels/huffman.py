"""The Huffman tree of hierarchical softmax, built as word2vec builds it.

Each word gets a code (the left/right turns from the root, 0 or 1) and the inner nodes
it passes (its points, numbered 0..V-2, which index rows of the output matrix). Frequent
words get short codes, so an update costs O(log V) on average.
"""

from __future__ import annotations

import numpy as np


def huffman_tree(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes, points and code lengths for words sorted by descending count.

    Returns ``codes`` (V x L, uint8), ``points`` (V x L, int32) and ``lengths`` (V, int32);
    row w's first ``lengths[w]`` entries are valid, from the root down.

    >>> codes, points, lengths = huffman_tree(np.array([5, 3, 2]))
    >>> lengths.tolist(), codes[0, :1].tolist(), sorted(points[1, :2].tolist())
    ([1, 2, 2], [1], [0, 1])
    """
    counts = np.asarray(counts, dtype=np.int64)
    size = len(counts)
    if size == 1:
        return np.zeros((1, 1), np.uint8), np.zeros((1, 1), np.int32), np.zeros(1, np.int32)
    # word2vec's linear-time merge: leaves sorted by descending count on the left,
    # inner nodes created in ascending order on the right. Python ints in lists: a
    # loop over NumPy scalars was several times slower.
    weight = counts.tolist() + [np.iinfo(np.int64).max // 4] * size
    parent = [0] * (2 * size)
    binary = [0] * (2 * size)
    leaf, inner = size - 1, size
    for node in range(size - 1):
        picked = []
        for _ in range(2):
            if leaf >= 0 and weight[leaf] < weight[inner]:
                picked.append(leaf)
                leaf -= 1
            else:
                picked.append(inner)
                inner += 1
        weight[size + node] = weight[picked[0]] + weight[picked[1]]
        parent[picked[0]] = size + node
        parent[picked[1]] = size + node
        binary[picked[1]] = 1
    root = 2 * size - 2
    # Every node's parent was made after it, so depths fill in from the root down.
    depth = [0] * (2 * size)
    for node in range(root - 1, -1, -1):
        depth[node] = depth[parent[node]] + 1
    # The paths, filled one level at a time for all words at once from the leaves up:
    # lists of each word's path made 100 MB of Python objects at 68k words.
    parent_of, turn = np.array(parent, dtype=np.int64), np.array(binary, dtype=np.uint8)
    lengths = np.array(depth[:size], dtype=np.int32)
    codes = np.zeros((size, int(lengths.max())), dtype=np.uint8)
    points = np.zeros((size, int(lengths.max())), dtype=np.int32)
    node = np.arange(size, dtype=np.int64)
    position = lengths.astype(np.int64) - 1
    words = np.arange(size)
    while len(words):
        codes[words, position[words]] = turn[node[words]]
        node[words] = parent_of[node[words]]
        points[words, position[words]] = node[words] - size
        position[words] -= 1
        words = words[position[words] >= 0]
    return codes, points, lengths
