"""How much memory there is, checked before a large allocation so that a setting or a
file header that asks for too much is one clear line, not a MemoryError or the OOM killer."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

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
        raise EmbedError(f"{what} needs {gigabytes(needed)} GB of memory; {gigabytes(available)} GB are available")


def gigabytes(count: int) -> str:
    """``count`` bytes in GB, to two significant figures below 0.1 GB.

    >>> gigabytes(2_345_000_000), gigabytes(61_000_000)
    ('2.3', '0.061')
    """
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


_MADV_DONTNEED = 4  # Linux's madvise advice


def release_compiler_pages() -> int:
    """Unmap the pages of LLVM's shared library (llvmlite) that loading the kernels
    touched; returns the bytes released.

    Loading jitted code, even from Numba's cache, runs LLVM, and the pages of its
    178 MB library that it runs stay mapped into the process: 68 MB of a training
    run's 253 MB peak resident memory on wiki2015-17m, counted as the process's own
    although nothing trains with them. Once the kernels are loaded they are not needed
    until something compiles again, and then they come back from the page cache. Only
    pages the process never wrote are released (read-only, none copied on write: those
    hold the file's bytes, so unmapping loses nothing); a mapping that holds written
    pages, such as the library's relocated data, is left alone. Linux only; elsewhere,
    and where anything fails, it does nothing and returns 0.
    """
    import ctypes
    import platform

    if platform.system() != "Linux":
        return 0
    try:
        with open("/proc/self/smaps") as smaps:
            regions = _clean_library_regions(smaps, "libllvmlite")
        madvise = ctypes.CDLL(None, use_errno=True).madvise
        madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    except (OSError, AttributeError, ValueError):
        return 0
    released = 0
    for start, end, resident in regions:
        if madvise(start, end - start, _MADV_DONTNEED) == 0:
            released += resident
    return released


def library_resident_bytes(library: str = "libllvmlite") -> int:
    """Bytes of the shared library ``library`` resident in this process (Linux; 0
    elsewhere).

    >>> library_resident_bytes("no-such-library")
    0
    """
    try:
        with open("/proc/self/smaps") as smaps:
            return sum(mapping[3] for mapping in _library_mappings(smaps, library))
    except OSError:
        return 0


def _clean_library_regions(smaps: Iterable[str], library: str) -> list[tuple[int, int, int]]:
    """(start, end, resident bytes) of the read-only private mappings of ``library``
    that hold no page written by the process, from the lines of /proc/self/smaps."""
    return [(start, end, resident) for permissions, start, end, resident, written in _library_mappings(smaps, library)
            if permissions in ("r--p", "r-xp") and not written]


def _library_mappings(smaps: Iterable[str], library: str) -> Iterator[tuple[str, int, int, int, bool]]:
    """(permissions, start, end, resident bytes, whether any page was written) of each
    mapping of ``library``, from the lines of /proc/self/smaps."""
    current = None
    for line in smaps:
        fields = line.split()
        if not fields[0].endswith(":"):  # a mapping's header: range, permissions, offset, device, inode, path
            if current is not None:
                yield tuple(current)
            start, end = (int(bound, 16) for bound in fields[0].split("-"))
            current = [fields[1], start, end, 0, False] if len(fields) > 5 and library in fields[5] else None
        elif current is not None:
            if fields[0] == "Rss:":
                current[3] = int(fields[1]) * 1024
            elif fields[0] in ("Private_Dirty:", "Anonymous:") and int(fields[1]):
                current[4] = True
    if current is not None:
        yield tuple(current)
