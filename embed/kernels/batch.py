"""A batch of training examples between an architecture and a loss.

The architectures (``cbow``, ``skipgram``) fill it with hidden vectors, their targets
and the input rows each hidden vector came from; ``train_batch`` lets the loss score and
update the output rows, then sends each hidden vector's step back to its input rows.
The sampling losses take one skip-gram window (all its pairs predict the centre word)
or one CBOW example; the full softmax takes ``softmax_batch`` examples at a time so that
its cost is matrix products. A worker allocates its batch once and reuses it for every
piece: no field is read before the driver or the loss writes it.
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from .densematrix import aligned_zeros
from .loss import NEGATIVE, SOFTMAX
from .loss_hierarchical import hierarchical_step
from .loss_negative import negative_update
from .loss_softmax import scratch_size, softmax_batch_step
from .optimizer import is_plain, step_input_rows
from .vector import FAST, add, zero


class Batch(NamedTuple):
    hidden: np.ndarray  # size x width: the hidden vectors
    steps: np.ndarray  # size x width: each hidden vector's step, from the loss
    gains: np.ndarray  # a score, then a gain, per (output row, example)
    targets: np.ndarray  # the words the examples predict: one each, or (skip-gram's shared softmax) several
    target_ends: np.ndarray  # size: where each example's targets end in ``targets`` (full softmax)
    sources: np.ndarray  # size x max_sources: the input rows each hidden vector came from
    source_counts: np.ndarray  # size
    scratch: np.ndarray  # the full softmax's scores and gradient block
    noise: np.ndarray  # 2 x negative: this example's noise words and the next one's, drawn early to prefetch
    rows: np.ndarray  # the output rows of a sampling-loss step: target and noise words, or Huffman nodes
    labels: np.ndarray  # 1 or 0 for each of ``rows``


def new_batch(kind: int, output_rows: int, width: int, negative: int, size: int, max_sources: int,
              path_length: int, max_targets: int = 1) -> Batch:
    """Buffers for ``size`` examples of at most ``max_sources`` input rows and
    ``max_targets`` targets each, against an output matrix of ``output_rows`` x ``width``.

    >>> new_batch(0, 10, 16, 5, 4, 1, 3).gains.shape  # 4 examples x (5 noise words + the target)
    (24,)
    """
    rows = max(negative + 1, path_length)
    return Batch(
        hidden=aligned_zeros((size, width)),
        steps=aligned_zeros((size, width)),
        gains=aligned_zeros(size * rows),
        targets=np.zeros(size * max_targets, dtype=np.int32),
        target_ends=np.arange(1, size + 1, dtype=np.int32),
        sources=np.zeros((size, max_sources), dtype=np.int32),
        source_counts=np.zeros(size, dtype=np.int32),
        # Where the scores start changes how BLAS sums them; NumPy's placement keeps the
        # full softmax's results bit-identical with earlier versions of embed.
        scratch=np.empty(scratch_size(output_rows, width, size) if kind == SOFTMAX else 1, dtype=np.float32),
        noise=np.zeros((2, negative), dtype=np.int32),
        rows=np.zeros(rows, dtype=np.int64),
        labels=np.zeros(rows, dtype=np.float32),
    )


# Not inlined: the drivers call it from two or three places, and an inlined copy of
# all three losses at each doubled their compile time.
# Compiled without Numba's reference counts (_nrt=False): with them, every call counted
# a reference to each of the twenty arrays it is passed and released it on return, an
# atomic add through a call each time, and for CBOW, one example a call, that cost more
# than scoring the example: an example of CBOW with negative sampling took 1,919-2,001
# cycles with the counts and 1,206-1,218 without (benchmarks/example_cost.py). Nothing here allocates
# an array or keeps one beyond the call; the caller's references keep them alive.
# Numba compiles a function that does not say otherwise the way its first caller was
# compiled, so the functions called from here that allocate say _nrt=True.
@njit(cache=True, nogil=True, fastmath=FAST, _nrt=False)
def train_batch(count, batch, w_in, w_out, private, kind, tables, saturation, lr, slot, tally, optimizer):
    """Train on the first ``count`` examples of the batch with the loss ``kind``: score
    them against their targets, update the output rows, add the summed loss to
    ``tally``, and send each hidden vector's step back to its input rows. The full
    softmax takes any targets; the sampling losses take a batch that shares one target
    (a skip-gram window, or one CBOW example) and the noise words ``prepare`` drew into
    ``batch.noise[slot]``. The full softmax's steps go through ``optimizer``."""
    hidden, steps, gains, targets, target_ends, sources, source_counts, scratch, noise, rows, labels = batch  # once a call
    for b in range(count):
        zero(steps, b)
    target = targets[0]
    if kind == SOFTMAX:
        softmax_batch_step(hidden[:count], targets, target_ends[:count], w_out, lr, steps[:count], scratch, tally,
                           optimizer)
        if not is_plain(optimizer):
            step_input_rows(count, steps, sources, source_counts, w_in, lr, optimizer)
            return
    elif kind == NEGATIVE:
        negative_update(count, hidden, target, noise, slot, w_out, private, lr, steps, gains, rows, labels, tally,
                        saturation)
    else:
        hierarchical_step(count, hidden, tables.codes, tables.points, target, tables.lengths[target], w_out, private,
                          lr, steps, gains, rows, labels, tally, saturation)
    for b in range(count):
        for k in range(source_counts[b]):
            add(steps, b, w_in, sources[b, k])


@njit(cache=True, nogil=True, inline="always")
def closes_at_sentence_end(queued, size, sentence, offsets):
    """Whether the full softmax's batch of ``queued`` examples (of ``size``) is trained
    at the end of ``sentence``: once it is at least half full, and at the piece's end.

    A stop falls only between sentences where no example is queued, so that a stopped
    run resumes exactly; the rule for closing a batch depends on the text alone, never on
    a stop. Closing every batch at each sentence's end made the Factbook's short lines
    (about 12 words) into batches of a third of 32, and an epoch of CBOW took twice as
    long (297.8 s against 147 s); batches that fill across sentences keep the matrix
    products big, and a stop still comes within a sentence or two."""
    return queued > 0 and (2 * queued >= size or sentence == offsets.shape[0] - 2)
