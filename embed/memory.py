"""How much memory there is, checked before a large allocation so that a setting or a
file header that asks for too much is one clear line, not a MemoryError or the OOM killer."""

from __future__ import annotations

import os

from .errors import EmbedError


def available_bytes() -> int | None:
    """Memory a new allocation can take without swapping: Linux's MemAvailable, else
    the physical memory; None where neither is known."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def check_fits(needed: int, what: str) -> None:
    """Refuse ``what`` when it needs more than the available memory.

    >>> check_fits(10**18, "a matrix of 10**18 bytes")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: a matrix of 10**18 bytes needs 1000000000.0 GB of memory; ... GB are available
    """
    available = available_bytes()
    if available is not None and needed > available:
        raise EmbedError(f"{what} needs {_gb(needed)} GB of memory; {_gb(available)} GB are available")


def _gb(count: int) -> str:
    return f"{count / 1e9:.1f}" if count >= 1e8 else f"{count / 1e9:.2g}"


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
_MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's starting value


def fix_malloc_threshold() -> bool:
    """Hold glibc's threshold for serving allocations from mmap at its starting 128 KiB.

    glibc raises that threshold whenever a large block is freed, after which blocks of
    that size come from per-thread heaps that fragment. Each epoch allocates and frees
    blocks of a few MB (the reader's blocks of ids, each piece's change to the private
    rows), and peak RSS then grew by 14 MB an epoch on wiki2015-17m (295 MB after one
    epoch of CBOW, 324 MB after three); with the threshold held it stays at 256 MB
    however many epochs, at the same speed. Setting it is glibc's documented tunable,
    as MALLOC_MMAP_THRESHOLD_ in the environment is. Returns whether it was set (not
    where the C library is not glibc).
    """
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False
