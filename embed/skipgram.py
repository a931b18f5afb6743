"""Skip-gram: the centre word's input vector is the hidden vector; each context word is a target.

The driver walks a chunk of sentences exactly as ``embed.windows.skipgram_pairs`` does
(subsample, then one reduced window per centre) and takes one SGD step per pair,
updating the centre's input row after each step.
"""

import numpy as np
from numba import njit

from .loss import loss_step, SOFTMAX
from .windows import reduced_window, subsample_into


@njit(cache=True, nogil=True)
def train_skipgram_chunk(
    ids, offsets, w_in, w_out, kind, tables, negative, window, keep_prob,
    alpha_start, alpha_end, window_state, noise_state,
):
    """Train on sentences ``ids[offsets[s]:offsets[s+1]]``; returns (loss sum, pairs).

    The learning rate falls linearly from ``alpha_start`` to ``alpha_end`` across the
    chunk's words, sentence by sentence.
    """
    dim = w_in.shape[1]
    hidden_update = np.zeros(dim, dtype=np.float32)
    scratch = np.empty(w_out.shape[0] if kind == SOFTMAX else 1, dtype=np.float32)
    noise_words = np.empty(negative, dtype=np.int32)
    longest = 0
    for s in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[s + 1] - offsets[s])
    kept = np.empty(longest, dtype=np.int32)
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
