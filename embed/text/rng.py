"""Seeded random draws shared by the window generators and the kernels.

A state is a one-element uint64 array advanced by splitmix64, so jitted kernels and
plain Python draw the same numbers from the same seed. Each chunk of the corpus gets
its own states, derived from the seed and the chunk's number, which keeps a run
reproducible whatever order worker threads take chunks in.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_MASK = (1 << 64) - 1
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def make_state(seed: int, stream: int = 0, chunk: int = 0) -> np.ndarray:
    """A fresh state for one stream (windows, noise) of one chunk of one seed."""
    mixed = (seed * 0x9E3779B97F4A7C15 + stream * 0xD1B54A32D192ED03 + chunk * 0x8CB92BA72F3D8DD7) & _MASK
    return np.array([mixed], dtype=np.uint64)


@njit(cache=True, nogil=True, inline="always")
def next_u64(state):
    z = state[0] + _GAMMA
    state[0] = z
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True, inline="always")
def uniform(state):
    """A float64 in [0, 1)."""
    return (next_u64(state) >> np.uint64(11)) * _TO_UNIT


@njit(cache=True, nogil=True, inline="always")
def below(state, n):
    """An integer in [0, n)."""
    return np.int64(uniform(state) * n)
