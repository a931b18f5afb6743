"""predict_output_word: each output layer's probabilities against the NumPy reference's
loss (a word's probability is exp(-loss) of the example that predicts it), and against
gensim's own for negative sampling, where gensim is installed."""

import numpy as np
import pytest

from embed import EmbedError, Word2Vec, train

import reference


def context_vector(model, context):
    rows = [model.vocab.index[word] for word in context if word in model.vocab.index]
    h = model.w_in[rows].astype(np.float64).sum(axis=0)
    return h / len(rows) if model.config.cbow_mean or model.config.arch == "skipgram" else h


@pytest.mark.parametrize("arch, cbow_mean", [("cbow", True), ("cbow", False), ("skipgram", True)])
@pytest.mark.parametrize("loss", ["negative", "hierarchical", "softmax"])
def test_each_words_probability_is_exp_minus_the_references_loss(tiny_corpus, arch, loss, cbow_mean):
    path, animals, _ = tiny_corpus
    model = train(path, arch=arch, loss=loss, cbow_mean=cbow_mean, dim=8, min_count=1, epochs=3, workers=1,
                  progress=False)
    context = ["cat", "dog", "nowhere", "cat"]  # unknown words are left out, repeats count twice (gensim's)
    predicted = model.predict_output_word(context, topn=len(model.vocab))
    assert len(predicted) == len(model.vocab)
    h, w_out = context_vector(model, context), model.w_out.astype(np.float64)
    tables = model.plan.tables
    for word, probability in predicted:
        target = model.vocab.index[word]
        if loss == "hierarchical":
            length = tables.lengths[target]
            value, _, _ = reference.hierarchical_loss(h, w_out, tables.codes[target, :length],
                                                      tables.points[target, :length])
        else:  # negative sampling: gensim's softmax of the same scores
            value, _, _ = reference.softmax_loss(h, w_out[: len(model.vocab)], target)
        assert probability == pytest.approx(np.exp(-value), rel=1e-4)
    assert sum(p for _, p in predicted) == pytest.approx(1.0, abs=1e-6)  # a Huffman tree's paths too
    assert [p for _, p in predicted] == sorted((p for _, p in predicted), reverse=True)
    assert predicted[0][0] in animals  # the family the context words come from


def test_predict_output_word_equals_gensims_on_the_same_weights(tiny_corpus):
    gensim = pytest.importorskip("gensim")
    path, _, _ = tiny_corpus
    model = train(path, dim=8, min_count=1, epochs=2, workers=1, progress=False)
    sentences = [line.split() for line in open(path, encoding="utf-8")]
    peer = gensim.models.Word2Vec(vector_size=8, min_count=1, negative=5, hs=0, cbow_mean=1, workers=1)
    peer.build_vocab(sentences)
    order = [model.vocab.index[word] for word in peer.wv.index_to_key]
    peer.wv.vectors[:] = model.w_in[order]
    peer.syn1neg[:] = model.w_out[order]
    for context in (["cat", "dog", "horse"], ["saw", "saw", "drill"]):
        ours = dict(model.predict_output_word(context, topn=10))
        theirs = dict(peer.predict_output_word(context, topn=10))
        assert ours.keys() == theirs.keys()
        for word in ours:
            assert ours[word] == pytest.approx(float(theirs[word]), rel=1e-5)


def test_what_predict_output_word_cannot_answer_is_one_line(tiny_corpus):
    path, _, _ = tiny_corpus
    model = train(path, dim=8, min_count=1, epochs=1, workers=1, progress=False)
    with pytest.raises(EmbedError, match=r"^predict_output_word: none of the context words \['zz', 'yy'\] is in the "
                                         r"vocabulary$"):
        model.predict_output_word(["zz", "yy"])  # gensim warned and returned None
    for context, shown in (([["cat"]], r"list \['cat'\] \(word 1\)"), (["cat", None], r"NoneType None \(word 2\)")):
        with pytest.raises(EmbedError, match=rf"^predict_output_word: context words are strings, got {shown}$"):
            model.predict_output_word(context)
    with pytest.raises(EmbedError, match=r"^predict_output_word: topn must be an integer >= 1, got 0$"):
        model.predict_output_word(["cat"], topn=0)
    with pytest.raises(EmbedError, match=r"^predict_output_word takes a list of words, got the string 'cat'"):
        model.predict_output_word("cat")
    with pytest.raises(EmbedError, match=r"^predict_output_word: the model has no vocabulary yet"):
        Word2Vec(dim=8).predict_output_word(["cat"])
