"""CBOW: the mean (or sum) of the context words' input vectors predicts the centre word.

The driver walks a chunk of sentences exactly as ``embed.windows.cbow_examples`` does.
The hidden vector's step is added to every context row unscaled, as word2vec does with
``cbow_mean``: for the sum that is the exact gradient step, for the mean it is the step
times the window's size, which word2vec's learning rates are tuned for.
"""

import numpy as np
from numba import njit

from .loss import loss_buffers, loss_step
from .windows import reduced_window, sentence_buffer, subsample_into


@njit(cache=True, nogil=True)
def train_cbow_chunk(
    ids, offsets, w_in, w_out, kind, tables, negative, window, keep_prob,
    alpha_start, alpha_end, window_state, noise_state, cbow_mean,
):
    """Train on sentences ``ids[offsets[s]:offsets[s+1]]``; returns (loss sum, examples)."""
    hidden = np.zeros(w_in.shape[1], dtype=np.float32)
    hidden_update, scratch, noise_words = loss_buffers(kind, w_out, negative)
    kept = sentence_buffer(offsets)
    total_words = max(1, ids.shape[0])
    loss = 0.0
    examples = 0
    for s in range(offsets.shape[0] - 1):
        lr = alpha_start + (alpha_end - alpha_start) * (offsets[s] - offsets[0]) / total_words
        n = subsample_into(ids[offsets[s]:offsets[s + 1]], keep_prob, window_state, kept)
        for i in range(n):
            b = reduced_window(window_state, window)
            start, stop = max(0, i - b), min(n, i + b + 1)
            count = stop - start - 1
            if count == 0:
                continue
            hidden[:] = 0.0
            for j in range(start, stop):
                if j != i:
                    hidden += w_in[kept[j]]
            if cbow_mean:
                hidden /= count
            hidden_update[:] = 0.0
            loss += loss_step(kind, hidden, kept[i], w_out, lr, hidden_update, tables, noise_state, scratch, noise_words)
            for j in range(start, stop):
                if j != i:
                    w_in[kept[j]] += hidden_update
            examples += 1
    return loss, examples
