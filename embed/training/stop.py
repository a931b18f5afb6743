"""Stop signals that reach training even when Python drops their exception.

A signal handler's exception is raised in whatever the main thread runs at that
moment. When that is a weakref callback or a ``__del__`` (the garbage collector's
work, at any bytecode), Python prints "Exception ignored" and goes on, and a Ctrl-C or
SIGTERM would be lost: the run would train to the end instead of saving and stopping.
So the ``embed`` command's handlers also record the stop, and training's waits raise a
recorded stop that never arrived.

    >>> check_stop()  # nothing recorded
"""

from __future__ import annotations

from typing import NoReturn

_recorded: list[KeyboardInterrupt] = []


def raise_stop(stop: KeyboardInterrupt) -> NoReturn:
    """Record ``stop`` and raise it; for signal handlers."""
    record_stop(stop)
    raise stop


def record_stop(stop: KeyboardInterrupt) -> None:
    """Record ``stop`` without raising it: for a wait that lets the work in flight end
    first, and leaves ``check_stop`` to raise it afterwards."""
    _recorded.append(stop)


def check_stop() -> None:
    """Raise a recorded stop that has not been seen (see ``stop_seen``)."""
    if _recorded:
        raise _recorded[-1]


def stop_seen() -> None:
    """The stop reached the code that acts on it: forget it."""
    _recorded.clear()
