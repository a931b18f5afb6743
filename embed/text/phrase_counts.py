"""Counting and joining adjacent token pairs in jitted code, for ``embed.training.phrases``.

A corpus arrives here as blocks of token ids with the positions where sentences start
(the form ``embed.text.plaintext.PlainCounts`` hands its sink): no pair is counted or
joined across a start, and a sentence open at the end of a block goes on in the next.
A token is an id >= 0 (a word, numbered as the reader met it) or -(j + 1) for phrase j
made by an earlier pass. ``trans`` maps a word's id to the id the tables use (-1 for a
word they do not hold; an empty ``trans`` keeps ids as they are) and phrase j is
``n_base + j`` there, so that one dense array counts words and phrases alike.

A pair (a, b) of those ids is the int64 key ``a << 32 | b`` in an open-addressing table
(linear probing, kept at most two thirds full). Python's dict of joined strings, which
gensim keys its counts by, costs about 1.7 s per million tokens; here a token costs one
probe, and the loop never holds the GIL, so decompressing the next block overlaps it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: the cache locators are chosen at decoration)

EMPTY = np.int64(-1)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: consecutive ids spread over the table
COUNTED, GROW = 0, 1  # count_pairs' answers
_NO_TRANS = np.zeros(0, dtype=np.int64)  # ids are the tables' ids

# count_pairs' state, one int64 array so the kernel takes few arguments: the previous
# token's id (-1 at a sentence start), tokens counted, pairs held, distinct tokens held,
# the pruning floor, and the next sentence start of the block (to resume after GROW).
PREV, TOKENS, PAIRS, SEEN, MIN_REDUCE, NEXT_START = range(6)
STATE_FIELDS = 6


@njit(cache=True, nogil=True, inline="always")
def _first_slot(key, mask):
    h = np.uint64(key) * _MIX
    return np.int64((h ^ (h >> np.uint64(29))) & np.uint64(mask))


@njit(cache=True, nogil=True, inline="always")
def _table_id(token, trans, n_base):
    if token < 0:
        return n_base + (-np.int64(token) - 1)
    if trans.shape[0] == 0:
        return np.int64(token)
    return np.int64(trans[token])


@njit(cache=True, nogil=True)
def find(table, key):
    """The value ``key`` has in ``table``, or -1."""
    mask = table.shape[0] // 2 - 1
    slot = _first_slot(key, mask)
    while True:
        found = table[2 * slot]
        if found == key:
            return table[2 * slot + 1]
        if found == EMPTY:
            return -1
        slot = (slot + 1) & mask


@njit(cache=True, nogil=True)
def insert_all(table, keys, values):
    """Put each of ``keys`` (absent from the table) with its value."""
    mask = table.shape[0] // 2 - 1
    for k in range(keys.shape[0]):
        slot = _first_slot(keys[k], mask)
        while table[2 * slot] != EMPTY:
            slot = (slot + 1) & mask
        table[2 * slot] = keys[k]
        table[2 * slot + 1] = values[k]


@njit(cache=True, nogil=True)
def held_pairs(table, least):
    """(keys, counts) of the pairs held with a count >= ``least``, in table order."""
    found = 0
    for slot in range(table.shape[0] // 2):
        if table[2 * slot] != EMPTY and table[2 * slot + 1] >= least:
            found += 1
    keys = np.empty(found, dtype=np.int64)
    counts = np.empty(found, dtype=np.int64)
    k = 0
    for slot in range(table.shape[0] // 2):
        if table[2 * slot] != EMPTY and table[2 * slot + 1] >= least:
            keys[k] = table[2 * slot]
            counts[k] = table[2 * slot + 1]
            k += 1
    return keys, counts


@njit(cache=True, nogil=True)
def prune(table, unigrams, state):
    """word2phrase's ReduceVocab: forget every token and pair seen at most
    ``state[MIN_REDUCE]`` times (their counts start again from 0), then raise the floor."""
    floor = state[MIN_REDUCE]
    seen = state[SEEN]
    for m in range(unigrams.shape[0]):
        if 0 < unigrams[m] <= floor:
            unigrams[m] = 0
            seen -= 1
    keys, counts = held_pairs(table, floor + 1)
    table[0::2] = EMPTY
    insert_all(table, keys, counts)
    state[PAIRS] = keys.shape[0]
    state[SEEN] = seen
    state[MIN_REDUCE] = floor + 1


@njit(cache=True, nogil=True)
def count_pairs(tokens, starts, position, trans, n_base, unigrams, table, state, max_table):
    """Count the tokens of a block from ``position`` on, and each pair of neighbours in a
    sentence, in ``table`` (key, count, key, count, ...: one cache line per probe);
    prune (``prune``) whenever distinct tokens plus distinct pairs exceed
    ``max_table``. Returns (COUNTED, len(tokens)), or (GROW, i) when the table must
    grow before token i: nothing of token i is counted yet, and ``state`` says where to
    go on. ``unigrams`` must have room for every id of the block."""
    prev = state[PREV]
    total = state[TOKENS]
    used = state[PAIRS]
    seen = state[SEEN]
    s = state[NEXT_START]
    slots = table.shape[0] // 2
    limit = (slots * 2) // 3
    mask = slots - 1
    n = tokens.shape[0]
    for i in range(position, n):
        while s < starts.shape[0] and starts[s] <= i:
            prev = -1
            s += 1
        if prev >= 0 and used >= limit:
            state[PREV], state[TOKENS], state[PAIRS], state[SEEN], state[NEXT_START] = prev, total, used, seen, s
            return GROW, i
        m = _table_id(tokens[i], trans, n_base)
        if unigrams[m] == 0:
            seen += 1
        unigrams[m] += 1
        total += 1
        if prev >= 0:
            key = (prev << 32) | m
            slot = _first_slot(key, mask)
            while True:
                found = table[2 * slot]
                if found == key:
                    table[2 * slot + 1] += 1
                    break
                if found == EMPTY:
                    table[2 * slot] = key
                    table[2 * slot + 1] = 1
                    used += 1
                    break
                slot = (slot + 1) & mask
        prev = m
        if seen + used > max_table:
            state[PAIRS], state[SEEN] = used, seen
            prune(table, unigrams, state)
            used, seen = state[PAIRS], state[SEEN]
    if s < starts.shape[0]:  # a start after the block's last token: the sentence ended with it
        prev = -1
    state[PREV], state[TOKENS], state[PAIRS], state[SEEN], state[NEXT_START] = prev, total, used, seen, 0
    return COUNTED, n


@njit(cache=True, nogil=True)
def join_pairs(tokens, starts, trans, n_base, table, held, out, out_starts, final):
    """One pass of word2phrase's joining over a block: left to right, a token and the
    next join when their pair is in ``table`` (its value: the phrase's number j, which
    becomes the token -(j + 1)); a token just joined does not join again in this pass.
    The block's last token is held back (``held``: [whether one is held, the token]),
    since it may join with the next block's first; ``final`` lets it go. Returns how
    many tokens and sentence starts were written to ``out`` and ``out_starts`` (which
    need room for len(tokens) + 1 and len(starts))."""
    has_held = held[0] != 0
    last = held[1]
    written = 0
    started = 0
    s = 0
    n = tokens.shape[0]
    for i in range(n + 1):  # one step past the last token, for the starts after it
        while s < starts.shape[0] and (starts[s] <= i or i == n):
            if has_held:
                out[written] = last
                written += 1
                has_held = False
            out_starts[started] = written
            started += 1
            s += 1
        if i == n:
            break
        token = tokens[i]
        if has_held:
            a = _table_id(last, trans, n_base)
            b = _table_id(token, trans, n_base)
            joined = -1
            if a >= 0 and b >= 0:
                joined = find(table, (a << 32) | b)
            if joined >= 0:
                out[written] = -(joined + 1)
                written += 1
                has_held = False
                continue
            out[written] = last
            written += 1
        last = token
        has_held = True
    if final and has_held:
        out[written] = last
        written += 1
        has_held = False
    held[0] = 1 if has_held else 0
    held[1] = last
    return written, started


def _empty_table(slots: int) -> np.ndarray:
    """A table of ``slots`` (key, value) slots, all empty."""
    table = np.zeros(2 * slots, dtype=np.int64)
    table[0::2] = EMPTY
    return table


class PairCounts:
    """Every token and every pair of neighbours in a sentence counted, as word2phrase's
    learning pass counts them, with its pruning: when distinct tokens and pairs together
    exceed ``max_table``, those seen at most ``min_reduce`` times are forgotten and
    ``min_reduce`` rises by one (so a pair whose occurrences are spread thinly can be
    lost near the limit, as in word2phrase).

    >>> counts = PairCounts()
    >>> counts.add(np.array([0, 1, 0, 1, 2], np.int32), np.array([0, 2]))   # "a b" / "a b c"
    >>> counts.pairs(), counts.unigrams.tolist(), counts.tokens
    ({(0, 1): 2, (1, 2): 1}, [2, 2, 1], 5)
    """

    def __init__(self, max_table: int = 40_000_000, capacity: int = 1 << 16) -> None:
        self.max_table = max_table
        self.table = _empty_table(capacity)
        self.unigram_counts = np.zeros(1 << 12, dtype=np.int64)
        self.state = np.zeros(STATE_FIELDS, dtype=np.int64)
        self.state[PREV] = -1
        self.state[MIN_REDUCE] = 1
        self.ids = 0  # one past the largest table id met

    def add(self, tokens: np.ndarray, starts: np.ndarray, n_base: int = 0) -> None:
        """Count a block: ``tokens`` (int32: words' ids, or -(j + 1) for phrase j, whose
        id here is ``n_base + j``), ``starts`` (positions in it where a sentence
        starts); a sentence open at the end goes on in the next block."""
        if len(tokens):
            low = int(tokens.min())
            self.ids = max(self.ids, int(tokens.max()) + 1, n_base - low if low < 0 else 0)
            if self.ids > len(self.unigram_counts):
                grown = np.zeros(max(self.ids, 2 * len(self.unigram_counts)), dtype=np.int64)
                grown[: len(self.unigram_counts)] = self.unigram_counts
                self.unigram_counts = grown
        position = 0
        starts = np.asarray(starts, dtype=np.int64)
        while True:
            status, position = count_pairs(tokens, starts, position, _NO_TRANS, np.int64(n_base), self.unigram_counts,
                                           self.table, self.state, np.int64(self.max_table))
            if status == COUNTED:
                return
            self._grow()

    def end_sentence(self) -> None:
        """The next token starts a sentence (as at the end of a file)."""
        self.state[PREV] = -1

    def _grow(self) -> None:
        keys, counts = held_pairs(self.table, 1)
        slots = len(self.table) // 2
        # Four times while small: fewer rehashes on the way up (a large corpus's table
        # grows to millions of pairs), at most 16 MB more than needed.
        self.table = _empty_table(slots * (4 if slots < 1 << 19 else 2))
        insert_all(self.table, keys, counts)

    @property
    def unigrams(self) -> np.ndarray:
        """Each table id's count (0 for one pruned or never met)."""
        return self.unigram_counts[: self.ids]

    @property
    def tokens(self) -> int:
        """Tokens counted (word2phrase's train_words): pruning does not lower it."""
        return int(self.state[TOKENS])

    @property
    def pairs_held(self) -> int:
        return int(self.state[PAIRS])

    @property
    def min_reduce(self) -> int:
        """1 until the first pruning, then one more each time."""
        return int(self.state[MIN_REDUCE])

    def pair_arrays(self, least: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(first ids, second ids, counts) of the pairs held ``least`` times or more, in
        table order."""
        keys, counts = held_pairs(self.table, least)
        return keys >> 32, keys & 0xFFFFFFFF, counts

    def pairs(self) -> dict[tuple[int, int], int]:
        """{(first id, second id): count}, sorted; for tests and small tables."""
        a, b, counts = self.pair_arrays()
        return dict(sorted(((int(x), int(y)), int(c)) for x, y, c in zip(a, b, counts)))



class PairJoiner:
    """One pass's phrases as a table from a pair of ids to the phrase's number, joined
    over blocks that may cut a sentence (see ``join_pairs``).

    >>> joiner = PairJoiner(np.array([0]), np.array([1]), np.array([7]))   # (0, 1) is phrase 7
    >>> out, starts = joiner.join(np.array([0, 1, 1, 0], np.int32), np.array([0, 2]))
    >>> out.tolist(), starts.tolist()  # the last 0 is held: the next block may pair it
    ([-8, 1], [0, 1])
    >>> [a.tolist() for a in joiner.join(np.array([1], np.int32), np.array([], np.int64), final=True)]
    [[-8], []]
    """

    def __init__(self, first: np.ndarray, second: np.ndarray, numbers: np.ndarray) -> None:
        self.table = _empty_table(1 << max(4, (3 * len(first)).bit_length()))  # at most three eighths full
        insert_all(self.table, (np.asarray(first, np.int64) << 32) | np.asarray(second, np.int64),
                   np.asarray(numbers, np.int64))
        self.held = np.zeros(2, dtype=np.int64)

    def join(self, tokens: np.ndarray, starts: np.ndarray, trans: np.ndarray | None = None, n_base: int = 0,
             final: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The block with this pass's phrases joined (and the token held from the block
        before in front), and its sentence starts."""
        out = np.empty(len(tokens) + 1, dtype=np.int32)
        out_starts = np.empty(len(starts), dtype=np.int64)
        written, started = join_pairs(tokens, np.asarray(starts, dtype=np.int64), _NO_TRANS if trans is None else trans,
                                      np.int64(n_base), self.table, self.held, out, out_starts, final)
        return out[:written], out_starts[:started]

    def reset(self) -> None:
        self.held[:] = 0

    def fresh(self) -> PairJoiner:
        """The same table, holding nothing: one for each reading that goes on at once."""
        joiner = object.__new__(PairJoiner)
        joiner.table, joiner.held = self.table, np.zeros(2, dtype=np.int64)
        return joiner
