"""Writing files so that a crash or Ctrl-C leaves the old file or the new one, never half of one."""

from __future__ import annotations

import atexit
import bz2
import contextlib
import gzip
import lzma
import os
import stat
import tempfile
from collections.abc import Iterator
from typing import IO

from ..errors import EmbedError
from ..text.location import file_path


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Write to a temporary file beside ``path``, fsync it, then rename it over ``path``.

    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_write(target, "w", encoding="utf-8") as f:
    ...     _ = f.write("done")
    >>> open(target).read()
    'done'
    """
    path = file_path(path)
    path = os.path.realpath(path) if os.path.islink(path) else path  # the link stays a link
    check_writable(path)
    folder = os.path.dirname(os.path.abspath(path))
    # A short prefix: the temporary name must fit where a 255-byte name fits.
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)[:40]}.", suffix=".tmp")
    try:
        os.chmod(temporary, _mode_for(path))  # mkstemp makes 0600; the user expects their usual mode
        with os.fdopen(fd, mode, encoding=encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError):  # a full disk, say: name the file the user asked for
            raise EmbedError(f"{path}: cannot write it ({error.strerror or error}); the file is as it was") from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def check_writable(path: str | os.PathLike, inputs: tuple = (), outputs: tuple = ()) -> None:
    """Refuse, before any long work, an output that ``atomic_write`` could not write or
    that would replace one of ``inputs``, or be replaced by another of the command's
    ``outputs``: an empty name, a missing or read-only folder, a directory, a read-only
    file, or the same file as an input or another output.

    >>> check_writable("")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: the output path is empty
    """
    path = file_path(path)
    if not path:
        raise EmbedError("the output path is empty")
    if os.path.islink(path):
        path = os.path.realpath(path)  # written through: the link's target is what changes
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path) and not os.path.isdir(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise EmbedError(f"{path}: is a device, pipe or socket, not a file; name a file to write")
    if len(os.fsencode(os.path.basename(path))) > 255:
        raise EmbedError(f"{path}: the file name is longer than 255 bytes")
    if not os.path.isdir(folder):
        raise EmbedError(f"{path}: folder {folder} does not exist")
    if os.path.isdir(path):
        raise EmbedError(f"{path}: is a directory; name a file to write")
    for source in inputs:
        if source is not None and os.path.exists(path) and os.path.exists(source) and os.path.samefile(path, source):
            raise EmbedError(f"{path}: is also an input ({os.fspath(source)}); writing it would replace it")
    for other in outputs:
        # By name as well: neither file exists yet (-o same.png --plot-loss same.png wrote
        # the plot over the vectors).
        if other is not None and (os.path.realpath(path) == os.path.realpath(other) or os.path.exists(path)
                                  and os.path.exists(other) and os.path.samefile(path, other)):
            raise EmbedError(f"{path}: two outputs of this command would be written here, the second over the "
                             "first: give each its own name")
    if os.path.exists(path) and not os.stat(path).st_mode & 0o222:  # the mode, which binds root too
        raise EmbedError(f"{path}: the file exists and is read-only; it is not replaced")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise EmbedError(f"{path}: folder {folder} is not writable")


def _mode_for(path: str) -> int:
    """The existing file's permissions, or those a new file gets under the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


_CLAIMS: dict[str, int] = {}  # output path -> the open lock file that holds it, for the process's life


def claim_output(path: str | os.PathLike) -> None:
    """Refuse ``path`` while another process holds it; hold it for the rest of this one.

    Two runs writing the same output would each rename their result over the other's,
    and the second's OUT.partial would replace the first's. The lock lives in the
    temporary folder, keyed by the output's real path, and the system releases it when
    the holder ends, however it ends. Where the temporary folder cannot hold it, nothing
    is claimed.

    >>> import tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "v.vec")
    >>> claim_output(out); claim_output(out)  # a process may claim its own output again
    """
    import fcntl
    import hashlib

    real = os.path.realpath(os.fspath(path))
    if real in _CLAIMS:
        return
    name = "embed-" + hashlib.sha1(real.encode("utf-8", "surrogateescape")).hexdigest()[:20] + ".lock"
    lock = os.path.join(tempfile.gettempdir(), name)
    while True:
        try:
            handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(handle)
            raise EmbedError(f"{os.fspath(path)}: another embed run (process {holder}) is writing it; wait for it "
                             "to finish or choose another output") from None
        # A holder that ended removes its lock file; one opened just before that is
        # not the lock any more: take the file that is there now.
        try:
            current = os.stat(lock)
        except OSError:
            current = None
        opened = os.fstat(handle)
        if current is not None and (current.st_dev, current.st_ino) == (opened.st_dev, opened.st_ino):
            break
        os.close(handle)
    os.ftruncate(handle, 0)
    os.pwrite(handle, str(os.getpid()).encode(), 0)
    _CLAIMS[real] = handle
    atexit.register(_release, lock, handle)


def _release(lock: str, handle: int) -> None:
    """Remove the lock file, then let go of the lock: the temporary folder keeps no
    file per output ever written (a killed process leaves its file, which the next
    claim takes over)."""
    with contextlib.suppress(OSError):
        os.unlink(lock)
    with contextlib.suppress(OSError):
        os.close(handle)


_COMPRESSORS = {
    ".gz": lambda raw: gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0),
    ".bz2": lambda raw: bz2.BZ2File(raw, "wb"),
    ".xz": lambda raw: lzma.LZMAFile(raw, "wb"),
}


def check_uncompressed(path: str | os.PathLike, what: str) -> None:
    """Refuse a name that asks for compression (.gz, .bz2, .xz) for a file that cannot be
    compressed, ``what`` saying why.

    >>> check_uncompressed("m.embed.gz", "a model file is a zip archive")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: m.embed.gz: a model file is a zip archive and cannot be compressed; name it without .gz
    """
    name = file_path(path)
    ending = os.path.splitext(name)[1]
    if ending.lower() in _COMPRESSORS:
        raise EmbedError(f"{name}: {what} and cannot be compressed; name it without {ending}")


@contextlib.contextmanager
def compressing(raw, path: str | os.PathLike):
    """``raw`` itself, or a compressor writing into it where the name asks for one
    (.gz, .bz2, .xz): ``with atomic_write(path, "wb") as raw, compressing(raw, path) as out``."""
    make = _COMPRESSORS.get(os.path.splitext(os.fspath(path))[1].lower())
    if make is None:
        yield raw
        return
    with make(raw) as stream:
        yield stream
