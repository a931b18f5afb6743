"""The centre word a trained model predicts from context words: gensim's
``predict_output_word``, for every output layer.

The hidden vector is CBOW's: the context words' input vectors averaged, or summed where
a CBOW model trained with ``cbow_mean=False``; a skip-gram model, which never combines
its context words, takes their mean (gensim reads ``cbow_mean`` there too, which
training with skip-gram ignores). Its scores against the
output rows give each vocabulary word's probability by the model's own output layer:
the softmax of the scores for negative sampling (gensim's formula: the sampled binary
decisions define no distribution over the words, so it takes the softmax of the same
scores) and for the full softmax; the product of the decisions along each word's
Huffman path for hierarchical softmax, which gensim refuses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import EmbedError, described, is_whole
from ..text.vocab import first_bad_word
from ..vectors.word_vectors import word_list


def predict_output_word(model, context_words_list: Sequence[str], topn: int = 10) -> list[tuple[str, float]]:
    """The ``topn`` most probable centre words given ``context_words_list`` (words
    outside the vocabulary are left out, as gensim leaves them), most probable first.

    >>> model.predict_output_word(["capital", "of", "france"], topn=3)   # doctest: +SKIP
    [('paris', 0.31...), ...]
    """
    if model.vocab is None or model.weights is None:
        raise EmbedError("predict_output_word: the model has no vocabulary yet: call build_vocab() and train()")
    if not is_whole(topn):
        raise EmbedError(f"predict_output_word: topn must be an integer >= 1, got {topn!r}")
    context = word_list(context_words_list, "predict_output_word")
    at = first_bad_word(context)
    if at >= 0:  # a list was unhashable, and a number never a word
        raise EmbedError(f"predict_output_word: context words are strings, got {described(context[at])} "
                         f"(word {at + 1})")
    rows = model.vocab.encode(context)
    if not len(rows):
        raise EmbedError(f"predict_output_word: none of the context words {context[:5]!r} is in the vocabulary")
    words = len(model.vocab)
    hidden = model.w_in[rows].sum(axis=0, dtype=np.float64)
    if model.config.cbow_mean or model.config.arch == "skipgram":
        hidden /= len(rows)
    # One score per output row (per inner node of the Huffman tree for hierarchical softmax).
    scores = (model.w_out @ hidden.astype(np.float32)).astype(np.float64)
    if model.config.loss == "hierarchical":
        tables = model.plan.tables
        log_probability = path_log_probability(scores[tables.points[:words]], tables.codes[:words],
                                               tables.lengths[:words])
    else:
        log_probability = log_softmax(scores[:words])
    probability = np.exp(log_probability)
    best = np.argsort(-probability, kind="stable")[:topn]
    return [(model.vocab.words[i], float(probability[i])) for i in best]


def path_log_probability(scores: np.ndarray, codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The log probability of each row's Huffman path: ``scores[i, k]``, the score of
    row i's k-th decision, turned by the branch taken (code 0 is the positive one), for
    the first ``lengths[i]`` decisions.

    >>> path_log_probability(np.array([[0.0, 5.0]]), np.array([[0, 1]]), np.array([1])).round(4).tolist()
    [-0.6931]
    """
    steps = np.arange(scores.shape[1]) < lengths[:, None]
    turned = (1.0 - 2.0 * codes) * scores
    return np.where(steps, -np.logaddexp(0.0, -turned), 0.0).sum(axis=1)


def log_softmax(scores: np.ndarray) -> np.ndarray:
    """log softmax over the last axis, shifted by its maximum so that exp cannot overflow.

    >>> np.exp(log_softmax(np.array([1000.0, 1000.0]))).round(12).tolist()
    [0.5, 0.5]
    """
    top = scores.max(axis=-1, keepdims=True)
    return scores - (top + np.log(np.exp(scores - top).sum(axis=-1, keepdims=True)))
