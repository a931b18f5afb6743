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
        dim=int(config.dim),
    )


def expected_updates(config: Config, vocab: Vocabulary, plan: Plan, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """How many times one shard's round of ``round_words`` words is expected to update
    each of ``rows`` input rows and each output row, from the words' counts, their keep
    rates, the window and the loss (what the ``frequency`` merge scales changes by).

    >>> updates_in, updates_out = expected_updates(Config(round_words=1000, sample=0), Vocabulary(["a", "b"], [3, 1]),
    ...                                            make_plan(Config(sample=0), Vocabulary(["a", "b"], [3, 1])), 2)
    >>> updates_in.round(1).tolist()  # a kept word is a context in window + 1 examples on average
    [4500.0, 1500.0]
    """
    kept = kept_rates(vocab, plan)
    words = len(kept)
    contexts = (plan.window + 1) if plan.shrink_windows else 2 * plan.window  # windows a kept word is a context in
    # Output-row updates per kept word: one example of CBOW; a skip-gram window shares
    # them, or draws them for each pair.
    examples = 1.0 if plan.arch == ARCH_CODES["cbow"] or plan.share_noise else float(contexts)
    updates_in, updates_out = np.zeros(rows), np.zeros(rows)
    updates_in[:words] = config.round_words * kept * contexts
    if config.loss == "negative":
        noise = noise_distribution(vocab.counts, config.ns_exponent)
        updates_out[:words] = config.round_words * examples * (kept + kept.sum() * config.negative * noise)
    elif config.loss == "hierarchical":
        points, lengths = plan.tables.points, plan.tables.lengths
        for word in range(words):
            updates_out[points[word, : lengths[word]]] += config.round_words * examples * kept[word]
    else:  # the full softmax moves every row in every batch
        updates_out[:words] = config.round_words * kept.sum() / max(plan.softmax_batch, 1)
    return updates_in, updates_out


def untrained_loss(config: Config, vocab: Vocabulary, plan: Plan) -> float:
    """The loss an example costs a model that has learned nothing: with the output rows at
    zero, as a run starts them, every score is 0, so each label of the sampling losses
    costs ln 2 and the full softmax's uniform distribution ln V. Hierarchical softmax's
    labels are the target's code, whose length is averaged over the words as training
    meets them (their counts times subsampling's keep rates). A run's loss that grows far
    beyond it has diverged, with finite weights where the saturation bound held them.

    >>> vocab = Vocabulary(["a", "b"], [3, 1])
    >>> round(untrained_loss(Config(), vocab, make_plan(Config(), vocab)), 4)  # 6 labels of ln 2
    4.1589
    """
    if config.loss == "negative":
        return (1 + config.negative) * float(np.log(2))
    if config.loss == "softmax":
        return float(np.log(len(vocab)))
    kept = kept_rates(vocab, plan)
    lengths = plan.tables.lengths[: len(kept)].astype(np.float64)
    return float(np.log(2) * (kept @ lengths) / max(kept.sum(), 1e-300))


def kept_rates(vocab: Vocabulary, plan: Plan) -> np.ndarray:
    """How often training meets each word, per word of the text: its share of the corpus
    times subsampling's keep rate."""
    return vocab.counts.astype(np.float64) / max(vocab.corpus_tokens, 1) * plan.keep_prob.astype(np.float64)
