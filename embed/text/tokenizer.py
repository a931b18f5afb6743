"""Text to tokens: Unicode NFC, optional lowercasing, one compiled regular expression."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

from ..errors import EmbedError, shown

DEFAULT_PATTERN = r"[^\W\d_]+"  # runs of Unicode letters: "Côte d'Ivoire" -> côte, d, ivoire
# Text of only a-z and blanks (text8 and its kind) tokenises under the default pattern
# exactly as str.split() does, which is 3.5 times faster than the regular expression.
_NOT_PLAIN = re.compile(r"[^a-z\s]")
_LETTERS = re.compile(DEFAULT_PATTERN)  # for ASCII text, which has no combining marks


@functools.cache
def _letters_and_marks() -> re.Pattern:
    """DEFAULT_PATTERN with combining marks (categories Mn, Mc, Me) taken in, since
    Python's ``re`` has no ``\\p{M}``: without them Hindi हिन्दी, Tamil, Thai and Arabic
    with diacritics fall apart at every vowel sign or virama. Built on first use (0.1 s,
    never for plain ASCII text) from the Unicode tables Python ships."""
    category = unicodedata.category
    ranges = []
    # Every mark lies below U+20000 or among plane 14's variation selectors.
    for block in (range(0x300, 0x20000), range(0xE0100, 0xE01F0)):
        start = None
        for code in [*block, block.stop]:
            is_mark = code < block.stop and category(chr(code))[0] == "M"
            if is_mark and start is None:
                start = code
            elif not is_mark and start is not None:
                ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
                start = None
    return re.compile(rf"(?:[^\W\d_]|[{''.join(ranges)}])+")


class Tokenizer:
    """Split text into tokens.

    Text is put in Unicode's composed form (NFC) first, so "résumé" typed with
    combining accents and with precomposed letters is one word. The default pattern
    takes runs of letters with their combining marks. Languages written without spaces
    (Chinese, Japanese, Thai) cannot be split by a pattern: segment them first and pass
    the text with ``token_pattern=r"\\S+"``, or give ``Word2Vec`` a tokenizer function.

    >>> Tokenizer().tokens("Paris is the capital of France; 2 million live there.")
    ['paris', 'is', 'the', 'capital', 'of', 'france', 'million', 'live', 'there']
    >>> Tokenizer(pattern=r"\\S+", lowercase=False).tokens("New-York 2x")
    ['New-York', '2x']
    >>> Tokenizer().tokens("हिन्दी भाषा")
    ['हिन्दी', 'भाषा']
    """

    def __init__(self, pattern: str = DEFAULT_PATTERN, lowercase: bool = True, max_token_length: int = 100) -> None:
        self.pattern = pattern
        self.lowercase = lowercase
        self.max_token_length = max_token_length
        try:
            self._finditer = None if pattern == DEFAULT_PATTERN else re.compile(pattern).finditer
        except re.error as error:
            raise EmbedError(f"token_pattern {pattern!r} is not a valid regular expression: {error}") from None

    def tokens(self, text: str, report=None) -> list[str]:
        """The tokens of ``text``, cut to ``max_token_length`` characters."""
        if self.lowercase:
            text = text.lower()
        ascii = text.isascii()
        if not ascii:
            text = unicodedata.normalize("NFC", text)
        if self._finditer is None:
            if not _NOT_PLAIN.search(text):
                found = text.split()
            else:  # the pattern with marks is 2.5-5 times slower: only where marks can be
                found = (_LETTERS if ascii else _letters_and_marks()).findall(text)
        else:  # whole matches, whatever groups the pattern has; an empty match is no token
            found = [token for match in self._finditer(text) if (token := match.group())]
        return _capped(found, self.max_token_length, report)

    def __repr__(self) -> str:
        return f"Tokenizer(pattern={self.pattern!r}, lowercase={self.lowercase}, max_token_length={self.max_token_length})"


def check_tokenizer(split: object) -> Callable[[str], list[str]]:
    """``split``, where it is a function (a line of text to its tokens); else one line."""
    if not callable(split):
        raise EmbedError(f"tokenizer must be a function from a line of text to a list of tokens, got {shown(split, 80)}")
    return split


class FunctionTokenizer(Tokenizer):
    """A user's function from a line of text to its tokens (a Chinese segmenter, say),
    with embed's cap on token length.

    >>> FunctionTokenizer(lambda line: line.split("|")).tokens("北京|是|首都")
    ['北京', '是', '首都']
    """

    def __init__(self, split: Callable[[str], list[str]], max_token_length: int = 100) -> None:
        self.split = check_tokenizer(split)
        self.pattern = None
        self.lowercase = False
        self.max_token_length = max_token_length

    def tokens(self, text: str, report=None) -> list[str]:
        found = self.split(text)
        if isinstance(found, (str, bytes)) or not isinstance(found, Iterable):
            raise EmbedError(f"the tokenizer {self.split!r} must return a list of strings, got {shown(found, 80)}")
        # Held first: a generator (jieba.cut gives one) was read up by the check, and every
        # sentence came out empty.
        found = list(found)
        if not all(isinstance(token, str) for token in found):
            raise EmbedError(f"the tokenizer {self.split!r} must return a list of strings, got {shown(found, 80)}")
        return _capped([token for token in found if token and not token.isspace()], self.max_token_length, report)

    def __repr__(self) -> str:
        return f"FunctionTokenizer({self.split!r})"


def _capped(found: list[str], cap: int, report) -> list[str]:
    """Tokens longer than ``cap`` cut to it (word2vec caps words at 100 bytes), counted
    in ``report`` when one is given."""
    if found and len(max(found, key=len)) > cap:
        if report is not None:
            report.truncated_tokens += sum(len(t) > cap for t in found)
        found = [t[:cap] for t in found]
    return found
