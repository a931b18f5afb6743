"""The output rows that nearly every example updates, private to each worker for a chunk.

Under Hogwild the workers write the shared matrices without locks. Most rows are
touched rarely, but a few are touched by almost every example: the top of the Huffman
tree (every path starts at the root), and the most frequent words as targets and noise.
Each write to such a row takes its cache line away from the other core, so the workers
queue on those lines. On wiki2015-17m, two workers trained CBOW with hierarchical softmax
more slowly than one.

So each worker trains a piece on its own copy of those rows and, when the piece ends,
adds a share of what it changed to the shared rows (``embed.kernels.piece``:
``train_piece`` returns the change, ``apply_changes`` adds it under a lock). Within a worker SGD stays
sequential; between workers these rows lag by at most one piece. With one worker
nothing is shared and no copy is made, so one-worker runs are unchanged.

The share was measured (wiki2015-17m, 5 epochs, 2 workers, analogy accuracy). For
negative sampling each worker adds all its change, as if the updates had been
interleaved: averaging instead cost CBOW 1.7 points (28.3% against 30.0%). For
hierarchical softmax each worker adds 1/workers of it, so that the shared rows move to
the average of the workers' copies (local SGD): adding all of it cost CBOW 0.8 points
against plain Hogwild (27.2% against 27.9%), where the average gained 0.5 (28.4%), and
skip-gram 36.9% against 35.8%. Every example passes the top of the tree, so each
worker's copy of those nodes settles within a chunk, and two settled changes added
would overshoot.

Beyond four workers the whole changes overshoot for negative sampling too: the hottest
words' rows settle within a chunk, and eight settled changes added drove skip-gram's
final loss from 2.24 (one worker) to 3.40 and cost 3 analogy points (wiki2015-17m, 5
epochs, seed 1), where four workers had cost nothing (loss 2.27). So beyond four
workers each adds 4 / workers of its change: four workers' worth in all.

The copies live in spare rows below the vocabulary's in the output matrix (see
``embed.kernels.densematrix``), so that the kernels keep working on one matrix:
``PrivateRows(first, count, home)`` says that rows ``first .. first + count`` live at
rows ``home ..`` for this worker during a piece.
"""

from __future__ import annotations

from typing import NamedTuple

from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

HOT_ROWS = 512  # with these private, two threads ran the kernels at 1.9-2.0 times one
# Negative sampling adds whole changes up to this many workers, and this many workers'
# worth beyond (each adds SUMMED_WORKERS / workers of its change): see above.
SUMMED_WORKERS = 4


class PrivateRows(NamedTuple):
    first: int  # the first shared row a worker keeps to itself
    count: int
    home: int  # where the worker's copy of row ``first`` lives


NO_PRIVATE_ROWS = PrivateRows(0, 0, 0)


def hot_range(loss: str, vocab_size: int, workers: int) -> tuple[int, int, float]:
    """(first row, count, share) of the output rows each worker keeps private.

    Words are numbered by descending count, so negative sampling's hot rows come first;
    word2vec numbers the inner nodes of the Huffman tree as it merges them, so the
    heaviest, the root last, come at the end.

    >>> hot_range("negative", 70_000, 2), hot_range("hierarchical", 70_000, 2), hot_range("negative", 70_000, 8)
    ((0, 512, 1.0), (69487, 512, 0.5), (0, 512, 0.5))
    >>> hot_range("negative", 70_000, 1), hot_range("softmax", 70_000, 2)
    ((0, 0, 1.0), (0, 0, 1.0))
    """
    if workers < 2 or loss == "softmax":  # the full softmax updates every row anyway
        return 0, 0, 1.0
    if loss == "hierarchical":
        inner = max(vocab_size - 1, 0)
        count = min(HOT_ROWS, inner)
        return inner - count, count, 1.0 / workers
    return 0, min(HOT_ROWS, vocab_size), min(1.0, SUMMED_WORKERS / workers)


@njit(cache=True, nogil=True, inline="always")
def private_row(private, row):
    """Where output row ``row`` lives for this worker."""
    if private.first <= row < private.first + private.count:
        return private.home + row - private.first
    return row


@njit(cache=True, nogil=True)
def check_out(w_out, private, snapshot):
    """Copy the private rows into the worker's copies, remembering their values."""
    first, home = private.first, private.home
    for r in range(private.count):
        for k in range(w_out.shape[1]):
            w_out[home + r, k] = w_out[first + r, k]
            snapshot[r, k] = w_out[first + r, k]
