"""A whole model to and from the native model file (``embed.vectors.native``): the
settings become a ``Config`` again, the words and counts a ``Vocabulary``."""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from ..errors import EmbedError
from ..text.vocab import Vocabulary
from ..vectors.native import ModelFile, read_model, write_model
from .config import Config


def save_model(path: str | os.PathLike, config: Config, vocab: Vocabulary, w_in: np.ndarray, w_out: np.ndarray,
               state: dict, velocity: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Write a model atomically; ``state`` is the training state, as JSON types, and
    ``velocity`` momentum's input and output velocities, where the run has them."""
    # The tokens the vocabulary stands for (after a count, those min_count left out too):
    # the frequency merge's factors read it, and a resumed run must compute them as the
    # run did.
    state = {**state, "corpus_tokens": vocab.corpus_tokens, "pruned_at": vocab.pruned_at}
    write_model(path, ModelFile(dataclasses.asdict(config), vocab.words, vocab.counts, w_in, w_out, state, velocity))


def load_model(path: str | os.PathLike) -> tuple[Config, Vocabulary, np.ndarray, np.ndarray, dict, tuple | None]:
    """(config, vocabulary, input vectors, output vectors, training state, momentum's
    velocities or None) of a model file.
    Settings that this version does not know are ignored; a bad value is an error
    naming the file."""
    parts = read_model(path)
    known = {f.name for f in dataclasses.fields(Config)}
    settings = {k: v for k, v in parts.settings.items() if k in known}
    settings.setdefault("full_merge_every", 1)  # a file from before it: every row merged every round
    if settings.get("cache_dir") not in (None, "none") and not os.path.isdir(settings["cache_dir"]):
        settings["cache_dir"] = None  # where the ids are kept does not change what is computed
    try:
        config = Config(**settings)
        vocab = Vocabulary(parts.words, parts.counts)
    except EmbedError as error:
        raise EmbedError(f"{os.fspath(path)}: damaged model file ({error})") from None
    vocab.corpus_tokens = parts.state.get("corpus_tokens") or _tokens_read(parts.state.get("reading"), vocab)
    vocab.pruned_at = parts.state.get("pruned_at", 0)
    return config, vocab, parts.w_in, parts.w_out, parts.state, parts.velocity


def _tokens_read(reading: dict | None, vocab: Vocabulary) -> int:
    """What a model file from before ``corpus_tokens`` was kept stood for: the count of
    its vocabulary pass, unless words were added since (then that count is the added
    text's alone, below the vocabulary's own: the vocabulary's is all there is)."""
    tokens = (reading or {}).get("tokens") or 0
    return tokens if tokens >= vocab.counts.sum() else vocab.corpus_tokens
