"""Word Mover's Distance (Kusner et al. 2015): how far one text's words must travel,
in embedding space, to become another's.

Each text is its normalised bag of words (a word's share of its tokens); the distance is
the least cost of moving one bag onto the other, a word's mass travelling the Euclidean
distance between the two words' vectors: an earth mover's (optimal transport) problem,
solved exactly as a linear program by SciPy's HiGHS.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.spatial.distance import cdist

from ..errors import EmbedError


def bag_of_words(tokens: Sequence[Hashable]) -> tuple[list, np.ndarray]:
    """A text's distinct words in order of first appearance, and each one's share of its tokens.

    >>> bag_of_words(["a", "b", "a", "c"])
    (['a', 'b', 'c'], array([0.5 , 0.25, 0.25]))
    """
    counts = Counter(tokens)
    return list(counts), np.array(list(counts.values()), np.float64) / len(tokens)


def earth_movers_distance(supply: np.ndarray, demand: np.ndarray, cost: np.ndarray) -> float:
    """The least total cost of moving the masses ``supply`` (n, summing to 1) onto
    ``demand`` (m, summing to 1), where a unit from i to j costs ``cost[i, j]``.

    >>> earth_movers_distance(np.array([0.5, 0.5]), np.array([0.5, 0.5]), np.array([[1.0, 4.0], [2.0, 9.0]]))
    3.0
    """
    n, m = cost.shape
    # Flow i -> j is variable i * m + j: each source sends its supply, each sink takes its
    # demand. Sparse: two texts of 500 distinct words each make 250,000 flows.
    sends = sparse.kron(sparse.eye(n), np.ones((1, m)))
    takes = sparse.kron(np.ones((1, n)), sparse.eye(m))
    # One sink's row is implied by the others and the sources' (both sum to 1): left out,
    # the equalities are independent, and rounding in the shares cannot make them infeasible.
    result = linprog(cost.ravel(), A_eq=sparse.vstack([sends, takes.tocsr()[:-1]]).tocsc(),
                     b_eq=np.concatenate([supply, demand[:-1]]), bounds=(0, None), method="highs")
    if result.status != 0:  # the problem is always feasible and bounded: HiGHS failing in itself
        raise EmbedError(f"the earth mover's distance was not found: {result.message}")
    return float(result.fun)


def word_movers_distance(vectors1: np.ndarray, shares1: np.ndarray, vectors2: np.ndarray, shares2: np.ndarray) -> float:
    """The Word Mover's Distance between two bags of words (``bag_of_words``), given the
    vectors of their words, a row each.

    >>> word_movers_distance(np.array([[0.0, 0.0]]), np.array([1.0]), np.array([[3.0, 4.0], [6.0, 8.0]]),
    ...                      np.array([0.5, 0.5]))
    7.5
    """
    cost = cdist(np.asarray(vectors1, np.float64), np.asarray(vectors2, np.float64))
    if len(shares1) == 1 or len(shares2) == 1:  # every unit goes to the one word, or comes from it
        return float(shares1 @ cost @ shares2)
    return earth_movers_distance(shares1, shares2, cost)
