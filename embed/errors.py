"""The exceptions users see; the command line prints them as one line each."""


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
