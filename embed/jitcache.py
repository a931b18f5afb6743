"""Numba's on-disk cache, keyed on the sources of every jitted module of embed.

Numba keys a cached function on its own source file. But a driver such as
``embed.kernels.skipgram`` compiles in code from other files: the losses, the vector
primitives and the random draws it inlines or calls. Keyed on its own file, it would
load its old machine code after one of those files changed, and run the old kernel.
Here every jitted function of embed is keyed on one hash of all those files, so a
change to any of them recompiles them all (30-45 s per architecture on the project's
2-core machine, once).

Each jitted module imports this module before its first ``@njit(cache=True)``: the
cache locator is chosen when a function is decorated.
"""

from __future__ import annotations

import hashlib
import os

from numba.core import caching

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
# Every module that holds jitted code: the kernels, and the text stage's random draws,
# windows and plain-text encoder, which the kernels inline or which run jitted.
JITTED_FOLDERS = ("kernels",)
JITTED_FILES = (os.path.join("text", "rng.py"), os.path.join("text", "windows.py"),
                os.path.join("text", "plaintext.py"), os.path.join("text", "phrase_counts.py"))


def jitted_sources() -> list[str]:
    """The files whose contents key the cache, relative to the package, sorted."""
    found = list(JITTED_FILES)
    for folder in JITTED_FOLDERS:
        found += [os.path.join(folder, name) for name in os.listdir(os.path.join(_PACKAGE, folder))
                  if name.endswith(".py")]
    return sorted(found)


def sources_stamp() -> str:
    """A hash of the contents of ``jitted_sources()`` (and of their names)."""
    digest = hashlib.sha256()
    for name in jitted_sources():
        digest.update(name.encode() + b"\0")
        with open(os.path.join(_PACKAGE, name), "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()


SOURCES_STAMP = sources_stamp()
_KEYED = frozenset(os.path.join(_PACKAGE, name) for name in jitted_sources())


def _numba_class(name: str):
    # Numba 0.61 dropped the underscore from these names.
    return getattr(caching, name, None) or getattr(caching, "_" + name)


class _KeyedOnEmbedSources:
    """A mixin for Numba's locators: the same cache folders, but the source stamp of
    a jitted embed function is the hash of all of embed's jitted sources."""

    def get_source_stamp(self):
        return SOURCES_STAMP

    @classmethod
    def from_function(cls, py_func, py_file):
        if os.path.abspath(py_file) not in _KEYED:
            return None
        return super().from_function(py_func, py_file)


class UserProvidedLocator(_KeyedOnEmbedSources, _numba_class("UserProvidedCacheLocator")):
    """NUMBA_CACHE_DIR, where the user set it."""


class InTreeLocator(_KeyedOnEmbedSources, _numba_class("InTreeCacheLocator")):
    """``__pycache__`` beside the source, where it is writable."""


class UserWideLocator(_KeyedOnEmbedSources, _numba_class("UserWideCacheLocator")):
    """The user's cache folder, where the package's folder is read-only."""


_LOCATORS = [UserProvidedLocator, InTreeLocator, UserWideLocator]
_impl = _numba_class("CacheImpl")
if _impl._locator_classes[: len(_LOCATORS)] != _LOCATORS:
    _impl._locator_classes[:0] = _LOCATORS
