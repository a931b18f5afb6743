"""Files for the TensorBoard Embedding Projector (and projector.tensorflow.org).

The folder that ``write_projector`` fills holds ``tensors.tsv``, ``metadata.tsv`` and
``projector_config.pbtxt``. ``tensorboard --logdir FOLDER`` shows it under "Projector";
on projector.tensorflow.org, "Load" takes the two ``.tsv`` files.

>>> import tempfile, numpy as np
>>> folder = tempfile.mkdtemp()
>>> [os.path.basename(p) for p in write_projector(folder, ["a", "b"], np.eye(2, dtype=np.float32))]
['tensors.tsv', 'metadata.tsv', 'projector_config.pbtxt']
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence

import numpy as np

from ..errors import EmbedError
from .atomic import atomic_write, check_writable
from .formats import check_finite, check_limit

TENSORS = "tensors.tsv"
METADATA = "metadata.tsv"
CONFIG = "projector_config.pbtxt"
TENSOR_NAME = "word_vectors"

# About a million numbers (some 12 MB of text) per write, whatever the dimension.
_VALUES_PER_BLOCK = 1 << 20

# What breaks a metadata row: the projector splits rows at \n and columns at \t (a tab in
# the first row even turns it into a header), Python readers of the file also split at \r,
# and the backslash is escaped so that every label reads back to exactly one word.
_BREAKING = re.compile(r"[\\\t\n\r]")
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
# The projector drops a row that JavaScript's trim() leaves empty (its white space, and the
# byte-order mark), which would shift every later label onto the wrong point.
_BLANK = re.compile(r"[\s\ufeff]*")


def metadata_label(word: str) -> str:
    r"""The word as one row of ``metadata.tsv``: a backslash, tab, newline or carriage
    return is written ``\\``, ``\t``, ``\n``, ``\r``, and a word of white space only is
    written as escapes (``\x20``, ``\u3000``), so no word can break or drop a row.

    >>> print(metadata_label("new\tyork"), metadata_label("a\\b"), metadata_label(" "))
    new\tyork a\\b \x20
    """
    label = _BREAKING.sub(lambda match: _ESCAPES[match.group()], word)
    if _BLANK.fullmatch(label):
        label = word.encode("unicode_escape").decode("ascii")  # a space has no escape of its own there
        label = "".join(f"\\x{ord(c):02x}" if c == " " else c for c in label)
    return label


def write_projector(
    folder: str | os.PathLike, words: Sequence[str], vectors: np.ndarray, limit: int | None = None
) -> list[str]:
    r"""Write ``words`` and their ``vectors`` into ``folder`` (created if missing) for the
    Embedding Projector, and return the three paths written.

    - ``tensors.tsv``: one row per word, its numbers as float32 written with 9 significant
      digits, which read back to the same float32 bits, separated by tabs;
    - ``metadata.tsv``: one word per line, no header line (the projector reads a file of
      one column so). A word holding a tab, newline, carriage return or backslash is
      escaped (``\t``, ``\n``, ``\r``, ``\\``) and a word of white space only is written as
      escapes (``\x20``), so that no word breaks the rows' alignment with the tensors;
    - ``projector_config.pbtxt``: names the two files relative to the folder, so the
      folder can be moved or copied as a whole.

    ``limit`` keeps the first ``limit`` words (the most frequent, as vector files are
    ordered): a browser handles some hundred thousand points, not millions. The files
    are written in blocks, and all three are replaced together, only once each has been
    written in full; a failure leaves the folder as it was.

    >>> import tempfile, numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> paths = write_projector(folder, ["the", "new\tyork"], np.array([[0.5, -1], [0.1, 2]]))
    >>> open(paths[0]).read().splitlines(), open(paths[1]).read().splitlines()
    (['0.5\t-1', '0.100000001\t2'], ['the', 'new\\tyork'])
    """
    folder = os.fspath(folder)
    words = list(words)
    vectors = np.asarray(vectors)
    check_limit(limit)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise EmbedError(f"expected a {len(words)} x d matrix for {len(words)} words, got shape {vectors.shape}")
    if limit is not None:
        words, vectors = words[:limit], vectors[:limit]
    vectors = vectors.astype(np.float32, copy=False)  # after the limit: a float64 matrix is not copied whole
    _check_content(folder, words, vectors)
    paths = [os.path.join(folder, name) for name in (TENSORS, METADATA, CONFIG)]
    _make_folder(folder)
    for path in paths:  # all three before writing any
        check_writable(path)
    writers = {paths[0]: lambda stream: _write_tensors(stream, vectors),
               paths[1]: lambda stream: _write_metadata(stream, words),
               paths[2]: lambda stream: stream.write(_config_text().encode("ascii"))}
    with contextlib.ExitStack() as stack:
        # Nested, so that none is renamed into place before all three are written (and
        # the config, entered first, is renamed last: it never names a missing file).
        streams = {path: stack.enter_context(atomic_write(path, "wb")) for path in reversed(paths)}
        for path in paths:
            stream = streams[path]
            try:
                writers[path](stream)
                stream.flush()  # now, so that what is left to do on leaving is the renames
                os.fsync(stream.fileno())
            except OSError as error:  # named here: the innermost atomic_write would name its own file
                raise EmbedError(f"{path}: cannot write it ({error.strerror or error}); "
                                 f"the folder is as it was") from None
    return paths


def _check_content(folder: str, words: list[str], vectors: np.ndarray) -> None:
    """Refuse what the projector would show wrongly or not at all, before any file is touched."""
    if not words:
        raise EmbedError(f"{folder}: no words to write")
    if vectors.shape[1] < 2:
        raise EmbedError(f"the projector needs vectors of at least 2 dimensions, these have {vectors.shape[1]}")
    for i, word in enumerate(words):
        if not isinstance(word, str):
            raise EmbedError(f"words are strings, got {word!r} (word {i})")
        if not word:
            raise EmbedError(f"word {i} is empty; the projector cannot show an empty label")
    check_finite(folder, words, vectors)  # "nan" would be read as a label, shifting the row


def _make_folder(folder: str) -> None:
    if not folder:
        raise EmbedError("the output folder path is empty")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise EmbedError(f"{folder}: is a file, not a folder; name a folder for the projector's files")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise EmbedError(f"{folder}: cannot create the output folder: {error.strerror or error}") from None


def _write_tensors(stream, vectors: np.ndarray) -> None:
    dim = vectors.shape[1]
    row = "\t".join(["%.9g"] * dim) + "\n"  # one C-level format per row, not one call per number
    step = max(1, _VALUES_PER_BLOCK // dim)
    for start in range(0, len(vectors), step):
        block = vectors[start : start + step].tolist()  # Python floats: exact copies of the float32 values
        stream.write("".join(row % tuple(values) for values in block).encode("ascii"))


def _write_metadata(stream, words: list[str]) -> None:
    step = _VALUES_PER_BLOCK // 8
    for start in range(0, len(words), step):
        text = "".join(metadata_label(word) + "\n" for word in words[start : start + step])
        # A lone surrogate (a word read with surrogateescape) cannot be UTF-8: write it \udcxx.
        stream.write(text.encode("utf-8", "backslashreplace"))


def _config_text() -> str:
    # Paths relative to the config file: TensorBoard resolves them against its folder.
    return (
        "embeddings {\n"
        f'  tensor_name: "{TENSOR_NAME}"\n'
        f'  tensor_path: "{TENSORS}"\n'
        f'  metadata_path: "{METADATA}"\n'
        "}\n"
    )
