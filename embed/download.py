"""Corpora that ``embed download`` fetches: Matt Mahoney's text8, the corpus word2vec's
demos train on, into a cache folder, checked against its published size and SHA-256.

Only the standard library loads at import: the command line reads ``CORPORA`` to list
its choices, and ``embed --help`` should not wait for urllib or tqdm.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import NamedTuple

from .errors import EmbedError, is_whole, shown
from .text.location import file_path


class Corpus(NamedTuple):
    """Where a corpus comes from and how to recognise it."""

    url: str
    size: int  # of the archive, in bytes
    sha256: str  # of the archive
    member: str  # the file inside the zip that ``embed train`` reads


# text8.zip's size and SHA-256 are those TensorFlow's word2vec tutorial checks
# (tensorflow/examples/tutorials/word2vec/word2vec_basic.py); the host serves no HTTPS,
# so the checksum is all that vouches for the bytes.
CORPORA: dict[str, Corpus] = {
    "text8": Corpus(
        url="http://mattmahoney.net/dc/text8.zip",
        size=31_344_016,
        sha256="a6640522afe85d1963ad56c05b0ede0a0c000dddc9671758a6cc09b7a38e5232",
        member="text8",
    ),
}

_CHUNK = 1 << 16
_TIMEOUT = 60.0  # seconds without a byte before the connection counts as dropped
_USER_AGENT = "embed (word2vec corpus download)"


def cache_folder() -> Path:
    """The folder downloads go to: ``$EMBED_DATA`` if set, else ``$XDG_CACHE_HOME/embed``,
    else ``~/.cache/embed``.

    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"EMBED_DATA": "/srv/corpora"}):
    ...     print(cache_folder())
    /srv/corpora
    >>> with mock.patch.dict(os.environ, {"EMBED_DATA": "", "XDG_CACHE_HOME": "/var/cache"}):
    ...     print(cache_folder())
    /var/cache/embed
    """
    chosen = os.environ.get("EMBED_DATA")
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG specification says to ignore a relative path here.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "embed"


def download(name: str = "text8", folder: str | os.PathLike | None = None, *, url: str | None = None,
             sha256: str | None = None, size: int | None = None, progress: bool = True) -> str:
    """Download corpus ``name`` into ``folder`` (default: :func:`cache_folder`) and return
    the path of the file to train on, extracted from its zip.

    A corpus already there is returned at once, without the network. The archive is
    written to ``NAME.zip.part``: a dropped connection (or Ctrl-C) keeps it, and the next
    call resumes it with an HTTP Range request. The whole archive is checked against its
    size and SHA-256 (a mismatch removes it), then its file is extracted under a
    temporary name and renamed into place, and the archive is deleted. ``url``,
    ``sha256`` and ``size`` replace the table's values (a mirror, say).

    >>> download("text9")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: unknown corpus 'text9'; embed can download: text8
    """
    corpus = CORPORA.get(name) if isinstance(name, str) else None  # a list was "unhashable type"
    if corpus is None:
        raise EmbedError(f"unknown corpus {name!r}; embed can download: {', '.join(sorted(CORPORA))}")
    # Python's errors before, after the folder was made: urllib's "unknown url type", and
    # "'int' object has no attribute 'lower'".
    if url is not None and (not isinstance(url, str) or not re.match(r"https?://", url)):
        raise EmbedError(f"url must be an http:// or https:// address, got {shown(url, 80)}")
    if sha256 is not None and (not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256)):
        raise EmbedError(f"sha256 must be 64 hexadecimal digits, got {shown(sha256, 80)}")
    if size is not None and not is_whole(size):
        raise EmbedError(f"size must be a whole number of bytes >= 1, got {shown(size, 80)}")
    if folder is not None:
        folder = file_path(folder)
    url = url or corpus.url
    sha256 = (sha256 or corpus.sha256).lower()
    size = corpus.size if size is None else size
    folder = Path(folder) if folder is not None else cache_folder()
    target = folder / corpus.member
    if target.is_file():  # renamed into place only once whole
        return str(target)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EmbedError(f"{folder}: cannot create the download folder ({error.strerror or error})") from None
    from .vectors.atomic import claim_output  # here: embed.vectors loads numpy

    claim_output(target)  # two downloads appending to one .part would spoil it
    if target.is_file():  # another process finished it while this one waited
        return str(target)
    archive = folder / f"{name}.zip"
    if not archive.is_file():  # else a verified archive whose extraction failed
        part = folder / f"{name}.zip.part"
        _fetch(url, part, size, name, progress)
        _verify(part, url, size, sha256)
        os.replace(part, archive)
    else:
        _verify(archive, url, size, sha256)
    _extract(archive, corpus.member, target)
    with contextlib.suppress(OSError):
        archive.unlink()
    return str(target)


class _Dropped(Exception):
    """The connection ended before the body did."""


def _fetch(url: str, part: Path, size: int, name: str, progress: bool) -> None:
    """Bring ``part`` up to the whole file, resuming what it holds."""
    from tqdm import tqdm

    offset = part.stat().st_size if part.is_file() else 0
    if offset > size:  # longer than the file: it cannot be its beginning
        _remove(part)
        offset = 0
    if offset and offset == size:  # whole already; the checksum decides
        return
    response, offset = _request(url, offset, part)
    if response is None:
        return
    with response:
        length = response.headers.get("Content-Length", "")
        length = int(length) if length.isdigit() else None
        received = 0
        try:
            out = open(part, "ab" if offset else "wb")
        except OSError as error:
            _remove(part)
            raise _unwritable(part, error) from None
        try:
            with out, tqdm(total=size, initial=offset, unit="B", unit_scale=True, unit_divisor=1024, desc=name,
                           disable=not progress) as bar:
                for chunk in _chunks(response):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        except _Dropped as dropped:
            raise _dropped(url, part, size, str(dropped)) from None
        except OSError as error:  # reads raise _Dropped, so this is a write: a full disk, say
            _remove(part)
            raise _unwritable(part, error) from None
    # http.client ends a body cut short without an error: the count tells.
    if (length is not None and received < length) or (length is None and offset + received < size):
        raise _dropped(url, part, size, "the server closed the connection early")


def _request(url: str, offset: int, part: Path):
    """The response for the file from ``offset`` on, and the offset it starts at: 0
    where the server sends the whole file instead. (None, offset) where the server has
    nothing past ``offset``."""
    import http.client
    import urllib.error
    import urllib.request

    headers = {"User-Agent": _USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=_TIMEOUT)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 416 and offset:  # the .part may hold the whole file: the checksum decides
            return None, offset
        raise EmbedError(f"{url}: the server answered {error.code} {error.reason}{_kept(part)}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise EmbedError(f"{url}: cannot download it ({reason}){_kept(part)}") from None
    if offset and response.status == 206:
        found = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
        if found and int(found.group(1)) == offset:
            return response, offset
        response.close()  # a range other than the one asked for: take the whole file
        return _request(url, 0, part)
    return response, 0  # a server that ignores Range answers 200 with the whole file


def _chunks(response):
    """The body in chunks; a connection that fails raises _Dropped, so that only
    writes raise OSError."""
    import http.client

    while True:
        try:
            chunk = response.read(_CHUNK)
        except TimeoutError:
            raise _Dropped(f"no data for {_TIMEOUT:.0f} s") from None
        except (http.client.HTTPException, OSError) as error:
            raise _Dropped(getattr(error, "strerror", None) or str(error) or type(error).__name__) from None
        if not chunk:
            return
        yield chunk


def _verify(path: Path, url: str, size: int, sha256: str) -> None:
    """Remove ``path`` and fail unless it has the expected size and SHA-256."""
    import hashlib

    have = path.stat().st_size
    with open(path, "rb") as stream:
        got = hashlib.file_digest(stream, "sha256").hexdigest()
    if have != size or got != sha256:
        _remove(path)
        raise EmbedError(f"{url}: the download is not the expected file: expected {size:,} bytes with sha256 "
                         f"{sha256}, got {have:,} bytes with sha256 {got}; it was removed, and running the "
                         "command again downloads it afresh")


def _extract(archive: Path, member: str, target: Path) -> None:
    """Write ``member`` of ``archive`` to ``target`` through a temporary file beside it,
    so that ``target`` exists only whole."""
    import shutil
    import tempfile
    import zipfile
    import zlib

    folder = target.parent
    temporary = None
    try:
        with zipfile.ZipFile(archive) as zipped:
            try:
                source = zipped.open(member)
            except KeyError:
                raise EmbedError(f"{archive}: has no file {member!r} in it") from None
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{member}.", suffix=".tmp")
            with source, os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, _usual_mode())  # mkstemp makes 0600; a shared $EMBED_DATA wants the umask's
            os.replace(temporary, target)
            temporary = None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:  # possible only with a checksum given by hand
        _remove(archive)
        raise EmbedError(f"{archive}: cannot extract {member} ({error}); the archive was removed") from None
    except OSError as error:
        raise EmbedError(f"{folder}: cannot extract {member} from {archive.name} ({error.strerror or error}); "
                         f"{archive.name} is kept, and running the command again extracts it") from None
    finally:
        if temporary is not None:
            _remove(Path(temporary))


def _usual_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _kept(part: Path) -> str:
    """What the user should know about a partial download left for next time."""
    if part.is_file() and part.stat().st_size:
        return f"; the partial download is kept in {part}, and running the command again resumes it"
    return ""


def _dropped(url: str, part: Path, size: int, why: str) -> EmbedError:
    have = part.stat().st_size if part.is_file() else 0
    return EmbedError(f"{url}: the connection dropped after {have:,} of {size:,} bytes ({why}); the partial "
                      f"download is kept in {part}, and running the command again resumes it")


def _unwritable(part: Path, error: OSError) -> EmbedError:
    return EmbedError(f"{part.parent}: cannot write the download ({error.strerror or error}); the partial file "
                      "was removed")
