"""embed: word2vec embeddings (CBOW and skip-gram) with Numba kernels.

>>> import embed
>>> model = embed.train([["paris", "france"], ["rome", "italy"]] * 20, dim=8, min_count=1, progress=False)
>>> round(model.wv.similarity("paris", "paris"), 5)
1.0
"""

from .errors import EmbedError, UnknownWordError

__all__ = ["Config", "EmbedError", "UnknownWordError", "Phrases", "Vectors", "Word2Vec", "train", "load_vectors",
           "load_word2vec_format", "plot_loss", "RULE_DEFAULT", "RULE_DISCARD", "RULE_KEEP"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # Training pulls in numba; importing it only when asked keeps `import embed` light,
    # and the `embed` command's start short (see embed.launch).
    if name == "Config":
        from .training.config import Config

        return Config
    if name in ("Word2Vec", "train"):
        from .training import word2vec

        return getattr(word2vec, name)
    if name in ("Vectors", "load_vectors"):
        from .vectors import word_vectors

        return getattr(word_vectors, name)
    if name == "Phrases":
        from .training.phrases import Phrases

        return Phrases
    if name in ("RULE_DEFAULT", "RULE_DISCARD", "RULE_KEEP"):  # a trim rule's answers
        from .text import vocab

        return getattr(vocab, name)
    if name == "plot_loss":
        from .training.loss_curve import plot_loss

        return plot_loss
    if name == "load_word2vec_format":
        from .vectors.word_vectors import Vectors

        return Vectors.load_word2vec_format
    raise AttributeError(f"module 'embed' has no attribute {name!r}")
