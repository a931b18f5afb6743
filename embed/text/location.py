"""Where a corpus file lives: a local path, or a URL that fsspec can open (``s3://``,
``gs://``, ``hdfs://``, ``https://``, ``file://`` ...), so that workers on other
machines can read their shards from object storage as well as from a shared disk.

Local paths go straight to ``os``; only a URL loads fsspec, and the package for its
protocol (s3fs for ``s3://``) must be installed where the file is read: on a cluster,
on every worker.
"""

from __future__ import annotations

import glob as _glob
import io
import os
import re
from typing import BinaryIO

from ..errors import EmbedError, described

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def file_path(path: object) -> str:
    """``path`` as a str, from a str or an ``os.PathLike``; anything else is one line.
    ``open`` takes a number as a file descriptor (``Vectors.load(5)`` read, then closed,
    whatever file the process held as 5), and None and bytes failed deep in ``os``.

    >>> file_path("v.bin")
    'v.bin'
    >>> file_path(None)
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: a file's path must be a str or an os.PathLike, got NoneType None
    """
    name = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(name, str):
        raise EmbedError(f"a file's path must be a str or an os.PathLike, got {described(path)}")
    return name


def is_url(path: str | os.PathLike) -> bool:
    """Whether ``path`` names its file by a protocol.

    >>> is_url("s3://bucket/corpus.txt.gz"), is_url("corpus/part-1.txt")
    (True, False)
    """
    return isinstance(path, str) and _URL.match(path) is not None


def _filesystem(url: str):
    """(fsspec filesystem, path on it), or one line saying what is missing."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise EmbedError(f"{url}: reading a URL needs fsspec: pip install fsspec (it comes with "
                         "'embed[dask]')") from None
    protocol = url.split("://", 1)[0]
    try:
        return url_to_fs(url)
    except (ImportError, ValueError) as error:  # fsspec: "Install s3fs to access S3", "Protocol not known"
        raise EmbedError(f"{url}: cannot read {protocol}:// URLs here: {error}") from None


def exists(path: str) -> bool:
    if not is_url(path):
        return os.path.exists(path)
    fs, inner = _filesystem(path)
    return fs.exists(inner)


def isdir(path: str) -> bool:
    if not is_url(path):
        return os.path.isdir(path)
    fs, inner = _filesystem(path)
    return fs.isdir(inner)


def getsize(path: str) -> int:
    if not is_url(path):
        return os.path.getsize(path)
    fs, inner = _filesystem(path)
    return int(fs.size(inner))


def files_in(folder: str) -> list[str]:
    """A folder's files, sorted by name, hidden ones left out."""
    if not is_url(folder):
        return sorted(os.path.join(folder, name) for name in os.listdir(folder)
                      if not name.startswith(".") and os.path.isfile(os.path.join(folder, name)))
    fs, inner = _filesystem(folder)
    found = [entry["name"] for entry in fs.ls(inner, detail=True) if entry["type"] == "file"]
    return sorted(fs.unstrip_protocol(name) for name in found if not os.path.basename(name).startswith("."))


def matching(pattern: str) -> list[str]:
    """The files a glob pattern matches, sorted."""
    if not is_url(pattern):
        return sorted(p for p in _glob.glob(pattern) if os.path.isfile(p))
    fs, inner = _filesystem(pattern)
    return sorted(fs.unstrip_protocol(name) for name in fs.glob(inner) if fs.isfile(name))  # listed without it


def open_url(path: str) -> BinaryIO:
    """A URL's bytes as stored (compressed or not), buffered; OSError where it cannot be
    opened."""
    fs, inner = _filesystem(path)
    return io.BufferedReader(fs.open(inner, "rb"))
