"""Text to tokens: one compiled regular expression, optional lowercasing."""

from __future__ import annotations

import re

DEFAULT_PATTERN = r"[^\W\d_]+"  # runs of Unicode letters: "Côte d'Ivoire" -> côte, d, ivoire


class Tokenizer:
    """Split text into tokens.

    >>> Tokenizer().tokens("Paris is the capital of France; 2 million live there.")
    ['paris', 'is', 'the', 'capital', 'of', 'france', 'million', 'live', 'there']
    >>> Tokenizer(pattern=r"\\S+", lowercase=False).tokens("New-York 2x")
    ['New-York', '2x']
    """

    def __init__(self, pattern: str = DEFAULT_PATTERN, lowercase: bool = True) -> None:
        self.pattern = pattern
        self.lowercase = lowercase
        self._findall = re.compile(pattern).findall

    def tokens(self, text: str) -> list[str]:
        return self._findall(text.lower() if self.lowercase else text)

    def __repr__(self) -> str:
        return f"Tokenizer(pattern={self.pattern!r}, lowercase={self.lowercase})"
