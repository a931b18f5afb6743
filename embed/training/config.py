"""Training configuration: one frozen dataclass, each field declared once.

A field's declaration (``setting``) carries its default, its constraint and its help
text. ``Config`` validates every field in one loop over the declarations, a test
generates a bad value for each, and ``embed train``'s options and their defaults are
generated from the same declarations (``embed.cli``).

Defaults are gensim's, which follow the word2vec C tool's except two: the C tool
starts CBOW at alpha 0.05 and ends every run at alpha * 1e-4.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import numbers
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import EmbedError, is_whole
from ..text.corpus import text_codec
from ..text.tokenizer import DEFAULT_PATTERN


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not every platform has affinity masks
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class OneOf:
    """One of a few strings."""

    choices: tuple[str, ...]

    def check(self, name: str, value: Any) -> Any:
        if value not in self.choices:
            raise EmbedError(f"{name} must be one of {', '.join(self.choices)}, got {value!r}")
        return value

    def bad_values(self) -> list:
        return ["", self.choices[0].upper() + "x", 1]

    def option(self) -> dict:
        return {"choices": list(self.choices)}


MAX_NEGATIVE = 1000


@dataclass(frozen=True)
class Whole:
    """An integer >= ``low`` and at most ``high`` (NumPy integers too); ``None`` too
    where ``optional``."""

    low: int
    optional: bool = False
    high: int | None = None

    def check(self, name: str, value: Any) -> Any:
        if value is None and self.optional:
            return None
        if not is_whole(value, self.low):
            raise EmbedError(f"{name} must be an integer >= {self.low}, got {value!r}")
        if self.high is not None and value > self.high:
            raise EmbedError(f"{name} must be an integer from {self.low} to {self.high}, got {value!r}")
        if value >= 2**63:  # the kernels compute in 64-bit integers
            raise EmbedError(f"{name} must be an integer >= {self.low} and below 2**63, got {value!r}")
        return int(value)

    def bad_values(self) -> list:
        beyond = [] if self.high is None else [self.high + 1]
        return [self.low - 1, 2.5, "3", True, 2**63] + beyond + ([] if self.optional else [None])

    def option(self) -> dict:
        return {"type": int, "metavar": "N"}


@dataclass(frozen=True)
class Real:
    """A finite number >= ``low`` (> ``low`` where ``low_open``). Where ``zero_means``
    says what 0 means, 0 is taken as ``None``, the setting switched off."""

    low: float
    low_open: bool = False
    optional: bool = False
    zero_means: str | None = None
    below: float | None = None  # an open upper bound

    def check(self, name: str, value: Any) -> Any:
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
            raise EmbedError(f"{name} must be a number, got {value!r}")
        if value < self.low or (self.low_open and value == self.low) or math.isinf(value):
            bound = f"> {self.low}" if self.low_open else f">= {self.low}"
            meaning = f" (0: {self.zero_means})" if self.zero_means else ""
            raise EmbedError(f"{name} must be a finite number {bound}{meaning}, got {value!r}")
        if self.below is not None and value >= self.below:
            raise EmbedError(f"{name} must be a number from {self.low} to below {self.below}, got {value!r}")
        if self.zero_means and value == 0:
            return None
        return float(value)

    def bad_values(self) -> list:
        above = [] if self.below is None else [self.below]
        return [self.low - 1, float("nan"), float("inf"), "1"] + ([self.low] if self.low_open else []) + above

    def option(self) -> dict:
        return {"type": float, "metavar": "X"}


@dataclass(frozen=True)
class Switch:
    """True or False."""

    def check(self, name: str, value: Any) -> Any:
        if not isinstance(value, bool):
            raise EmbedError(f"{name} must be True or False, got {value!r}")
        return value

    def bad_values(self) -> list:
        return [1, "yes", None]

    def option(self) -> dict:
        import argparse

        return {"action": argparse.BooleanOptionalAction}


@dataclass(frozen=True)
class Pattern:
    """A non-empty regular expression."""

    def check(self, name: str, value: Any) -> Any:
        if not isinstance(value, str) or not value:
            raise EmbedError(f"{name} must be a non-empty regular expression, got {value!r}")
        try:
            re.compile(value)
        except re.error as error:
            raise EmbedError(f"{name} {value!r} is not a valid regular expression: {error}") from None
        return value

    def bad_values(self) -> list:
        return ["", "[a-", 5]

    def option(self) -> dict:
        return {"metavar": "REGEX"}


@dataclass(frozen=True)
class Encoding:
    """The name of a text encoding Python has a codec for."""

    def check(self, name: str, value: Any) -> Any:
        text_codec(value, name)
        return value

    def bad_values(self) -> list:
        return ["", "utf-9", 8]

    def option(self) -> dict:
        return {"metavar": "NAME"}


@dataclass(frozen=True)
class Folder:
    """A folder that exists, "none", or None for the default."""

    def check(self, name: str, value: Any) -> Any:
        if value is None or value == "none":
            return value
        if not isinstance(value, (str, os.PathLike)) or not os.path.isdir(value):
            raise EmbedError(f"{name} must be an existing folder, 'none' or None, got {value!r}")
        return os.fspath(value)

    def bad_values(self) -> list:
        return ["", "/no/such/folder", 3]

    def option(self) -> dict:
        return {"metavar": "DIR"}


@dataclass(frozen=True)
class Epochs:
    """Epoch numbers from 2 on, rising (a list becomes a tuple); ``None`` for the default."""

    def check(self, name: str, value: Any) -> Any:
        if value is None:
            return None
        numbers_ok = isinstance(value, (list, tuple)) and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and 2 <= v < 2**31 for v in value)
        if not numbers_ok or not value or list(value) != sorted(set(value)):
            raise EmbedError(f"{name} must be rising epoch numbers from 2 on (the first epoch with the smaller rate), "
                             f"got {value!r}")
        return tuple(int(v) for v in value)

    def bad_values(self) -> list:
        return [(), (1,), (3, 2), (2, 2), "3", (2.5,), 3]

    def option(self) -> dict:
        return {"type": int, "nargs": "+", "metavar": "EPOCH"}


Constraint = OneOf | Whole | Real | Switch | Pattern | Encoding | Folder | Epochs


def setting(default: Any, constraint: Constraint, help: str, *, default_text: str | None = None):
    """A Config field: its default (a callable makes one per Config), its constraint and
    its help text, which the command line shows with ``default_text`` or the default."""
    metadata = {"constraint": constraint, "help": help, "default_text": default_text}
    if callable(default):
        return dataclasses.field(default_factory=default, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


ARCHS = ("cbow", "skipgram")
LOSSES = ("negative", "softmax", "hierarchical")
MERGES = ("hogwild", "sum", "average", "row-average", "frequency")  # see embed.training.rounds
LR_SCHEDULES = ("linear", "step", "constant")  # see embed.training.schedule


# gensim's names for embed's settings, for the line that refuses them.
GENSIM_NAMES = {"vector_size": "dim", "size": "dim", "sg": "arch ('skipgram' or 'cbow')",
                "hs": "loss ('hierarchical')", "iter": "epochs", "max_vocab_size": "max_table",
                "trim_rule": "trim_rule=, an argument of Word2Vec.build_vocab and embed.train",
                "callbacks": "on_epoch_end=, an argument of Word2Vec.train"}


# gensim's arguments of Word2Vec, train() and build_vocab() that are no settings here,
# and what embed takes instead.
_THE_CORPUS = "the corpus is the first argument of embed.train, build_vocab and train: a list of token lists or a path"
_COUNTED = "embed counts the corpus itself: model.train(corpus, epochs=N)"
GENSIM_ARGUMENTS = {
    "total_examples": _COUNTED,
    "total_words": _COUNTED,
    "compute_loss": "each epoch's loss is kept in model.loss_history (and model.history), always",
    "callbacks": "on_epoch_end=f, a function of (model, epoch, loss)",
    **{name: _THE_CORPUS for name in ("sentences", "corpus_iterable", "corpus_file")},
    **{name: "its own bookkeeping; embed has none"
       for name in ("word_count", "queue_factor", "report_delay", "progress_per", "keep_raw_vocab", "chunksize")},
}
GENSIM_ARGUMENT_HINTS = {name: f"gensim's: {instead}" for name, instead in GENSIM_ARGUMENTS.items()}


def check_setting_names(settings: type, names: Any, what: str) -> None:
    """Refuse keyword arguments that are not fields of the dataclass ``settings`` (Python's
    "unexpected keyword argument" came from ``Config(dims=50)``), each with the field it
    was likely meant to be.

    >>> check_setting_names(Config, ["vector_size", "windo"], "config")
    Traceback (most recent call last):
    ...
    embed.errors.EmbedError: unknown config field(s): vector_size (gensim's name; embed's is dim), windo (did you mean window?)
    """
    known = [field.name for field in dataclasses.fields(settings)]
    unknown = [name for name in names if name not in known]
    if unknown:
        # gensim's Word2Vec(sentences=..., compute_loss=True) and embed.train(corpus, compute_loss=True) come here.
        hints = {**GENSIM_ARGUMENT_HINTS,
                 **{name: f"gensim's name; embed's is {ours}" for name, ours in GENSIM_NAMES.items()}}
        raise EmbedError(f"unknown {what} field(s): {', '.join(likely_meant(unknown, known, hints))}")


def likely_meant(unknown: Iterable[object], known: Sequence[str], hints: Mapping[str, str]) -> list[str]:
    """Each unknown name with what it was likely meant to be: its hint (gensim's name
    for a setting or an argument), or the closest known name.

    >>> likely_meant(["windo", "iter", "xyz"], ["window", "epochs"], {"iter": "gensim's; embed's is epochs"})
    ['windo (did you mean window?)', "iter (gensim's; embed's is epochs)", 'xyz']
    """
    said = []
    for name in unknown:
        if name in hints:
            said.append(f"{name} ({hints[name]})")
        else:
            close = difflib.get_close_matches(str(name), known, n=1)
            said.append(f"{name} (did you mean {close[0]}?)" if close else str(name))
    return said


def refusing_unknown_names(what: str):
    """A class decorator over ``@dataclass``: its ``__init__`` first refuses keywords that
    are not fields (``check_setting_names``), where Python said "unexpected keyword
    argument", and keeps the dataclass's signature for ``help()`` and editors."""

    def decorate(cls: type) -> type:
        init = cls.__init__

        @functools.wraps(init)
        def __init__(self, *args: Any, **settings: Any) -> None:
            check_setting_names(cls, settings, what)
            init(self, *args, **settings)

        cls.__init__ = __init__
        return cls

    return decorate


@refusing_unknown_names("config")
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

    arch: str = setting("cbow", OneOf(ARCHS), "model: CBOW predicts a word from its context, skip-gram the reverse")
    loss: str = setting("negative", OneOf(LOSSES), "output layer: negative sampling, the full softmax, or "
                        "hierarchical softmax")
    dim: int = setting(100, Whole(1), "vector size")
    window: int = setting(5, Whole(1), "largest window on each side of a word")
    shrink_windows: bool = setting(
        True, Switch(), "each centre word draws its window from 1..window, so near words weigh more (word2vec's); "
        "--no-shrink-windows: every window is the full --window")
    # Each example draws and scores every noise word, and a stop falls between sentences:
    # beyond this bound a sentence would take minutes, for no gain (word2vec uses 5-25).
    negative: int = setting(5, Whole(0, high=MAX_NEGATIVE), "noise words per target (negative sampling)")
    ns_exponent: float = setting(
        0.75, Real(-10, below=10), "negative sampling draws noise words with probability count ** X: 0.75 is "
        "word2vec's, 0.5 fastText's, 0 draws every word alike, below 0 favours rare words")
    alpha: float = setting(0.025, Real(0, low_open=True), "starting learning rate")
    min_alpha: float = setting(0.0001, Real(0), "final learning rate (linear schedule)")
    lr_schedule: str = setting(
        "linear", OneOf(LR_SCHEDULES), "learning rate over the run: linear from alpha to min_alpha (word2vec's), "
        "step (alpha, divided by --lr-step-factor at each of --lr-step-epochs), or constant (alpha throughout)")
    lr_step_factor: float = setting(10.0, Real(1, low_open=True), "step schedule: what each step divides the rate by")
    lr_step_epochs: tuple[int, ...] | None = setting(
        None, Epochs(), "step schedule: the epochs (numbered from 1) that start with a smaller rate",
        default_text="one step, halfway: epoch epochs // 2 + 1")
    momentum: float = setting(
        0.0, Real(0, below=1), "full softmax: classical momentum (v = momentum v - lr grad; w += v); dense for "
        "the output rows, per touched row for the input rows (embed.kernels.optimizer)")
    l2: float = setting(0.0, Real(0), "full softmax: L2 weight decay, l2 w added to each gradient")
    epochs: int = setting(5, Whole(1), "passes over the corpus")
    min_count: int = setting(5, Whole(1), "drop words seen fewer times")
    max_vocab: int | None = setting(None, Whole(1, optional=True), "keep at most the N most frequent words",
                                    default_text="no limit")
    max_final_vocab: int | None = setting(
        None, Whole(1, optional=True), "gensim's rule: raise min_count as far as needed for at most N words "
        "(words tied at the cut all go, so there can be fewer)", default_text="no limit")
    max_table: int | None = setting(
        None, Whole(1, optional=True), "counting holds at most N distinct words: beyond that it forgets those seen "
        "at most K times so far, K = 1, 2, ... (word2vec's ReduceVocab, gensim's max_vocab_size), so rare words' "
        "counts become lower bounds", default_text="no limit")
    sample: float = setting(1e-3, Real(0), "subsampling threshold for frequent words (0: off)")
    cbow_mean: bool = setting(True, Switch(), "CBOW combines context vectors by their mean (--no-cbow-mean: sum)")
    share_noise: bool = setting(
        True, Switch(), "skip-gram: a window's pairs share the centre's noise words and output rows, one step "
        "per window (Ji et al. 2016); --no-share-noise: word2vec's step per pair, each with its own noise words")
    softmax_batch: int = setting(32, Whole(1), "examples per full-softmax step (1: per-example SGD); skip-gram's "
                                 "shared softmax counts centre words")
    skipgram_softmax: str = setting(
        "shared", OneOf(("shared", "pairs")), "skip-gram with the full softmax: one softmax per centre word shared "
        "by its context words, as derived (shared), or one per (context, centre) pair as word2vec's sampling "
        "losses walk them (pairs: about 2 x window times the cost)")
    saturation: float | None = setting(
        6.0, Real(0, optional=True, zero_means="the exact gradient everywhere"),
        "sampling losses skip the update of a pair whose score is beyond +-X, as gensim does "
        "(0 or None: the exact gradient everywhere)")
    seed: int = setting(1, Whole(0), "random seed")
    workers: int = setting(default_workers, Whole(1), "training threads", default_text="all cores")
    deterministic: bool = setting(
        False, Switch(), "train in rounds over --shards shards (embed.training.rounds): the same vectors for a seed "
        "at any number of threads or machines, at some cost in speed; --cluster implies it")
    shards: int = setting(2, Whole(1, high=1 << 16), "training in rounds: parts the corpus is cut into, each "
                          "trained by one task per round; the vectors depend on it, not on the workers")
    round_words: int = setting(300_000, Whole(1), "training in rounds: words each shard trains per round")
    merge: str = setting("hogwild", OneOf(MERGES),
                         "training in rounds: how a round's changes combine (see embed.training.rounds)")
    full_merge_every: int = setting(
        4, Whole(1), "training in rounds: merge every row every N rounds; in the rounds between, each shard trains "
        "on a model of its own, and only the rows nearly every example updates are merged: the 512 most frequent "
        "words' (the top of the Huffman tree; with the full softmax, every output row) (1: every row every round)")
    max_sentence_length: int = setting(10_000, Whole(1), "cut longer lines into sentences of N tokens")
    chunk_words: int = setting(10_000, Whole(1), "words per unit of work a thread trains on")
    lowercase: bool = setting(True, Switch(), "lowercase the text before tokenising")
    token_pattern: str = setting(DEFAULT_PATTERN, Pattern(), "regular expression a token matches (the default, "
                                 r"runs of letters, keeps combining marks in words; \S+ takes pre-tokenised text)")
    max_token_length: int = setting(100, Whole(1), "cut longer tokens to N characters")
    encoding: str = setting("utf-8", Encoding(), "the corpus's text encoding (latin-1, cp1252, utf-16, ...)")
    encoding_errors: str = setting("replace", OneOf(("replace", "strict")),
                                   "bytes not valid in the encoding: replace and count them, or stop")
    cache_dir: str | None = setting(
        None, Folder(), "folder for the word ids kept between epochs, 4 bytes a corpus word (none: read the "
        "corpus again every epoch)", default_text="the temporary folder")

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = field.metadata["constraint"].check(field.name, getattr(self, field.name))
            object.__setattr__(self, field.name, value)  # NumPy numbers become Python's
        if self.loss == "negative" and self.negative < 1:
            raise EmbedError(f"negative must be >= 1 when loss is 'negative', got {self.negative}")
        if self.min_alpha > self.alpha:
            raise EmbedError(f"min_alpha must be <= alpha ({self.alpha}), got {self.min_alpha}")
        for name in ("momentum", "l2"):
            if getattr(self, name) and self.loss != "softmax":
                raise EmbedError(f"{name} applies to loss 'softmax' only, got loss {self.loss!r} (the sampling "
                                 "losses touch a few rows a step, and their kernels keep no per-row state)")
            if getattr(self, name) and self.deterministic:
                raise EmbedError(f"{name} is not available when training in rounds (--deterministic, --cluster): "
                                 "a round merges weight changes, not velocities")

    def replace(self, **changes: object) -> Config:
        """A copy with some fields changed, validated again.

        >>> Config().replace(dim=20).dim
        20
        """
        check_setting_names(Config, changes, "config")
        return dataclasses.replace(self, **changes)


class SettingsWarning(UserWarning):
    """A setting was moved from its default, and the run's other settings leave it unused."""


# The settings that apply under some others only: when they apply, and how to say it.
_APPLIES_WHEN = {
    "negative": (lambda config: config.loss == "negative", "loss 'negative'"),
    "ns_exponent": (lambda config: config.loss == "negative", "loss 'negative'"),
    "saturation": (lambda config: config.loss != "softmax", "the sampling losses ('negative', 'hierarchical')"),
    "share_noise": (lambda config: config.arch == "skipgram" and config.loss != "softmax",
                    "skip-gram with loss 'negative' or 'hierarchical'"),
    "cbow_mean": (lambda config: config.arch == "cbow", "arch 'cbow'"),
    "softmax_batch": (lambda config: config.loss == "softmax", "loss 'softmax'"),
    "skipgram_softmax": (lambda config: config.loss == "softmax" and config.arch == "skipgram",
                         "skip-gram with loss 'softmax'"),
    "min_alpha": (lambda config: config.lr_schedule == "linear", "lr_schedule 'linear'"),
    "lr_step_factor": (lambda config: config.lr_schedule == "step", "lr_schedule 'step'"),
    "lr_step_epochs": (lambda config: config.lr_schedule == "step", "lr_schedule 'step'"),
}
# Settings of training in rounds (deterministic, or on a cluster): Hogwild's threads leave them.
ROUNDS_SETTINGS = ("shards", "round_words", "merge", "full_merge_every")
# Settings of the tokenizer a pattern makes, which a tokenizer function replaces.
PATTERN_SETTINGS = ("lowercase", "token_pattern")


def idle_settings(config: Config, *, tokenizer: bool = False, rounds: bool | None = None) -> list[str]:
    """The settings moved from their defaults that ``config``'s others leave unused, each
    with where it applies: ``tokenizer``, whether a tokenizer function reads the text;
    ``rounds``, whether the run trains in rounds (None: not known yet, not checked).
    gensim and the C tool say nothing of these; a user who sets ``negative=10`` beside
    hierarchical softmax, or ``shards=8`` without ``--deterministic``, believes it took.

    >>> idle_settings(Config(loss="hierarchical", negative=10, cbow_mean=False))
    ["negative=10 (applies to loss 'negative')"]
    >>> idle_settings(Config(shards=8), rounds=False)
    ['shards=8 (applies to training in rounds: deterministic, or on a cluster)']
    """
    moved = [field.name for field in dataclasses.fields(config)
             if field.default is not dataclasses.MISSING and getattr(config, field.name) != field.default]
    said = []
    for name in moved:
        value = getattr(config, name)
        if name in _APPLIES_WHEN and not _APPLIES_WHEN[name][0](config):
            said.append(f"{name}={value!r} (applies to {_APPLIES_WHEN[name][1]})")
        elif name in ROUNDS_SETTINGS and rounds is False:
            said.append(f"{name}={value!r} (applies to training in rounds: deterministic, or on a cluster)")
        elif name in PATTERN_SETTINGS and tokenizer:
            said.append(f"{name}={value!r} (applies to the token pattern; a tokenizer function splits this text)")
    return said


def warn_of_idle_settings(config: Config, *, tokenizer: bool = False, rounds: bool | None = None) -> None:
    """Warn, in one line, of ``idle_settings``."""
    said = idle_settings(config, tokenizer=tokenizer, rounds=rounds)
    if said:
        warnings.warn(f"{'this setting does' if len(said) == 1 else 'these settings do'} nothing here: "
                      + "; ".join(said), SettingsWarning, stacklevel=3)
