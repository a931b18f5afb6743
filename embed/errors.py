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


def check_switch(value: object, name: str, none_means: str | None = None) -> None:
    """Refuse a setting that should be True or False (or None, where ``none_means`` says
    what None does) and is something else: ``binary="no"`` or ``progress="no"`` counted as true.

    >>> check_switch("no", "binary", "decided by the file")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: binary must be True, False or None (decided by the file), got 'no'
    """
    import numpy as np  # here: import embed stays without NumPy

    if value is None and none_means is not None:
        return
    if not isinstance(value, (bool, np.bool_)) and not (is_whole(value, 0) and value <= 1):  # 0 and 1 too, as gensim's
        allowed = f"True, False or None ({none_means})" if none_means is not None else "True or False"
        raise EmbedError(f"{name} must be {allowed}, got {shown(value)}")


def shown(value: object, width: int = 60) -> str:
    """``value``'s repr on one line, cut to about ``width`` characters: a message that
    names it stays one line (a NumPy array's repr has newlines).

    >>> shown(list(range(30)), 20)
    '[0, 1, 2, 3, 4, 5, …'
    """
    text = " ".join(repr(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def described(value: object, width: int = 60) -> str:
    """``value``'s type and ``shown`` repr: ``NoneType None``, ``int 5``."""
    return f"{type(value).__name__} {shown(value, width)}"
