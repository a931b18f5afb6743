"""The native model file: everything needed to query a model or train it further.

A zip of NumPy arrays (``numpy.savez``, read without pickle) holding the format name and
version, the config, the vocabulary with counts, both weight matrices and the training
state (epochs done, chunks done, which fixes the random draws to come, and the
per-epoch history). A file from a newer version is refused with a message saying so.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import zipfile

import numpy as np

from .atomic import atomic_write
from .config import Config
from .corpus import open_binary
from .errors import EmbedError
from .vocab import Vocabulary

FORMAT = "embed-model"
VERSION = 1


def is_model_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a native model file (a zip that names this format)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "format.npy" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def write_model(path, config: Config, vocab: Vocabulary, w_in, w_out, state: dict) -> None:
    arrays = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION),
        "config": np.array(json.dumps(dataclasses.asdict(config))),
        "words": np.array(json.dumps(vocab.words, ensure_ascii=False)),
        "counts": vocab.counts,
        "w_in": w_in,
        "w_out": w_out,
        "state": np.array(json.dumps(state)),
    }
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with atomic_write(path, "wb") as stream:
        stream.write(buffer.getbuffer())


def read_model(path) -> tuple[Config, Vocabulary, np.ndarray, np.ndarray, dict]:
    path = os.fspath(path)
    open_binary(path).close()  # missing file, directory: the usual messages
    if not zipfile.is_zipfile(path):  # else np.load would try pickle and talk about that
        raise EmbedError(
            f"{path}: damaged or not an embed model file (not a zip archive; "
            "models are written by Word2Vec.save or `embed train -o MODEL.embed`)"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            if "format" not in data.files or str(data["format"]) != FORMAT:
                raise EmbedError(f"{path}: not an embed model file")
            version = int(data["version"])
            if version > VERSION:
                raise EmbedError(
                    f"{path}: model file version {version} is newer than this embed reads ({VERSION}); upgrade embed"
                )
            fields = json.loads(str(data["config"]))
            known = {f.name for f in dataclasses.fields(Config)}
            config = Config(**{k: v for k, v in fields.items() if k in known})
            vocab = Vocabulary(json.loads(str(data["words"])), data["counts"])
            w_in, w_out = data["w_in"], data["w_out"]
            state = json.loads(str(data["state"]))
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError, OSError) as error:
        if isinstance(error, EmbedError):
            raise
        raise EmbedError(f"{path}: damaged or not an embed model file ({error})") from None
    expected = (len(vocab), config.dim)
    if w_in.shape != expected or w_out.shape != expected:
        raise EmbedError(f"{path}: weight matrices {w_in.shape} and {w_out.shape} do not match {expected}")
    return config, vocab, np.ascontiguousarray(w_in, np.float32), np.ascontiguousarray(w_out, np.float32), state
