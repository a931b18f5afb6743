"""Skip-gram: the centre word's input vector is the hidden vector; each context word is a target.

The driver walks a chunk of sentences exactly as ``embed.windows.skipgram_pairs`` does
(subsample, then one reduced window per centre) and takes one SGD step per pair,
updating the centre's input row after each step.
"""

import numpy as np
from numba import njit

from .loss import loss_buffers, loss_step
from .windows import reduced_window, sentence_buffer, subsample_into


@njit(cache=True, nogil=True)
def train_skipgram_chunk(
    ids, offsets, w_in, w_out, kind, tables, negative, window, keep_prob,
    alpha_start, alpha_end, window_state, noise_state,
):
    """Train on sentences ``ids[offsets[s]:offsets[s+1]]``; returns (loss sum, pairs).

    The learning rate falls linearly from ``alpha_start`` to ``alpha_end`` across the
    chunk's words, sentence by sentence.
    """
    hidden_update, scratch, noise_words = loss_buffers(kind, w_out, negative)
    kept = sentence_buffer(offsets)
    total_words = max(1, ids.shape[0])
    loss = 0.0
    pairs = 0
    for s in range(offsets.shape[0] - 1):
        lr = alpha_start + (alpha_end - alpha_start) * (offsets[s] - offsets[0]) / total_words
        n = subsample_into(ids[offsets[s]:offsets[s + 1]], keep_prob, window_state, kept)
        for i in range(n):
            b = reduced_window(window_state, window)
            hidden = w_in[kept[i]]
            for j in range(max(0, i - b), min(n, i + b + 1)):
                if j == i:
                    continue
                hidden_update[:] = 0.0
                loss += loss_step(kind, hidden, kept[j], w_out, lr, hidden_update, tables, noise_state, scratch, noise_words)
                hidden += hidden_update
                pairs += 1
    return loss, pairs
