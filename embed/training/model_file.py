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
    write_model(path, ModelFile(dataclasses.asdict(config), vocab.words, vocab.counts, w_in, w_out, state, velocity))


def load_model(path: str | os.PathLike) -> tuple[Config, Vocabulary, np.ndarray, np.ndarray, dict, tuple | None]:
    """(config, vocabulary, input vectors, output vectors, training state, momentum's
    velocities or None) of a model file.
    Settings that this version does not know are ignored; a bad value is an error
    naming the file."""
    parts = read_model(path)
    known = {f.name for f in dataclasses.fields(Config)}
    settings = {k: v for k, v in parts.settings.items() if k in known}
    if settings.get("cache_dir") not in (None, "none") and not os.path.isdir(settings["cache_dir"]):
        settings["cache_dir"] = None  # where the ids are kept does not change what is computed
    try:
        config = Config(**settings)
        vocab = Vocabulary(parts.words, parts.counts)
    except EmbedError as error:
        raise EmbedError(f"{os.fspath(path)}: damaged model file ({error})") from None
    return config, vocab, parts.w_in, parts.w_out, parts.state, parts.velocity
