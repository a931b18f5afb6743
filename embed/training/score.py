"""How probable a trained model finds each of some sentences: gensim's ``score``, the
measure of Taddy's "Document classification by inversion of distributed language
representations" (2015): train one model per class, and give a document the class whose
model scores it highest.

A sentence's score is the sum, over its words and every context word within
``window`` of each (the full window: no shrinking, no subsampling), of the log
probability the model's output layer gives the word from the context: skip-gram's
one context word at a time, CBOW's context words' mean (or sum, with ``cbow_mean``
False). Over a symmetric window a skip-gram sentence's pairs are the same whichever of
the two words is read as the input, so word2vec's pairs and the shared full softmax
score alike. Words outside the vocabulary are dropped first, as training drops them; a
CBOW word with no context word in the sentence is not scored.

The probability is the model's own: the product of the decisions along the word's
Huffman path for hierarchical softmax (gensim's only case), the softmax over the
vocabulary for the full softmax. Negative sampling's binary decisions define no
probability of a word, and gensim refuses it too. gensim reads each decision's log
from a table and leaves out a decision whose score is beyond +-6: a confident wrong
decision then costs it nothing, where here it costs its log probability.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..errors import EmbedError, described, is_whole
from ..text.vocab import checked_sentence, first_bad_word, not_tokens
from .predict import log_softmax, path_log_probability

# Rows of (input, target) pairs scored at once: with a path of 20 nodes and d=300, the
# hierarchical softmax's gathered output rows take 1024 x 20 x 300 x 4 bytes, 24 MB.
_BLOCK = 1024


def score_sentences(model, sentences: Iterable[Sequence[str]], total_sentences: int | None = None) -> np.ndarray:
    """Each sentence's log probability (float64), in order; at most ``total_sentences``
    of them, where given.

    >>> model.score([["paris", "is", "the", "capital", "of", "france"]])   # doctest: +SKIP
    array([-97.1...])
    """
    if model.vocab is None or model.weights is None:
        raise EmbedError("score: the model has no vocabulary yet: call build_vocab() and train()")
    config = model.config
    if config.loss == "negative":
        raise EmbedError("score needs a model trained with loss 'hierarchical' or 'softmax' (gensim's hs=1): "
                         "negative sampling defines no probability of a word")
    if total_sentences is not None and not is_whole(total_sentences, 0):
        raise EmbedError(f"score: total_sentences must be an integer >= 0, got {total_sentences!r}")
    if isinstance(sentences, str):
        raise EmbedError("score takes sentences as lists of tokens, got a string; pass [sentence.split()]")
    if not isinstance(sentences, Iterable):
        raise EmbedError(f"score takes sentences as lists of tokens, got {described(sentences)}")
    mean = config.arch == "cbow" and config.cbow_mean
    scores = []
    for number, sentence in enumerate(sentences, 1):
        if total_sentences is not None and number > total_sentences:
            break
        tokens = list(checked_sentence(sentence, number))
        if first_bad_word(tokens) >= 0:  # a number or None was dropped as a word not in the vocabulary
            raise not_tokens(tokens, number)
        ids = model.vocab.encode(tokens)
        inputs, targets = _pairs(ids, config.window, config.arch)
        scores.append(_log_probability(model, inputs, targets, mean).sum())
    return np.array(scores, dtype=np.float64)


def _pairs(ids: np.ndarray, window: int, arch: str) -> tuple[np.ndarray, np.ndarray]:
    """What predicts what in one sentence: the input ids of each prediction (a row; -1
    where past the sentence) and its target id. For skip-gram, one input word a row, at
    every distance from 1 to ``window``, each way; for CBOW, each target's context
    words, for the targets with any."""
    n = len(ids)
    if arch == "skipgram":
        near = [(ids[:-d], ids[d:]) for d in range(1, min(window, n - 1) + 1)]
        inputs = np.concatenate([part for a, b in near for part in (a, b)]) if near else ids[:0]
        targets = np.concatenate([part for a, b in near for part in (b, a)]) if near else ids[:0]
        return inputs[:, None], targets
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    at = np.arange(n)[:, None] + offsets[None, :]
    context = np.where((at >= 0) & (at < n), ids[np.clip(at, 0, max(n - 1, 0))], -1)
    has_context = (context >= 0).any(axis=1)
    return context[has_context], ids[has_context]


def _log_probability(model, inputs: np.ndarray, targets: np.ndarray, mean: bool) -> np.ndarray:
    """log p(target | the sum of a row's input vectors, or their ``mean``) for each row,
    by the model's output layer."""
    out = np.empty(len(targets), dtype=np.float64)
    for start in range(0, len(targets), _BLOCK):
        rows, wanted = inputs[start:start + _BLOCK], targets[start:start + _BLOCK]
        present = rows >= 0
        summed = (model.w_in[np.where(present, rows, 0)] * present[..., None]).sum(axis=1, dtype=np.float64)
        if mean:
            summed /= present.sum(axis=1, keepdims=True)
        out[start:start + len(wanted)] = _of_targets(model, summed.astype(np.float32), wanted)
    return out


def _of_targets(model, hidden: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """log p(target | hidden) for each row of ``hidden``."""
    if model.config.loss == "hierarchical":
        tables = model.plan.tables
        scores = np.einsum("nd,nld->nl", hidden, model.w_out[tables.points[targets]]).astype(np.float64)
        return path_log_probability(scores, tables.codes[targets], tables.lengths[targets])
    scores = (hidden @ model.w_out[: len(model.vocab)].T).astype(np.float64)
    return log_softmax(scores)[np.arange(len(targets)), targets]
