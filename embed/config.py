"""Training configuration: one frozen dataclass, validated on construction.

Defaults follow the word2vec C tool (and gensim, which copies it): d=100, window 5,
5 negatives, min_count 5, sample 1e-3, 5 epochs, alpha 0.025.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from .errors import EmbedError

ARCHS = ("cbow", "skipgram")
LOSSES = ("negative", "softmax", "hierarchical")


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not every platform has affinity masks
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Config:
    """Everything that decides what a training run computes.

    >>> Config(arch="skipgram", dim=50).window
    5
    >>> Config(dim=0)
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: dim must be an integer >= 1, got 0
    """

    arch: str = "cbow"
    loss: str = "negative"
    dim: int = 100
    window: int = 5
    negative: int = 5
    alpha: float = 0.025
    min_alpha: float = 0.0001
    epochs: int = 5
    min_count: int = 5
    max_vocab: int | None = None
    sample: float = 1e-3
    cbow_mean: bool = True
    softmax_batch: int = 32  # examples per full-softmax step (1: per-example SGD)
    # Sampling losses skip the update of a pair whose score is beyond +-saturation, as
    # gensim does; None applies the exact gradient everywhere, as the C tool's clipping does.
    saturation: float | None = 6.0
    seed: int = 1
    workers: int = dataclasses.field(default_factory=default_workers)
    max_sentence_length: int = 10_000
    chunk_words: int = 10_000
    lowercase: bool = True
    token_pattern: str = r"[^\W\d_]+"
    max_token_length: int = 100
    encoding_errors: str = "replace"

    def __post_init__(self) -> None:
        if self.arch not in ARCHS:
            raise EmbedError(f"arch must be one of {', '.join(ARCHS)}, got {self.arch!r}")
        if self.loss not in LOSSES:
            raise EmbedError(f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        _integer(self, "dim", 1)
        _integer(self, "window", 1)
        _integer(self, "negative", 0)
        _integer(self, "epochs", 1)
        _integer(self, "min_count", 1)
        _integer(self, "workers", 1)
        _integer(self, "max_sentence_length", 1)
        _integer(self, "chunk_words", 1)
        _integer(self, "seed", 0)
        _integer(self, "max_token_length", 1)
        _integer(self, "softmax_batch", 1)
        if self.encoding_errors not in ("replace", "strict"):
            raise EmbedError(f"encoding_errors must be 'replace' or 'strict', got {self.encoding_errors!r}")
        if self.max_vocab is not None:
            _integer(self, "max_vocab", 1)
        if self.loss == "negative" and self.negative < 1:
            raise EmbedError(f"negative must be >= 1 when loss is 'negative', got {self.negative}")
        _real(self, "alpha", low=0, low_open=True)
        _real(self, "min_alpha", low=0)
        if self.min_alpha > self.alpha:
            raise EmbedError(f"min_alpha must be <= alpha ({self.alpha}), got {self.min_alpha}")
        _real(self, "sample", low=0)
        if self.saturation is not None:
            _real(self, "saturation", low=0, low_open=True)
        if not isinstance(self.cbow_mean, bool):
            raise EmbedError(f"cbow_mean must be True or False, got {self.cbow_mean!r}")
        if not isinstance(self.lowercase, bool):
            raise EmbedError(f"lowercase must be True or False, got {self.lowercase!r}")
        if not isinstance(self.token_pattern, str) or not self.token_pattern:
            raise EmbedError(f"token_pattern must be a non-empty regular expression, got {self.token_pattern!r}")

    def replace(self, **changes: object) -> Config:
        """A copy with some fields changed, validated again.

        >>> Config().replace(dim=20).dim
        20
        """
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise EmbedError(f"unknown config field(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)


def _integer(config: Config, name: str, low: int) -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise EmbedError(f"{name} must be an integer >= {low}, got {value!r}")


def _real(config: Config, name: str, low: float, low_open: bool = False) -> None:
    value = getattr(config, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise EmbedError(f"{name} must be a number, got {value!r}")
    if value < low or (low_open and value == low) or value == float("inf"):
        bound = f"> {low}" if low_open else f">= {low}"
        raise EmbedError(f"{name} must be a finite number {bound}, got {value!r}")
