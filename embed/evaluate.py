"""The old path of ``embed.vectors.evaluate``, kept for code that imports from it.

>>> from embed.evaluate import evaluate_word_analogies, evaluate_word_pairs
"""

from .vectors.evaluate import (
    AnalogyResult,
    AnalogySection,
    PairResult,
    evaluate_word_analogies,
    evaluate_word_pairs,
    read_analogies,
    read_word_pairs,
)

__all__ = [
    "AnalogyResult", "AnalogySection", "PairResult", "evaluate_word_analogies", "evaluate_word_pairs",
    "read_analogies", "read_word_pairs",
]
