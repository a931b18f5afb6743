"""The tables a run computes with, made once from the settings and the vocabulary:
the noise words' alias table (negative sampling), the Huffman tree (hierarchical
softmax) and subsampling's keep rates, gathered into the kernels' ``Plan``."""

from __future__ import annotations

import numpy as np

from ..kernels.huffman import huffman_tree
from ..kernels.loss import KINDS, empty_tables
from ..kernels.loss_negative import alias_table, noise_distribution
from ..kernels.piece import ARCHS, Plan
from ..text.vocab import Vocabulary
from .config import Config


def make_plan(config: Config, vocab: Vocabulary) -> Plan:
    """What every piece of a run with ``config`` on ``vocab`` computes with.

    >>> plan = make_plan(Config(loss="hierarchical"), Vocabulary(["a", "b", "c"], [5, 3, 2]))
    >>> plan.tables[3].tolist(), plan.window
    ([1, 2, 2], 5)
    """
    tables = list(empty_tables())
    if config.loss == "negative":
        tables[0] = alias_table(noise_distribution(vocab.counts))
    elif config.loss == "hierarchical":
        tables[1], tables[2], tables[3] = huffman_tree(vocab.counts)
    # Fixed Python types: Numba compiles a kernel per argument type, and caches each.
    return Plan(
        arch=ARCHS[config.arch],
        kind=KINDS[config.loss],
        tables=tuple(tables),
        keep_prob=vocab.keep_probabilities(config.sample),
        window=int(config.window),
        negative=int(config.negative),
        softmax_batch=int(config.softmax_batch),
        cbow_mean=bool(config.cbow_mean),
        saturation=np.inf if config.saturation is None else float(config.saturation),
        seed=int(config.seed),
    )
