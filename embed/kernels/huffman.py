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
    # inner nodes created in ascending order on the right.
    weight = np.concatenate([counts, np.full(size, np.iinfo(np.int64).max // 4, dtype=np.int64)])
    parent = np.zeros(2 * size, dtype=np.int64)
    binary = np.zeros(2 * size, dtype=np.uint8)
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
    paths_codes, paths_points = [], []
    for word in range(size):
        code, point = [], []
        node = word
        while node != root:
            code.append(binary[node])
            node = parent[node]
            point.append(node - size)
        paths_codes.append(code[::-1])
        paths_points.append(point[::-1])
    depth = max(len(c) for c in paths_codes)
    codes = np.zeros((size, depth), dtype=np.uint8)
    points = np.zeros((size, depth), dtype=np.int32)
    lengths = np.zeros(size, dtype=np.int32)
    for word in range(size):
        n = len(paths_codes[word])
        codes[word, :n] = paths_codes[word]
        points[word, :n] = paths_points[word]
        lengths[word] = n
    return codes, points, lengths
