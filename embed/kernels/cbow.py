"""CBOW: the mean (or sum) of the context words' input vectors predicts the centre word.

The driver walks a chunk of sentences exactly as ``embed.text.windows.cbow_examples``
does. The hidden vector's step is added to every context row unscaled, as word2vec does
with ``cbow_mean``: for the sum that is the exact gradient step, for the mean it is the
step times the window's size, which word2vec's learning rates are tuned for.
"""

from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from ..text.windows import reduced_window, sentence_buffer, subsample_into
from .batch import closes_at_sentence_end, train_batch
from .loss import SOFTMAX, prepare
from .prefetch import prefetch_row
from .tally import new_tally, tally_total
from .vector import FAST, add, scale, zero


@njit(cache=True, nogil=True, fastmath=FAST)
def train_cbow_chunk(ids, offsets, first, w_in, w_out, plan, worker, alpha_start, alpha_end):
    """Train on sentences ``ids[offsets[s]:offsets[s+1]]`` from sentence ``first`` on;
    returns (loss sum, examples, the sentence to go on from: all of them unless the
    worker's halt flag stopped it between sentences).

    ``plan`` is what the run computes with, ``worker`` this worker's batch, private rows,
    random states and halt flag (``embed.kernels.piece``)."""
    # Taken out of the named tuples once: see embed.kernels.loss.
    batch, private, window_state, noise_state = worker.batch, worker.private, worker.window_state, worker.noise_state
    halt = worker.halt
    kind, tables, keep_prob, saturation, window = plan.kind, plan.tables, plan.keep_prob, plan.saturation, plan.window
    noise, noise_table, points, lengths = batch.noise, tables.noise, tables.points, tables.lengths
    cbow_mean = plan.cbow_mean
    optimizer = plan.optimizer
    size = plan.softmax_batch if kind == SOFTMAX else 1
    hidden, targets, sources, source_counts = batch.hidden, batch.targets, batch.sources, batch.source_counts
    kept = sentence_buffer(offsets)
    total_words = max(1, ids.shape[0])
    tally = new_tally()
    examples = 0
    queued = 0
    slot = 0  # which row of ``batch.noise`` holds the current example's draws
    lr = alpha_start
    for s in range(first, offsets.shape[0] - 1):
        if s > first and queued == 0 and halt[0]:  # a stop: between sentences, where nothing is queued
            return tally_total(tally), examples, s
        lr = alpha_start + (alpha_end - alpha_start) * (offsets[s] - offsets[0]) / total_words
        n = subsample_into(ids[offsets[s]:offsets[s + 1]], keep_prob, window_state, kept)
        if n > 1:  # every position of such a sentence is an example
            prepare(kind, kept[0], w_out, private, noise_table, points, lengths, noise_state, noise, slot)
        for i in range(n):
            b = reduced_window(window_state, window, plan.shrink_windows)
            if i + 1 < n:
                prepare(kind, kept[i + 1], w_out, private, noise_table, points, lengths, noise_state, noise, 1 - slot)
            if i + window < n:  # the row at the far edge of the next windows
                prefetch_row(w_in, kept[i + window])
            start, stop = max(0, i - b), min(n, i + b + 1)
            count = stop - start - 1
            if count == 0:
                continue
            zero(hidden, queued)
            k = 0
            for j in range(start, stop):
                if j != i:
                    add(w_in, kept[j], hidden, queued)
                    sources[queued, k] = kept[j]
                    k += 1
            if cbow_mean:
                scale(1.0 / count, hidden, queued)
            source_counts[queued] = count
            targets[queued] = kept[i]
            queued += 1
            if queued == size:
                train_batch(queued, batch, w_in, w_out, private, kind, tables, saturation, lr, slot, tally, optimizer)
                examples += queued
                queued = 0
            slot = 1 - slot
        if closes_at_sentence_end(queued, size, s, offsets):
            train_batch(queued, batch, w_in, w_out, private, kind, tables, saturation, lr, slot, tally, optimizer)
            examples += queued
            queued = 0
    return tally_total(tally), examples, offsets.shape[0] - 1
