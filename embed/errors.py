"""The exceptions users see; the command line prints them as one line each."""

import numbers


class EmbedError(ValueError):
    """A problem with the user's input (file, word, value), stated so it can be fixed."""


class UnknownWordError(KeyError):
    """A word that is not in the vocabulary; the message names it and close spellings."""

    def __init__(self, word: str, suggestions: list[str] | tuple[str, ...] = ()) -> None:
        self.word = word
        self.suggestions = list(suggestions)
        hint = f"; close spellings: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(f"word {word!r} is not in the vocabulary{hint}")

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


def is_whole(value: object, low: int = 1) -> bool:
    """Whether ``value`` is a whole number >= ``low`` as users pass one: an int or a NumPy
    integer (``topn=np.int64(3)`` was refused as "not an integer"), not a bool.

    >>> is_whole(3), is_whole(__import__("numpy").int64(3)), is_whole(True), is_whole(2.0), is_whole(0)
    (True, True, False, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and bool(value >= low)
