import os
import signal
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


@pytest.fixture
def interruptible():
    """Ctrl-C raises KeyboardInterrupt in this process even where the test runner was
    started with SIGINT ignored (a shell's background job inherits that, and Python then
    leaves it ignored, so _thread.interrupt_main would do nothing)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def default_signals() -> None:
    """For a child process: SIGINT as a terminal delivers it, whatever this process ignores."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
