"""Where the bundled corpora and evaluation sets are: installed beside the package's
environment (``share/embed/corpora``) or, in a source checkout, in ``corpora/``."""

from __future__ import annotations

import site
import sys
from pathlib import Path

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
    for folder in folders:
        if (folder / name).is_file():
            return str(folder / name)
    raise FileNotFoundError(f"bundled file {name!r} not found in {', '.join(map(str, folders))}; reinstall embed")
