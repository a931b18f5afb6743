"""Skip-gram: every (centre, context) pair of a window is one example.

As in word2vec, the context word's input vector is the hidden vector and the centre word
is the target (over a symmetric window the pairs are the same as predicting contexts
from the centre). The driver walks a chunk of sentences exactly as
``embed.text.windows.skipgram_pairs`` does (subsample, then one reduced window per
centre). With the sampling losses a window's pairs form one batch that shares the
centre's output rows and noise words (Ji et al. 2016), unless ``plan.share_noise`` is
off: then, as in word2vec, each pair is its own step with noise words of its own.

With the full softmax and ``plan.shared_softmax`` (the default) the model is the
derivation's: the centre word's input vector is the hidden layer and its context words
are the targets of one softmax, one example per centre (the same pairs, their roles
swapped, and the same loss as a softmax per pair at the same weights, for a window's
share of the cost). Without it each pair is an example, queued across the windows of a
sentence.
"""

from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

from ..text.windows import reduced_window, sentence_buffer, subsample_into
from .batch import closes_at_sentence_end, train_batch
from .loss import SOFTMAX, prepare
from .prefetch import prefetch_row
from .tally import new_tally, tally_total
from .vector import FAST, copy


@njit(cache=True, nogil=True, fastmath=FAST)
def train_skipgram_chunk(ids, offsets, first, w_in, w_out, plan, worker, alpha_start, alpha_end):
    """Train on sentences ``ids[offsets[s]:offsets[s+1]]`` from sentence ``first`` on;
    returns (loss sum, pairs, the sentence to go on from: all of them unless the
    worker's halt flag stopped it between sentences).

    The learning rate falls linearly from ``alpha_start`` to ``alpha_end`` across the
    chunk's words, sentence by sentence. ``plan`` is what the run computes with,
    ``worker`` this worker's batch, private rows, random states and halt flag
    (``embed.kernels.piece``).
    """
    # Taken out of the named tuples once: see embed.kernels.loss.
    batch, private, window_state, noise_state = worker.batch, worker.private, worker.window_state, worker.noise_state
    halt = worker.halt
    kind, tables, keep_prob, saturation, window = plan.kind, plan.tables, plan.keep_prob, plan.saturation, plan.window
    noise, noise_table, points, lengths = batch.noise, tables.noise, tables.points, tables.lengths
    size = plan.softmax_batch if kind == SOFTMAX else 2 * window
    pair_by_pair = kind != SOFTMAX and not plan.share_noise
    shared_softmax = kind == SOFTMAX and plan.shared_softmax
    optimizer = plan.optimizer
    hidden, targets, target_ends, sources = batch.hidden, batch.targets, batch.target_ends, batch.sources
    batch.source_counts[:] = 1
    kept = sentence_buffer(offsets)
    total_words = max(1, ids.shape[0])
    tally = new_tally()
    pairs = 0
    queued = 0
    queued_targets = 0  # the shared softmax's targets queued
    slot = 0  # which row of ``batch.noise`` holds the current example's draws
    lr = alpha_start
    for s in range(first, offsets.shape[0] - 1):
        if s > first and queued == 0 and halt[0]:  # a stop: between sentences, where nothing is queued
            return tally_total(tally), pairs, s
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
            if shared_softmax:
                start, stop = max(0, i - b), min(n, i + b + 1)
                if stop - start > 1:
                    copy(w_in, kept[i], hidden, queued)
                    sources[queued, 0] = kept[i]
                    for j in range(start, stop):
                        if j != i:
                            targets[queued_targets] = kept[j]
                            queued_targets += 1
                    target_ends[queued] = queued_targets
                    queued += 1
                    if queued == size:
                        train_batch(queued, batch, w_in, w_out, private, kind, tables, saturation, lr, slot, tally,
                                    optimizer)
                        pairs += queued_targets
                        queued = queued_targets = 0
                continue
            for j in range(max(0, i - b), min(n, i + b + 1)):
                if j == i:
                    continue
                if pair_by_pair and queued:  # word2vec: the next pair steps from the rows as they are now
                    train_batch(queued, batch, w_in, w_out, private, kind, tables, saturation, lr, slot, tally, optimizer)
                    pairs += queued
                    queued = 0
                    prepare(kind, kept[i], w_out, private, noise_table, points, lengths, noise_state, noise, slot)
                copy(w_in, kept[j], hidden, queued)
                targets[queued] = kept[i]
                sources[queued, 0] = kept[j]
                queued += 1
                if queued == size and kind == SOFTMAX:
                    train_batch(queued, batch, w_in, w_out, private, kind, tables, saturation, lr, slot, tally, optimizer)
                    pairs += queued
                    queued = 0
            if queued and kind != SOFTMAX:
                train_batch(queued, batch, w_in, w_out, private, kind, tables, saturation, lr, slot, tally, optimizer)
                pairs += queued
                queued = 0
            slot = 1 - slot
        if closes_at_sentence_end(queued, size, s, offsets):
            train_batch(queued, batch, w_in, w_out, private, kind, tables, saturation, lr, slot, tally, optimizer)
            pairs += queued_targets if shared_softmax else queued
            queued = queued_targets = 0
    return tally_total(tally), pairs, offsets.shape[0] - 1
