"""Word2Vec.score: each sentence's log probability, against its definition written out
word by word, and against gensim's on the same weights and Huffman codes."""

import numpy as np
import pytest

from embed import EmbedError, Word2Vec, train


def reference_scores(model, sentences) -> list[float]:
    """The definition, one word and one context at a time: skip-gram sums log p(word |
    a context word's vector) over every context word within the window, CBOW log p(word
    | the context words' mean); p is the product of the decisions along the word's
    Huffman path, or the softmax over the vocabulary."""
    w_in, w_out = model.w_in.astype(np.float64), model.w_out.astype(np.float64)
    tables, window, words = model.plan.tables, model.config.window, len(model.vocab)

    def log_p(word, hidden):
        if model.config.loss == "softmax":
            scores = w_out[:words] @ hidden
            return scores[word] - np.log(np.exp(scores - scores.max()).sum()) - scores.max()
        total = 0.0
        for step in range(tables.lengths[word]):
            sign = 1.0 if tables.codes[word, step] == 0 else -1.0
            total += np.log(1.0 / (1.0 + np.exp(-sign * (w_out[tables.points[word, step]] @ hidden))))
        return total

    scores = []
    for sentence in sentences:
        ids = [model.vocab.index[w] for w in sentence if w in model.vocab.index]
        total = 0.0
        for i, word in enumerate(ids):
            context = [ids[j] for j in range(max(0, i - window), min(len(ids), i + window + 1)) if j != i]
            if model.config.arch == "skipgram":
                total += sum(log_p(word, w_in[c]) for c in context)
            elif context:
                total += log_p(word, w_in[context].mean(axis=0))
        scores.append(total)
    return scores


@pytest.mark.parametrize("arch", ["skipgram", "cbow"])
@pytest.mark.parametrize("loss", ["hierarchical", "softmax"])
def test_scores_follow_the_definition_word_by_word(tiny_corpus, arch, loss):
    path, _, _ = tiny_corpus
    model = train(path, arch=arch, loss=loss, dim=8, window=3, min_count=1, epochs=1, workers=1, progress=False)
    sentences = [line.split() for line in open(path, encoding="utf-8")][:30]
    sentences += [["cat", "unknown", "dog"], ["cat"], [], ["nothing", "known"]]
    ours = model.score(sentences)
    assert ours.shape == (len(sentences),) and ours.dtype == np.float64
    np.testing.assert_allclose(ours, reference_scores(model, sentences), rtol=1e-5, atol=1e-9)
    assert (ours[-3:] == 0).all() and (ours[:-3] < 0).all()  # one word, none, no word known
    np.testing.assert_array_equal(model.score(sentences, total_sentences=5), ours[:5])


@pytest.mark.parametrize("arch", ["skipgram", "cbow"])
def test_scores_equal_gensims_on_the_same_weights_and_codes(tiny_corpus, arch):
    gensim = pytest.importorskip("gensim")
    path, _, _ = tiny_corpus
    model = train(path, arch=arch, loss="hierarchical", dim=8, window=3, min_count=1, epochs=1, workers=1,
                  progress=False)
    sentences = [line.split() for line in open(path, encoding="utf-8")][:20]
    peer = gensim.models.Word2Vec(vector_size=8, min_count=1, hs=1, negative=0, window=3, sg=int(arch == "skipgram"),
                                  cbow_mean=1, workers=1)
    peer.build_vocab(sentences)
    tables = model.plan.tables
    for word in peer.wv.index_to_key:
        row = model.vocab.index[word]
        peer.wv.vectors[peer.wv.key_to_index[word]] = model.w_in[row]
        peer.wv.set_vecattr(word, "code", tables.codes[row, : tables.lengths[row]].astype(np.uint8))
        peer.wv.set_vecattr(word, "point", tables.points[row, : tables.lengths[row]].astype(np.uint32))
    peer.syn1[: len(model.w_out)] = model.w_out
    theirs = peer.score(sentences, total_sentences=len(sentences))
    # gensim reads each decision's log from a table of 1,000 steps over [-6, 6], each
    # within 0.012 of the log, and leaves out decisions beyond +-6 (none here).
    assert np.abs(model.w_out @ model.w_in.T).max() < 6
    np.testing.assert_allclose(model.score(sentences), theirs, rtol=0.03)


def test_what_score_cannot_answer_is_one_line(tiny_corpus):
    path, _, _ = tiny_corpus
    model = train(path, loss="hierarchical", dim=8, min_count=1, epochs=1, workers=1, progress=False)
    with pytest.raises(EmbedError, match=r"^score needs a model trained with loss 'hierarchical' or 'softmax' "
                                         r"\(gensim's hs=1\): negative sampling defines no probability of a word$"):
        train(path, dim=8, min_count=1, epochs=1, workers=1, progress=False).score([["cat"]])
    with pytest.raises(EmbedError, match=r"^score: the model has no vocabulary yet"):
        Word2Vec(dim=8, loss="hierarchical").score([["cat"]])
    with pytest.raises(EmbedError, match=r"^score takes sentences as lists of tokens, got a string; pass "
                                         r"\[sentence.split\(\)\]$"):
        model.score("cat dog")
    with pytest.raises(EmbedError, match=r"^sentence 2: a sentence must be a list of tokens, got the string 'cat dog'"):
        model.score([["cat"], "cat dog"])
    for sentences, shown in (([[1, 2]], "int 1"), ([["cat", None]], "NoneType None"), ([[["cat"]]], r"list \['cat'\]")):
        with pytest.raises(EmbedError, match=rf"^sentence 1: tokens must be strings, got {shown}; a sentence is a list "
                                             r"of strings$"):
            model.score(sentences)  # a number or None scored as a word left out
    with pytest.raises(EmbedError, match=r"^score takes sentences as lists of tokens, got NoneType None$"):
        model.score(None)
    with pytest.raises(EmbedError, match=r"^score: total_sentences must be an integer >= 0, got 1.5$"):
        model.score([["cat"]], total_sentences=1.5)
    with pytest.raises(EmbedError, match=r"^score\(\) takes no chunksize \(gensim's: its own bookkeeping; embed has "
                                         r"none\)$"):
        model.score([["cat"]], chunksize=100)
