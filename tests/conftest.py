import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # for tests/reference.py

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


@pytest.fixture
def tiny_corpus(tmp_path):
    """A small synthetic corpus with two clear word families, written to a file."""
    rng = np.random.default_rng(0)
    animals = ["cat", "dog", "horse", "cow", "sheep"]
    tools = ["hammer", "saw", "drill", "wrench", "pliers"]
    lines = []
    for _ in range(400):
        family = animals if rng.random() < 0.5 else tools
        lines.append(" ".join(rng.choice(family, 8)))
    path = tmp_path / "tiny.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, animals, tools
