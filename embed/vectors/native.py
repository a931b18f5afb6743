"""The native model file: everything needed to query a model or train it further.

A zip of NumPy arrays (``numpy.savez``, read without pickle) holding the format name and
version, the settings, the vocabulary with counts, both weight matrices and the training
state (epochs done, chunks done, which fixes the random draws to come, and the
per-epoch history). A file from a newer version is refused with a message saying so.

This module knows the file's layout, not what the settings and state mean: queries read
the words and input vectors from it without loading the trainer
(``embed.training.model_file`` turns the rest back into a model).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import NamedTuple

import numpy as np

from ..errors import EmbedError
from ..text.corpus import open_binary
from ..text.location import file_path
from ..text.vocab import first_bad_word
from .atomic import atomic_write
from .formats import check_named

FORMAT = "embed-model"
VERSION = 1


class ModelFile(NamedTuple):
    settings: dict  # the Config's fields
    words: list[str]
    counts: np.ndarray
    w_in: np.ndarray
    w_out: np.ndarray
    state: dict
    velocity: tuple[np.ndarray, np.ndarray] | None = None  # momentum's, input and output (full softmax)


def is_model_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a native model file (a zip that names this format), or is
    meant to be one: a zip cut short or damaged, which ``read_model`` calls damaged.
    (Read as word2vec's text instead, a cut model was "not valid UTF-8".)"""
    path = file_path(path)  # open() would take a number as a file descriptor, and close it
    try:
        with zipfile.ZipFile(path) as archive:
            return "format.npy" in archive.namelist()
    except zipfile.BadZipFile:
        return _starts_as_zip(path)
    except OSError:
        return False


def _starts_as_zip(path: str | os.PathLike) -> bool:
    try:
        with open(path, "rb") as stream:
            return stream.read(4) == b"PK\x03\x04"  # a zip's first local file header
    except OSError:
        return False


def write_model(path: str | os.PathLike, model: ModelFile) -> None:
    """Write ``model`` to ``path`` atomically."""
    check_named(path, "model")  # a zip named .gz, or .bin, which no reader would take
    arrays = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION),
        "config": np.array(json.dumps(model.settings)),
        "words": np.array(json.dumps(model.words, ensure_ascii=False)),
        "counts": np.asarray(model.counts, dtype=np.int64),
        "w_in": model.w_in,
        "w_out": model.w_out,
        "state": np.array(json.dumps(model.state)),
    }
    if model.velocity is not None:
        arrays["velocity_in"], arrays["velocity_out"] = model.velocity
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with atomic_write(path, "wb") as stream:
        stream.write(buffer.getbuffer())


def read_model(path: str | os.PathLike) -> ModelFile:
    """The parts of a model file, checked for damage and for matching shapes."""
    path = file_path(path)
    open_binary(path).close()  # missing file, directory: the usual messages
    if not zipfile.is_zipfile(path):  # else np.load would try pickle and talk about that
        what = ("a zip archive cut short or damaged: its directory at the end is missing" if _starts_as_zip(path)
                else "not a zip archive")
        raise EmbedError(
            f"{path}: damaged or not an embed model file ({what}; "
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
            settings = json.loads(str(data["config"]))
            words = json.loads(str(data["words"]))
            counts = np.asarray(data["counts"], dtype=np.int64)
            w_in, w_out = data["w_in"], data["w_out"]
            state = json.loads(str(data["state"]))
            velocity = (data["velocity_in"], data["velocity_out"]) if "velocity_in" in data.files else None
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError, OSError) as error:
        if isinstance(error, EmbedError):
            raise
        raise EmbedError(f"{path}: damaged or not an embed model file ({error})") from None
    if (not isinstance(settings, dict) or not isinstance(words, list) or len(counts) != len(words)
            or not isinstance(state, dict) or first_bad_word(words) >= 0):
        raise EmbedError(f"{path}: damaged or not an embed model file (settings, vocabulary or state unreadable)")
    expected = (len(words), settings.get("dim"))
    shapes = [w_in.shape, w_out.shape] + ([v.shape for v in velocity] if velocity is not None else [])
    if any(shape != expected for shape in shapes):
        raise EmbedError(f"{path}: weight matrices {' and '.join(map(str, shapes))} do not match {expected}")
    if velocity is not None:
        velocity = tuple(np.ascontiguousarray(v, np.float32) for v in velocity)
    return ModelFile(settings, words, counts, np.ascontiguousarray(w_in, np.float32),
                     np.ascontiguousarray(w_out, np.float32), state, velocity)
