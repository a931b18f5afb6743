"""A running sum of losses that takes one log per many terms.

The logistic losses are sums of log(1 + e) terms; a log per term cost 12% of CBOW's
training time (measured). A tally multiplies the (1 + e) factors instead and takes the
log only when the product nears float64's range, and once at the end.
"""

import numpy as np
from numba import njit

from .. import jitcache  # noqa: F401  (before any @njit: keys the cache on every kernel source)

LARGEST_FACTOR = 1e150  # a tally's product stays below it, so product * factor never overflows


@njit(cache=True, nogil=True)
def new_tally():
    """[product of pending factors, sum settled so far]

    >>> tally = new_tally()
    >>> add_loss(tally, 2.0, 1.5)
    >>> round(tally_total(tally), 6)  # log 2 + 1.5
    2.193147
    """
    return np.array([1.0, 0.0])


@njit(cache=True, nogil=True, inline="always")
def settle(product, value):
    """(product, value) with the same product * exp(value), the product at most ``LARGEST_FACTOR``:
    kernels keep these two in registers and call ``add_loss`` once per example."""
    if product > 0.5 * LARGEST_FACTOR:  # only batches of hundreds get here
        return 1.0, value + np.log(product)
    return product, value


@njit(cache=True, nogil=True, inline="always")
def add_loss(tally, factor, value):
    """Add log(factor) + value to the tally, for 1 <= factor <= ``LARGEST_FACTOR``."""
    product = tally[0] * factor
    if product > LARGEST_FACTOR:
        tally[1] += np.log(product)
        product = 1.0
    tally[0] = product
    tally[1] += value


@njit(cache=True, nogil=True)
def tally_total(tally):
    return tally[1] + np.log(tally[0])
