"""Text to tokens: one compiled regular expression, optional lowercasing."""

from __future__ import annotations

import re

from ..errors import EmbedError

DEFAULT_PATTERN = r"[^\W\d_]+"  # runs of Unicode letters: "Côte d'Ivoire" -> côte, d, ivoire
# Text of only a-z and blanks (text8 and its kind) tokenises under the default pattern
# exactly as str.split() does, which is 3.5 times faster than the regular expression.
_NOT_PLAIN = re.compile(r"[^a-z\s]")


class Tokenizer:
    """Split text into tokens.

    >>> Tokenizer().tokens("Paris is the capital of France; 2 million live there.")
    ['paris', 'is', 'the', 'capital', 'of', 'france', 'million', 'live', 'there']
    >>> Tokenizer(pattern=r"\\S+", lowercase=False).tokens("New-York 2x")
    ['New-York', '2x']
    """

    def __init__(self, pattern: str = DEFAULT_PATTERN, lowercase: bool = True, max_token_length: int = 100) -> None:
        self.pattern = pattern
        self.lowercase = lowercase
        self.max_token_length = max_token_length
        try:
            self._findall = re.compile(pattern).findall
        except re.error as error:
            raise EmbedError(f"token_pattern {pattern!r} is not a valid regular expression: {error}") from None

    def tokens(self, text: str, report=None) -> list[str]:
        """The tokens of ``text``; ones longer than ``max_token_length`` are cut to it
        (word2vec caps words at 100 bytes) and counted in ``report`` when one is given."""
        if self.lowercase:
            text = text.lower()
        if self.pattern == DEFAULT_PATTERN and not _NOT_PLAIN.search(text):
            found = text.split()
        else:
            found = self._findall(text)
        cap = self.max_token_length
        if found and len(max(found, key=len)) > cap:
            if report is not None:
                report.truncated_tokens += sum(len(t) > cap for t in found)
            found = [t[:cap] for t in found]
        return found

    def __repr__(self) -> str:
        return f"Tokenizer(pattern={self.pattern!r}, lowercase={self.lowercase}, max_token_length={self.max_token_length})"
