"""Stop signals that reach training even when Python drops their exception.

A signal handler's exception is raised in whatever the main thread runs at that
moment. When that is a weakref callback or a ``__del__`` (the garbage collector's
work, at any bytecode), Python prints "Exception ignored" and goes on, and a Ctrl-C or
SIGTERM would be lost: the run would train to the end instead of saving and stopping.
So the ``embed`` command's handlers also record the stop, and training's waits raise a
recorded stop that never arrived.

Where a stop must not land at all (between a round merged into the model and the
record that says so), ``deferred`` holds the first one back for ``check_stop``.

    >>> check_stop()  # nothing recorded
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

_recorded: list[KeyboardInterrupt] = []
_awaited: list[str] = []  # what each ``deferred`` block the program is in waits for before a stop
_holding = False  # whether a stop waits for a ``deferred`` block to end


def raise_stop(stop: KeyboardInterrupt) -> None:
    """Record ``stop`` and raise it; for signal handlers. Inside ``deferred`` the first
    stop is only recorded, and a second one raised: a run whose round never ends can
    still be stopped.

    >>> try:
    ...     raise_stop(KeyboardInterrupt())
    ... except KeyboardInterrupt:
    ...     stop_seen()
    """
    global _holding
    # Recorded before anything is decided: a signal whose handler runs in the middle of
    # this one's counts as the second.
    _recorded.append(stop)
    if _awaited and len(_recorded) == 1:
        _holding = True
        # A closed terminal (SIGHUP) makes the write fail, and a handler that lands in
        # the middle of another write to stderr cannot write: the stop holds all the same.
        with contextlib.suppress(OSError, RuntimeError):
            print(f"embed: stopping once {_awaited[-1]}; stop again to drop it", file=sys.stderr, flush=True)
        return
    raise stop


def held_back() -> bool:
    """Whether a stop waits for a ``deferred`` block to end: one that arrives now is a second.

    >>> held_back()
    False
    """
    return _holding


def interrupt(signum, frame) -> None:
    """A SIGINT handler: Ctrl-C as a stop that ``deferred`` can hold back.

    >>> import signal
    >>> previous = signal.signal(signal.SIGINT, interrupt); _ = signal.signal(signal.SIGINT, previous)
    """
    raise_stop(KeyboardInterrupt())


@contextlib.contextmanager
def interrupts_recorded() -> Iterator[None]:
    """Ctrl-C goes through ``raise_stop`` for the block where Python's own handler has
    it (a program calling ``train`` from its main thread), so that ``deferred`` holds it
    back there as under the ``embed`` command; the stop is forgotten once it has left
    the block. A program's own handler stays.

    >>> import signal
    >>> with interrupts_recorded():
    ...     signal.getsignal(signal.SIGINT) in (interrupt, signal.SIG_IGN)  # SIG_IGN: a background job's
    True
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        # The stop went out as this block's KeyboardInterrupt: a program that goes on
        # (a notebook's next cell) must not meet it again at its next check_stop.
        stop_seen()


@contextlib.contextmanager
def deferred(awaited: str) -> Iterator[None]:
    """A block that a first stop signal does not cut short: ``raise_stop`` records it
    and says that it waits until ``awaited`` ("the round in flight ends"), and
    ``check_stop`` after the block raises it. The ``embed`` command's handlers go
    through ``raise_stop``, and Ctrl-C inside ``interrupts_recorded``; another
    handler's exception lands where it lands.

    >>> with deferred("the round in flight ends"):
    ...     raise_stop(KeyboardInterrupt())  # recorded, not raised
    >>> try:
    ...     check_stop()
    ... except KeyboardInterrupt:
    ...     stop_seen()
    ...     print("stopped after the block")
    stopped after the block
    """
    _awaited.append(awaited)
    try:
        yield
    finally:
        _awaited.pop()


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
    global _holding
    _recorded.clear()
    _holding = False
