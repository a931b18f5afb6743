"""The old path of ``embed.vectors.plot``, kept for code that imports from it.

>>> from embed.plot import plot_capitals
"""

from .vectors.plot import CAPITAL_SECTIONS, Projection, capital_pairs, plot_capitals, plot_words, project

__all__ = ["CAPITAL_SECTIONS", "Projection", "capital_pairs", "plot_capitals", "plot_words", "project"]
