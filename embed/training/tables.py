"""The tables a run computes with, made once from the settings and the vocabulary:
the noise words' alias table (negative sampling), the Huffman tree (hierarchical
softmax) and subsampling's keep rates, gathered into the kernels' ``Plan``."""

from __future__ import annotations

import numpy as np

from ..kernels.huffman import huffman_tree
from ..kernels.loss import KINDS, empty_tables
from ..kernels.loss_negative import alias_table, noise_distribution
from ..kernels.piece import ARCH_CODES, Plan
from ..text.vocab import Vocabulary
from .config import Config


def make_plan(config: Config, vocab: Vocabulary) -> Plan:
    """What every piece of a run with ``config`` on ``vocab`` computes with.

    >>> plan = make_plan(Config(loss="hierarchical"), Vocabulary(["a", "b", "c"], [5, 3, 2]))
    >>> plan.tables.lengths.tolist(), plan.window
    ([1, 2, 2], 5)
    """
    tables = empty_tables()
    if config.loss == "negative":
        tables = tables._replace(noise=alias_table(noise_distribution(vocab.counts, config.ns_exponent)))
    elif config.loss == "hierarchical":
        codes, points, lengths = huffman_tree(vocab.counts)
        tables = tables._replace(codes=codes, points=points, lengths=lengths)
    # Buffers are sized by the window and the batch: neither needs to exceed what the
    # longest sentence holds, so --window 1e9 costs no more than a window as long as a
    # sentence, and a batch no more than a sentence's examples.
    longest = int(config.max_sentence_length)
    window = min(int(config.window), max(1, longest - 1))
    # Fixed Python types: Numba compiles a kernel per argument type, and caches each.
    return Plan(
        arch=ARCH_CODES[config.arch],
        kind=KINDS[config.loss],
        tables=tables,
        keep_prob=vocab.keep_probabilities(config.sample),
        window=window,
        negative=int(config.negative),
        softmax_batch=min(int(config.softmax_batch), longest * 2 * window),
        cbow_mean=bool(config.cbow_mean),
        saturation=np.inf if config.saturation is None else float(config.saturation),
        seed=int(config.seed),
        share_noise=bool(config.share_noise),
        shared_softmax=config.skipgram_softmax == "shared",
        shrink_windows=bool(config.shrink_windows),
    )
