"""Training in rounds: the same vectors at any number of threads or machines.

The corpus is cut into a fixed number of shards (``Config.shards``, not the number of
workers). In a round every shard trainer takes the model as the round found it, trains
the next ``round_words`` words of its shard with the ordinary kernels on one thread, and
returns what it changed: the rows it touched and their deltas. The changes are added in
shard order, by the ``merge`` rule (by the coordinator, or where a transport keeps the
model), and the next round starts. A round's task is a pure function of (model, plan,
shard piece, piece number, learning rates), and between full merges of the shard's own
model too: its random draws come from the seed and the piece's number, and it runs its
BLAS calls on one thread. So a cycle's tasks (below) can run on any thread or machine,
be retried from the cycle's start after a worker died, finish in any order, and the
vectors are bit-identical; on the same kind of CPU (the kernels are compiled for the
host, and another CPU may round differently).

The learning rate follows global progress, as on one machine: a round spans the words
of all its pieces, and every piece in it falls from the rate at the round's start to
the rate at its end.

What moves the model is one of these ``merge`` rules over the shards of a round:

- ``sum``: every shard's change is added, as if the pieces had run one after another
  from the same start (Hogwild's effect, without its timing);
- ``average``: the mean of the changes (local SGD's model averaging);
- ``row-average``: each row moves by the mean over the shards that touched it (Spark's
  rule since SPARK-24666);
- ``hogwild``: ``sum``, except for the output rows nearly every example touches (the
  most frequent words, the top of the Huffman tree), which move as the thread engine
  moves its private rows (``embed.kernels.private_rows``);
- ``frequency``: each row's summed change times a factor from how often a shard's
  round is expected to update it (``frequency_factors``): 1 for rows a round updates
  a few times, where the shards' changes add up as sequential steps would, falling to
  1 / shards for rows every round settles, where S settled changes added would
  overshoot S times. How fast a row settles differs between input rows and output
  rows (``CONTRACTION``): with 4 and 8 shards of 10,000-word rounds the rule keeps
  CBOW's and skip-gram's analogy accuracy on wiki2015-17m within a point of the
  threads', where ``sum`` diverges at 8 (benchmarks/README.md).

With ``full_merge_every`` N > 1, only the rows nearly every example updates (the 512
most frequent words', and the top of the Huffman tree: ``rows_merged_each_round``)
merge every round; the rest wait N rounds. Each shard trains on a model of its own in
place (``train_own_piece``), which takes the merged rows at each round's start, and
sends their changes; at the N-th round it sends its changes to every row since the
last full merge. No round then copies or compares the whole model, and the rounds
between full merges send a few hundred rows. At 2 shards CBOW keeps its accuracy
with 300,000-word rounds and a full merge every 3 or 4, where merging every row needs
100,000-word rounds (benchmarks/README.md). The unit the coordinator records,
checkpoints and stops at is a cycle: the rounds from one full merge to the next (with
N = 1, one round).

The transports (``LocalTransport`` here, ``embed.training.cluster.DaskTransport``)
only decide where tasks run.
"""

from __future__ import annotations

import copy
import queue
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, Protocol

import numpy as np

from ..errors import EmbedError
from ..kernels.densematrix import add_scaled_rows, dense_matrix, row_changes
from ..kernels.loss import SOFTMAX
from ..kernels.piece import Changes, Piece, Plan, apply_changes, new_worker, train_piece
from ..kernels.private_rows import HOT_ROWS, hot_range
from ..text.corpus import COMPRESSED, ReadReport, ascii_compatible, text_codec
from ..text.plaintext import PlainCounts, VocabularyHash, count_plain, plain_sentences
from ..text.shards import Segment, shard_sentences
from ..text.tokenizer import DEFAULT_PATTERN, Tokenizer
from ..text.vocab import Pruning, TrimRule, Vocabulary, checked_sentence, not_tokens
from .blas import one_blas_thread
from .config import MERGES, Config
from .schedule import CheckpointWriter, EpochStats, RunState, Schedule
from .stop import check_stop, deferred, interrupts_recorded, stop_seen
from .weights import Weights


class RoundsWarning(UserWarning):
    """Training in rounds runs, but its settings are known to cost accuracy."""


# A piece's random states derive from its number: epoch, shard and piece in bit fields.
_SHARD_BITS, _PIECE_BITS = 16, 24
MAX_SHARDS = 1 << _SHARD_BITS


class Encoded(NamedTuple):
    """A shard as word ids: sentence s is ``ids[offsets[s]:offsets[s + 1]]``; and what
    reading its segments repaired, one report each."""

    ids: np.ndarray
    offsets: np.ndarray
    reports: tuple[ReadReport, ...] = ()


class Change(NamedTuple):
    """What one task did: the input and output rows it changed and by how much, its
    loss sum, examples and words."""

    in_rows: np.ndarray
    in_delta: np.ndarray
    out_rows: np.ndarray
    out_delta: np.ndarray
    loss: float
    examples: int
    words: int


Shard = Sequence[Segment] | Sequence[Sequence[str]]  # byte ranges of files, or sentences in memory
Task = tuple[int, int, int, int, float, float]  # shard, first and last sentence, piece number, alpha_start, alpha_end
Cycle = Sequence[Sequence[Task]]  # the rounds from one full merge to the next, each round's tasks


def _sentences(shard: Shard, config: Config, reports: list[ReadReport]):
    """A shard's sentences; what reading its files repaired goes into ``reports``, not
    into warnings: a worker's warning came out as Python's two lines on the worker's
    terminal, and the count's repairs are said on the coordinator (``ShardCounts``)."""
    if _is_files(shard):
        tokenizer = Tokenizer(config.token_pattern, config.lowercase, config.max_token_length)
        return shard_sentences(shard, tokenizer, config.max_sentence_length, config.encoding_errors, config.encoding,
                               reports=reports)
    return shard


class ShardCounts(NamedTuple):
    """Every token of a shard still held and its count, in order of first appearance;
    where ``max_table`` pruned the counting, the tokens it forgot and the count it
    forgot up to; and what reading the shard's segments repaired, one report each
    (``embed.text.corpus.combined`` adds up a file's)."""

    words: list[str]
    counts: np.ndarray
    forgotten: int = 0
    pruned_at: int = 0
    reports: tuple[ReadReport, ...] = ()


def count_shard(shard: Shard, config: Config, trim_rule: TrimRule | None = None) -> ShardCounts:
    """Every token of a shard and its count, in order of first appearance (pruned as
    ``Pruning`` says, with ``trim_rule``, where ``config.max_table`` is set). Segments of
    plain text (ASCII letters and blanks, text8's kind) are counted in jitted code, as the
    one-process vocabulary pass counts a plain file; the rest through the tokenizer: the
    same counts."""
    if _is_files(shard) and _plain_tokens(config) and config.max_table is None:  # pruning: after each sentence
        counted = _count_plain_segments(shard, config)
        if counted is not None:
            return counted
    counts: dict[str, int] = {}
    pruning = Pruning(config.max_table, trim_rule)
    reports: list[ReadReport] = []
    for sentence in _sentences(shard, config, reports):
        sentence = checked_sentence(sentence)  # a string was counted letter by letter (in a shard: no number)
        try:
            for token in sentence:
                counts[token] = counts.get(token, 0) + 1
        except TypeError:  # a list, where sentences are nested too deep
            raise not_tokens(sentence) from None
        pruning.keep_within(counts)
    return ShardCounts(list(counts), np.fromiter(counts.values(), np.int64, len(counts)), pruning.forgotten,
                       pruning.min_reduce - 1, tuple(reports))


def _count_plain_segments(shard: Sequence[Segment], config: Config) -> ShardCounts | None:
    """``count_shard`` of plain segments; None at the first byte the tokenizer must see."""
    counts = PlainCounts(config.lowercase, config.max_token_length, config.max_sentence_length)
    reports = []
    for segment in shard:
        before = int(counts.cuts[0])
        if count_plain(segment, config.lowercase, config.max_token_length, counts=counts) is None:
            return None
        # Plain text has no byte to repair, and a token over the cap makes a segment not plain.
        reports.append(ReadReport(segment.path, cut_sentences=int(counts.cuts[0]) - before))
    return ShardCounts([counts.word(i) for i in range(counts.words)], counts.word_counts().copy(),
                       reports=tuple(reports))


def merged_vocabulary(counted: Sequence[ShardCounts], config: Config, source: str,
                      trim_rule: TrimRule | None = None) -> Vocabulary:
    """The vocabulary of shards counted apart, merged in shard order: the same words,
    counts and order as one pass over the whole corpus (ties keep first appearance).
    Under ``max_table`` each shard pruned its own counts and the merge prunes again,
    so the words kept can differ from one process's."""
    totals: dict[str, int] = {}
    pruning = Pruning(config.max_table, trim_rule)
    for shard in counted:
        for word, count in zip(shard.words, shard.counts.tolist()):
            totals[word] = totals.get(word, 0) + count
        pruning.forgotten += shard.forgotten
        pruning.min_reduce = max(pruning.min_reduce, shard.pruned_at + 1)
    pruning.keep_within(totals)
    words = list(totals)
    vocab, _ = Vocabulary.from_counts(np.fromiter(totals.values(), np.int64, len(words)), words.__getitem__,
                                      config.min_count, config.max_vocab, source, config.max_final_vocab, pruning,
                                      trim_rule)
    return vocab


def encode_shard(shard: Shard, words: Sequence[str], config: Config) -> Encoded:
    """A shard's sentences as ids of ``words``; unknown tokens and empty sentences
    dropped. A segment of plain text (ASCII letters and blanks, text8's kind) is
    encoded from its bytes in jitted code, the rest through the tokenizer: the same ids."""
    vocab = Vocabulary(words, np.zeros(len(words), np.int64))
    files = _is_files(shard)
    table = VocabularyHash(vocab, config.lowercase, config.max_token_length) if files and _plain_tokens(config) else None
    sentences: list[np.ndarray] = []
    reports: list[ReadReport] = []
    for part in ([segment] for segment in shard) if files else [shard]:
        found = None
        if table is not None:
            try:
                found = list(plain_sentences(part[0], table, config.max_sentence_length))
            except ValueError:  # a byte the tokenizer must see
                found = None
        if found is None:
            # Said by the coordinator: the count said them of the corpus it counted, and this
            # may be another (build_vocab on one corpus, train on another).
            found = [vocab.encode(sentence) for sentence in _sentences(part, config, reports)]
        sentences.extend(ids for ids in found if len(ids))
    offsets = np.zeros(len(sentences) + 1, np.int64)
    np.cumsum([len(ids) for ids in sentences], out=offsets[1:])
    ids = np.concatenate(sentences).astype(np.int32, copy=False) if sentences else np.zeros(0, np.int32)
    return Encoded(ids, offsets, tuple(reports))


def _is_files(shard: Shard) -> bool:
    return bool(shard) and isinstance(shard[0], Segment)


def _plain_tokens(config: Config) -> bool:
    return config.token_pattern == DEFAULT_PATTERN and ascii_compatible(text_codec(config.encoding))


def piece_bounds(encoded: Encoded, round_words: int) -> tuple[np.ndarray, np.ndarray]:
    """(first sentence of each piece, plus the end; words of each piece): pieces of
    whole sentences, each starting at the first sentence at or past a multiple of
    ``round_words`` words."""
    offsets = encoded.offsets
    total = int(offsets[-1])
    if total == 0:
        return np.zeros(1, np.int64), np.zeros(0, np.int64)
    starts = np.unique(np.searchsorted(offsets[:-1], np.arange(0, total, round_words), side="left"))
    bounds = np.append(starts, len(offsets) - 1).astype(np.int64)
    return bounds, np.diff(offsets[bounds])


def piece_number(epoch: int, shard: int, piece: int) -> int:
    return (epoch << (_SHARD_BITS + _PIECE_BITS)) | (shard << _PIECE_BITS) | piece


def train_shard_piece(model: tuple[np.ndarray, np.ndarray], plan: Plan, encoded: Encoded, first: int, last: int,
                      number: int, alpha_start: float, alpha_end: float,
                      spare: tuple[np.ndarray, np.ndarray] | None = None) -> Change:
    """Train sentences ``first`` to ``last`` of a shard on a copy of the model; return
    the rows that changed and how (the deltas in the top rows of ``spare``, a pair of
    matrices of the model's rows and ``plan.dim`` columns, where given). A pure function
    of its arguments."""
    w_in, w_out = model
    trained_in, trained_out = _working_copy(model)
    outcome, words = _trained(trained_in, trained_out, plan, encoded, first, last, number, alpha_start, alpha_end)
    in_rows, in_delta = row_changes(w_in, trained_in, None if spare is None else spare[0], plan.dim)
    out_rows, out_delta = row_changes(w_out, trained_out, None if spare is None else spare[1], plan.dim)
    return Change(in_rows, in_delta, out_rows, out_delta, outcome.loss, outcome.examples, words)


def _trained(w_in: np.ndarray, w_out: np.ndarray, plan: Plan, encoded: Encoded, first: int, last: int, number: int,
             alpha_start: float, alpha_end: float):
    """``train_piece`` on sentences ``first`` to ``last`` of a shard, in place; its outcome and words."""
    worker = new_worker(plan, w_out.shape[0], w_out.shape[1])
    begin, end = encoded.offsets[first], encoded.offsets[last]
    piece = Piece(number, encoded.ids[begin:end], encoded.offsets[first : last + 1] - begin, alpha_start, alpha_end)
    if plan.kind == SOFTMAX:  # its products sum in one order whatever the machine's threads (embed.training.blas)
        with one_blas_thread():
            return train_piece(w_in, w_out, plan, worker, piece), int(end - begin)
    return train_piece(w_in, w_out, plan, worker, piece), int(end - begin)


# Rows of each matrix that rounds between full merges merge every round: as many as the
# thread engine keeps private to each worker (``embed.kernels.private_rows``). 500 held
# CBOW's accuracy at 2 shards (benchmarks/README.md, "hot rows every round").
MERGED_EACH_ROUND = HOT_ROWS


def rows_merged_each_round(loss: str, rows: int) -> tuple[slice, slice]:
    """The input and output rows that rounds between full merges (``full_merge_every``)
    merge every round: those nearly every example updates. The most frequent words'
    rows, and for hierarchical softmax's output the top of the Huffman tree (numbered
    last); the full softmax updates every output row at every step. The rest waits for
    the full merge.

    >>> rows_merged_each_round("negative", 70_000), rows_merged_each_round("hierarchical", 70_000)
    ((slice(0, 512, None), slice(0, 512, None)), (slice(0, 512, None), slice(69487, 69999, None)))
    >>> rows_merged_each_round("softmax", 70_000)[1]
    slice(0, 70000, None)
    """
    count = min(MERGED_EACH_ROUND, rows)
    if loss == "hierarchical":
        inner = max(rows - 1, 0)
        return slice(0, count), slice(inner - min(count, inner), inner)
    return slice(0, count), slice(0, rows if loss == "softmax" else count)


def train_own_piece(model: tuple[np.ndarray, np.ndarray], own: tuple[np.ndarray, np.ndarray] | None, fresh: bool,
                    ends: bool, each_round: tuple[slice, slice], plan: Plan, encoded: Encoded, first: int, last: int,
                    number: int, alpha_start: float, alpha_end: float,
                    spare: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> tuple[Change, tuple[np.ndarray, np.ndarray]]:
    """A piece of a round between full merges: trained in place on the shard's own
    model ``own``, which starts as ``model`` after a full merge (``fresh``) and
    otherwise takes the rows merged ``each_round`` from it. Returns the change to
    those rows or, where the piece ``ends`` the shard's rounds before a full merge, to
    every row (``model``'s other rows are the last full merge's), and the own model.
    A pure function of its arguments, ``own`` included where not ``fresh``."""
    if fresh:
        own = copied_into(own, model)
    else:
        if own is None:
            raise ValueError("a round after a full merge needs the shard's own model")
        for mine, merged, rows in zip(own, model, each_round):
            mine[rows] = merged[rows]
    outcome, words = _trained(*own, plan, encoded, first, last, number, alpha_start, alpha_end)
    changes = []
    for k, (merged, mine, rows) in enumerate(zip(model, own, each_round)):
        if ends:
            changes += row_changes(merged, mine, None if spare is None else spare[k], plan.dim)
        else:
            changed, delta = row_changes(merged[rows], mine[rows], width=plan.dim)
            changes += (changed + rows.start, delta)
    return Change(*changes, outcome.loss, outcome.examples, words), own


def added_up(totals: Sequence[tuple[float, int, int]]) -> tuple[float, int, int]:
    """The (loss sum, examples, words) of a cycle's rounds, added in order: every
    transport adds them so, so that a run's losses do not depend on where it ran."""
    loss, examples, words = 0.0, 0, 0
    for part in totals:
        loss, examples, words = loss + part[0], examples + part[1], words + part[2]
    return loss, examples, words


# Each training thread's pair of matrices, by thread: in a dict rather than the threads'
# own storage, so that the end of a run frees them from the thread that ends it (a Dask
# worker's threads live on after the run, each holding two model-sized matrices).
_held: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _working_copy(model: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The model copied into this thread's own pair of matrices, made once: a fresh pair
    for every task cost more in page faults than a short piece costs to train."""
    thread = threading.get_ident()
    pair = _held[thread] = copied_into(_held.get(thread), model)
    return pair


def drop_working_copies() -> None:
    """Free every thread's pair: a task still training keeps its own, and the next makes one."""
    _held.clear()


def copied_into(pair: tuple[np.ndarray, np.ndarray] | None,
                model: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``model`` copied into ``pair`` where it has the model's shapes, else into a new
    dense pair (which is returned)."""
    if pair is None or pair[0].shape != model[0].shape or pair[1].shape != model[1].shape:
        return dense_matrix(model[0]), dense_matrix(model[1])
    np.copyto(pair[0], model[0])
    np.copyto(pair[1], model[1])
    return pair


class Transport(Protocol):
    """Where the tasks run: every method returns results in the order of its arguments."""

    def count(self, shards: Sequence[Shard], config: Config, trim_rule: TrimRule | None = None
              ) -> list[ShardCounts]: ...

    def encode(self, shards: Sequence[Shard], words: Sequence[str], config: Config
               ) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[ReadReport]]:
        """Encode every shard where it will be trained; returns each one's piece bounds,
        and what reading them repaired (``ReadReport``s, one a segment read through the
        tokenizer)."""

    def train_cycle(self, weights: tuple[np.ndarray, np.ndarray], plan: Plan, cycle: Cycle, merger: Merger,
                    continued: bool = False, following: Cycle | None = None) -> tuple[float, int, int]:
        """Run a cycle's rounds one after another, each round's (shard, first, last,
        number, alpha_start, alpha_end) tasks on the model, and merge each round's
        changes into it by ``merger``, in task order; return their (loss sum, examples,
        words), ``added_up``. The model is ``weights`` (input, output) with every cycle
        merged so far, though a transport that keeps the model where its tasks run may
        leave ``weights`` behind until ``sync``. ``continued``: no one changed the model
        since the call before, so that transport need not send it. ``following``: the
        next call's cycle, which a transport may start as soon as this call's is done.
        A call that fails leaves the model as the call before left it."""

    def sync(self, weights: tuple[np.ndarray, np.ndarray], replay: bool = True) -> None:
        """Bring ``weights`` up to every round merged: before anyone reads them. Where
        the model is lost, train again what it takes to rebuild it, or with ``replay``
        False (a run stopping), raise."""

    def close(self) -> None: ...


class LocalTransport:
    """Tasks on a pool of threads in this process; the kernels release the GIL.

    >>> transport = LocalTransport(threads=2)
    >>> transport.count([[["a", "b"]], [["b"]]], Config())[1][0]
    ['b']
    """

    def __init__(self, threads: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="embed-round")
        self.encoded: list[Encoded] = []  # every shard's ids, in this process's memory
        # Blocks used again from round to round: the model as the round (or the cycle)
        # found it, and the deltas of the changes not yet merged. A new block each time
        # cost its page faults: in a probe timing each step of one-thread rounds (CBOW,
        # 100,000 words of wiki2015-17m), the fresh snapshot and deltas took 47 of a
        # round's 112 ms.
        self.snapshot: tuple[np.ndarray, np.ndarray] | None = None
        self.spares: queue.SimpleQueue = queue.SimpleQueue()
        self.own: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # each shard's model between full merges

    def count(self, shards, config, trim_rule=None):
        return list(self.pool.map(lambda shard: count_shard(shard, config, trim_rule), shards))

    def encode(self, shards, words, config):
        self.encoded = list(self.pool.map(lambda shard: encode_shard(shard, words, config), shards))
        return ([piece_bounds(encoded, config.round_words) for encoded in self.encoded],
                [report for encoded in self.encoded for report in encoded.reports])

    def train_cycle(self, weights, plan, cycle, merger, continued=False, following=None):
        if merger.each_round is None:
            (tasks,) = cycle
            return added_up([self._train_round(weights, plan, tasks, merger)])
        # A stop or a failure part way through the cycle puts the weights back to this copy.
        self.snapshot = copied_into(self.snapshot, weights)
        try:
            return added_up([self._train_own_round(weights, plan, tasks, merger, k == 0, k == len(cycle) - 1)
                             for k, tasks in enumerate(cycle)])
        except BaseException:
            np.copyto(weights[0], self.snapshot[0])
            np.copyto(weights[1], self.snapshot[1])
            raise

    def _spare(self, like: tuple[np.ndarray, np.ndarray], width: int) -> tuple[np.ndarray, np.ndarray]:
        try:
            return self.spares.get_nowait()
        except queue.Empty:
            return tuple(np.empty((len(matrix), width or matrix.shape[1]), matrix.dtype) for matrix in like)

    def _train_round(self, weights, plan, tasks, merger) -> tuple[float, int, int]:
        # The tasks read this copy while their changes go into the weights; a stop or a
        # failure part way through the merge puts the weights back to it.
        self.snapshot = model = copied_into(self.snapshot, weights)

        def run(task):
            shard, first, last, number, alpha_start, alpha_end = task
            spare = self._spare(model, plan.dim)
            change = train_shard_piece(model, plan, self.encoded[shard], first, last, number, alpha_start, alpha_end,
                                       spare)
            return change, spare

        def merged_one_by_one(results):
            for change, spare in results:
                yield change
                self.spares.put(spare)  # merged: its deltas may be written over

        try:
            return merger.merge(weights, merged_one_by_one(self.pool.map(run, tasks)), len(tasks))
        except BaseException:
            np.copyto(weights[0], model[0])
            np.copyto(weights[1], model[1])
            raise

    def _train_own_round(self, weights, plan, tasks, merger, fresh: bool, ends: bool) -> tuple[float, int, int]:
        """A round of ``train_own_piece`` tasks: each shard trains on its own model, kept
        here from round to round; the changes merge once every task has read the weights."""

        def run(task):
            shard, first, last, number, alpha_start, alpha_end = task
            spare = self._spare(weights, plan.dim) if ends else None
            change, self.own[shard] = train_own_piece(weights, self.own.get(shard), fresh, ends, merger.each_round,
                                                      plan, self.encoded[shard], first, last, number, alpha_start,
                                                      alpha_end, spare)
            return change, spare

        results = list(self.pool.map(run, tasks))
        totals = merger.merge(weights, (change for change, _ in results), len(tasks))
        for _, spare in results:
            if spare is not None:
                self.spares.put(spare)
        return totals

    def sync(self, weights, replay=True) -> None:
        pass  # merged in place

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        drop_working_copies()


# The share of its distance to where a shard's text pulls it that one update closes, for
# input rows and for output rows: the frequency rule's settings, chosen by analogy
# accuracy and WordSim-353 at 8 shards of 10,000-word rounds (benchmarks/README.md, "the
# frequency rule at 4 and 8 shards"), where no one value for both rows did as well.
CONTRACTION = (5e-3, 1e-3)


def frequency_factors(updates: np.ndarray, shards: int, contraction: float) -> np.ndarray:
    """What the ``frequency`` rule multiplies the summed change of each row by: a row
    that each of ``shards`` shards updates ``updates`` times a round, each update closing
    ``contraction`` of its distance, then moves as far as ``shards * updates``
    updates in a row would move it. Rare rows are summed, rows every update settles are
    averaged.

    >>> [round(float(f), 3) for f in frequency_factors(np.array([0.0, 1.0, 1e3, 1e6]), 4, 1e-3)]
    [1.0, 0.999, 0.388, 0.25]
    """
    x = -np.log1p(-contraction) * np.asarray(updates, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        factors = np.expm1(-shards * x) / (shards * np.expm1(-x))
    return np.where(x > 0, factors, 1.0).astype(np.float32)


class Merger:
    """Adds a round's changes to the model in shard order, by one of ``MERGES``;
    ``frequency`` needs each row's ``updates`` a round (``embed.training.tables.expected_updates``).
    With ``full_merge_every`` N > 1, ``each_round`` names the rows merged every round
    (``rows_merged_each_round``); the others' changes span N rounds, and the
    ``frequency`` rule counts N rounds' updates for them."""

    def __init__(self, rule: str, loss: str, rows: int, shards: int,
                 updates: tuple[np.ndarray, np.ndarray] | None = None, full_merge_every: int = 1) -> None:
        if rule not in MERGES:
            raise EmbedError(f"merge must be one of {', '.join(MERGES)}, got {rule!r}")
        if rule == "frequency" and updates is None:
            raise ValueError("the frequency merge needs each row's expected updates")
        self.rule = rule
        first, count, share = hot_range(loss, rows, shards) if rule == "hogwild" else (0, 0, 1.0)
        self.hot, self.hot_share = slice(first, first + count), share
        self.full_merge_every = full_merge_every
        self.each_round = rows_merged_each_round(loss, rows) if full_merge_every > 1 else None
        self.updates = updates
        self.factors: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # by the shards in a round

    def _factors(self, active: int) -> tuple[np.ndarray, np.ndarray]:
        if active not in self.factors:
            factors = []
            for k, (updates, contraction) in enumerate(zip(self.updates, CONTRACTION)):
                if self.each_round is not None:
                    every = updates * self.full_merge_every
                    every[self.each_round[k]] = updates[self.each_round[k]]
                    updates = every
                factors.append(frequency_factors(updates, active, contraction))
            self.factors[active] = tuple(factors)
        return self.factors[active]

    def merge(self, model: tuple[np.ndarray, np.ndarray], changes: Iterator[Change], active: int) -> tuple[float, int, int]:
        """Apply the changes of ``active`` tasks to ``model`` (input, output), in place;
        returns their (loss sum, examples, words). The coordinator and the workers that
        keep a replica run this same arithmetic, so their models stay equal bit for bit."""
        w_in, w_out = model
        rule = self.rule
        hot = w_out[self.hot].copy() if self._settles() else None
        loss, examples, words = 0.0, 0, 0
        if rule == "row-average":
            sums = [np.zeros_like(w_in), np.zeros_like(w_out)]
            touched = [np.zeros(len(w_in), np.int32), np.zeros(len(w_out), np.int32)]
        share = 1.0 / active if rule == "average" else 1.0
        factors = self._factors(active) if rule == "frequency" else None
        for change in changes:
            loss, examples, words = loss + change.loss, examples + change.examples, words + change.words
            for k, (matrix, rows, delta) in enumerate(((w_in, change.in_rows, change.in_delta),
                                                       (w_out, change.out_rows, change.out_delta))):
                if rule == "frequency":
                    add_scaled_rows(matrix, rows, delta, factors[k])
                elif rule == "row-average":
                    apply_changes(sums[k], Changes(rows, delta), 1.0)
                    touched[k][rows] += 1
                else:
                    apply_changes(matrix, Changes(rows, delta), share)
        if rule == "row-average":
            for matrix, summed, count in zip((w_in, w_out), sums, touched):
                rows = np.flatnonzero(count)
                matrix[rows] += summed[rows] / count[rows, None].astype(np.float32)
        if hot is not None:
            # Under ``hogwild`` the hot output rows, summed like the others, move by
            # ``hot_share`` of the summed change, as the thread engine's private rows do
            # (a hot row no task changed stays where it was).
            rows = w_out[self.hot]
            rows[:] = hot + np.float32(self.hot_share) * (rows - hot)
        return loss, examples, words

    def _settles(self) -> bool:
        return self.hot.stop > self.hot.start and self.hot_share != 1.0


def warn_of_overshoot(shards: int, merge: str) -> None:
    """Warn where ``merge`` adds the changes of more than 2 shards (before a progress bar
    starts, so that the warning has its own line).

    >>> warn_of_overshoot(2, "hogwild")  # nothing to say
    """
    if shards > 2 and merge in ("sum", "hogwild"):
        warnings.warn(f"{shards} shards with merge {merge!r}: adding the changes of more than 2 shards "
                      "overshoots on the rows they all touch and costs accuracy; merge 'frequency' with "
                      "full_merge_every 1 held it at 4 shards with round_words 50000 and at 8 with 10000 "
                      "(benchmarks/README.md)",
                      RoundsWarning)


# The least share of the workers' time that the shards' text keeps training without
# a warning: a round's pieces are of equal words, so a shard with less text runs out of
# pieces first, and its worker waits through the epoch's last rounds.
BALANCED = 0.9


def warn_of_unbalanced_shards(shards: Sequence[Shard], bounds: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
    """Warn where the shards' words differ enough that workers wait for a tenth of the
    rounds or more (through every round, for a shard with no text).

    >>> warn_of_unbalanced_shards([[["a", "b"]], [["c", "d"]]], [(None, np.array([2])), (None, np.array([2]))])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_of_unbalanced_shards([[["a", "b"]], []], [(None, np.array([2])), (None, np.array([0]))])
    >>> print(caught[0].message)
    1 of 2 shards has no text to train on and waits through every round; the corpus has too little text for them: fewer shards
    """
    words = np.array([int(piece_words.sum()) for _, piece_words in bounds])
    training = words.mean() / words.max() if len(words) > 1 and words.max() else 1.0  # the share of worker time
    if training >= BALANCED:
        return
    compressed = any(isinstance(segment, Segment) and segment.path.lower().endswith(COMPRESSED)
                     for shard in shards for segment in shard)
    idle = int((words == 0).sum())
    if compressed:
        why = ("a compressed file cannot be cut at blanks, so each one is a single shard's: decompress the corpus, "
               "or split it into many more files than shards")
    else:
        why = "the corpus has too little text for them: fewer shards" if idle else "fewer shards"
    if idle:
        one = idle == 1
        what = (f"{idle} of {len(words)} shards {'has' if one else 'have'} no text to train on and "
                f"wait{'s' if one else ''} through every round")
    else:
        what = (f"the shards are unbalanced: the largest has {words.max():,} vocabulary words an epoch and the "
                f"smallest {words.min():,}, so their workers spend about {1 - training:.0%} of "
                "the rounds waiting")
    warnings.warn(f"{what}; {why}", RoundsWarning)


def train_rounds(
    weights: Weights,
    plan: Plan,
    config: Config,
    bounds: Sequence[tuple[np.ndarray, np.ndarray]],
    transport: Transport,
    run: RunState,
    first_epoch: int,
    progress: Callable[[int, float], None],
    on_epoch: Callable[[EpochStats], None],
    writer: CheckpointWriter,
    updates: tuple[np.ndarray, np.ndarray] | None = None,
    epoch_end_reads: bool = True,
    epoch_end_changes: bool = True,
) -> None:
    """The epochs ``run`` has still to do, in rounds over shards whose pieces ``bounds``
    gives (from ``transport.encode``), from the cycle ``run`` stands at; epoch e of the
    call draws as epoch ``first_epoch + e``. ``run`` records each merged cycle (of
    ``full_merge_every`` rounds), so a checkpoint (written between cycles) or a stop
    leaves whole cycles, and a resumed run ends with the vectors an uninterrupted one
    would have. ``epoch_end_reads`` and ``epoch_end_changes``: whether ``on_epoch`` may
    read the weights, and change them; where it may not change them, an epoch's last
    cycle starts the next epoch's first round, as every cycle starts the next.
    ``updates``: each row's expected updates a round, for the ``frequency`` merge."""
    shards = len(bounds)
    if shards > MAX_SHARDS:
        raise EmbedError(f"shards must be at most {MAX_SHARDS}, got {shards}")
    per_epoch = sum(int(words.sum()) for _, words in bounds)
    rounds = max((len(words) for _, words in bounds), default=0)
    if rounds >= 1 << _PIECE_BITS:
        raise EmbedError(f"round_words {config.round_words} cuts a shard into {rounds:,} pieces; the most is "
                         f"{(1 << _PIECE_BITS) - 1:,}: raise round_words")
    schedule = Schedule.for_run(config, run.epochs, per_epoch, run.alpha, run.min_alpha)
    merger = Merger(config.merge, config.loss, weights.rows, shards, updates, config.full_merge_every)
    model = (weights.input[: weights.rows], weights.output[: weights.rows])
    continued = False  # whether the model is the last cycle's, merged: at the first cycle, unknown
    synced = _Synced(transport, model, run)
    awaited = "the round in flight ends" if config.full_merge_every == 1 else "the rounds to the next full merge end"
    with interrupts_recorded():  # Ctrl-C from Python's own handler too: ``deferred`` holds it back
        while run.epoch < run.epochs:
            epoch = first_epoch + run.epoch
            schedule.done = run.epoch * per_epoch + run.words  # the rate where the run stands
            # Every cycle's tasks at once, so that a transport may start a cycle's tasks
            # before the coordinator has merged the cycle before.
            planned = [(c, plan_cycle(bounds, c, config.full_merge_every, epoch, schedule))
                       for c in range(len(run.completed), -(-rounds // config.full_merge_every))]
            last = run.epoch + 1 == run.epochs
            following_epoch = None if last else _first_cycle(bounds, config, schedule, (run.epoch + 1) * per_epoch,
                                                             epoch + 1)
            # A shard whose pieces ran out before the epoch's last round trains again in the
            # next: its worker's model fell behind, and the next epoch starts from the weights.
            returning = bool(planned) and not last and not ({task[0] for task in following_epoch[0]}
                                                            <= {task[0] for task in planned[-1][1][-1]})
            # The weights are copied at an epoch's end only where they are needed there: a
            # copy of wiki2015-17m's model kept both workers of ``--cluster local:2`` idle for
            # 0.3 s of each 6 s epoch. The last epoch's loss, not its weights, then shows a
            # divergence, until the last epoch's or the next sync's check of the weights.
            copy_at_end = epoch_end_reads or last or returning or writer.due_after_epoch(run.epoch + 1)
            with synced:
                for i, (c, cycle) in enumerate(planned):
                    if writer.due_by_time():
                        synced.now()
                        writer.write()
                    elif synced.due():
                        synced.now()
                    started = time.perf_counter()
                    if i + 1 < len(planned):
                        following = planned[i + 1][1]
                    elif not (epoch_end_changes or returning):
                        following = following_epoch  # on the workers' model, as within an epoch
                    else:
                        following = None
                    # A stop that landed after the cycle was merged but before ``run`` recorded
                    # it would have the cycle trained again on resuming.
                    with deferred(awaited):
                        loss, count, words = transport.train_cycle(model, plan, cycle, merger, continued, following)
                        continued = True
                        run.record(c, None, loss, count, words)
                    run.seconds += time.perf_counter() - started
                    progress(words, cycle[-1][0][5])
                    check_stop()  # between cycles, where a stop leaves whole cycles
                if copy_at_end:
                    synced.now()
            on_epoch(run.epoch_done(epoch + 1))
            if copy_at_end:
                synced.taken()
            # Unless a callback may have changed rows, the next epoch goes on from the model
            # the workers hold: sending it whole again took 0.07-0.24 s on 2 idle cores.
            continued = continued and not epoch_end_changes
            if writer.due_after_epoch(run.epoch):
                writer.write()


def _first_cycle(bounds: Sequence[tuple[np.ndarray, np.ndarray]], config: Config, schedule: Schedule, done: int,
                 epoch: int) -> list[list[Task]]:
    """Epoch ``epoch``'s first cycle, as ``train_rounds`` plans it once the run has
    trained ``done`` words, without moving ``schedule``."""
    ahead = copy.copy(schedule)
    ahead.done = done
    return plan_cycle(bounds, 0, config.full_merge_every, epoch, ahead)


def plan_cycle(bounds: Sequence[tuple[np.ndarray, np.ndarray]], cycle: int, every: int, epoch: int,
               schedule: Schedule) -> list[list[Task]]:
    """The tasks of each round of cycle ``cycle`` of an epoch (rounds ``cycle * every``
    on, ``every`` of them or up to the epoch's last), the learning rates taken from
    ``schedule``. Every shard with a piece in the cycle's first round has a task in
    each of its rounds, of no sentences once its pieces run out: its changes merge at
    the cycle's end with the others'.

    >>> bounds = [(np.array([0, 2, 4]), np.array([10, 10])), (np.array([0, 3]), np.array([10]))]
    >>> [[task[:3] for task in tasks] for tasks in plan_cycle(bounds, 0, 2, 0, Schedule(0.025, 0.025, 40))]
    [[(0, 0, 2), (1, 0, 3)], [(0, 2, 4), (1, 3, 3)]]
    """
    rounds = max(len(words) for _, words in bounds)
    shards = [s for s, (_, words) in enumerate(bounds) if cycle * every < len(words)]
    planned = []
    for r in range(cycle * every, min((cycle + 1) * every, rounds)):
        alpha_start, alpha_end = schedule.span(sum(int(bounds[s][1][r]) for s in shards if r < len(bounds[s][1])))
        tasks = []
        for s in shards:
            starts, words = bounds[s]
            first, last = (int(starts[r]), int(starts[r + 1])) if r < len(words) else (int(starts[-1]),) * 2
            tasks.append((s, first, last, piece_number(epoch, s, r), alpha_start, alpha_end))
        planned.append(tasks)
    return planned


# How long a transport's model may run ahead of the coordinator's weights: the rounds a
# lost worker makes it train again, and a stop that cannot reach the cluster gives up.
# Longer where a copy takes more than SYNC_SHARE of the time (a model of gigabytes).
SYNC_SECONDS = 10.0
SYNC_SHARE = 0.02


class _Synced:
    """The coordinator's weights and ``run`` as they were at the last ``sync``: where a
    failure or a stop that leaves the weights behind puts ``run`` back, so that the
    cycles it records are the cycles the weights hold."""

    def __init__(self, transport: Transport, model: tuple[np.ndarray, np.ndarray], run: RunState) -> None:
        self.transport, self.model, self.run = transport, model, run
        self.cost = 0.0  # the last sync's seconds
        self.taken()

    def taken(self) -> None:
        """The weights hold every round ``run`` records."""
        self.state = copy.deepcopy(vars(self.run))
        self.at = time.monotonic()

    def due(self) -> bool:
        return time.monotonic() - self.at >= max(SYNC_SECONDS, self.cost / SYNC_SHARE)

    def now(self) -> None:
        started = time.perf_counter()
        self.transport.sync(self.model)
        self.cost = time.perf_counter() - started
        self.run.seconds += self.cost  # training's time: an epoch's rate counts it
        self.taken()
        check_stop()  # one held back while the transport wrote the weights

    def __enter__(self) -> _Synced:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if error is None:
            return
        stop_seen()  # a stop recorded is on its way out with this error: no later run may meet it
        try:
            self.transport.sync(self.model, replay=False)
        except BaseException:  # the cluster gone with the stop, or failing: back to the weights' cycles
            vars(self.run).update(copy.deepcopy(self.state))
