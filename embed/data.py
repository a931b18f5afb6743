"""Where the bundled corpora and evaluation sets are: installed beside the package's
environment (``share/embed/corpora``) or, in a source checkout, in ``corpora/``."""

from __future__ import annotations

import site
import sys
from pathlib import Path

from .errors import EmbedError

# What corpora/ holds, beside its licence notes.
BUNDLED = ("factbook.txt.xz", "questions-words.txt", "wordsim353.tsv", "simlex999.txt")


def bundled(name: str) -> str:
    """The path of a bundled file.

    >>> bundled("questions-words.txt").endswith("questions-words.txt")
    True
    """
    folders = [
        Path(__file__).resolve().parent.parent / "corpora",
        Path(sys.prefix) / "share" / "embed" / "corpora",
        Path(site.getuserbase()) / "share" / "embed" / "corpora",
    ]
    if name not in BUNDLED:  # a path out of the folder ("../README.md") was given out; None was a TypeError
        raise EmbedError(f"no bundled file {name!r}; embed bundles {', '.join(BUNDLED)}")
    for folder in folders:
        if (folder / name).is_file():
            return str(folder / name)
    raise EmbedError(f"bundled file {name!r} not found in {', '.join(map(str, folders))}; reinstall embed")
