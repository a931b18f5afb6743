"""BLAS on one thread while a process trains the full softmax.

The full softmax's kernels call BLAS for their products, and OpenBLAS splits a large
product over as many threads as there are cores. That costs speed where training
threads already keep every core busy, and it costs determinism: the sums come out in
another order on another number of BLAS threads. BLAS's thread count is one setting for
the whole process, so tasks that train at once on several threads of one process (the
rounds' thread pool, a Dask worker with several threads) cannot each set it and put it
back: the first to end would put it back while the others still train. And
threadpoolctl lets only one live thread at a time change OpenBLAS's count (the others'
calls do nothing), so the thread that sets it must be the one that puts it back. So
while any caller trains, a thread of this module's own holds BLAS on one thread; the
first caller starts it and the last one to leave ends it, which puts the count back.
Where another thread of the process keeps control at more than one thread (a `with
threadpool_limits(4)` around the training), the training stops with one line rather
than give vectors that change from run to run.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from ..errors import EmbedError

_taken = threading.Lock()
_users = 0
_release: threading.Event | None = None  # set by the last caller to leave: the holder ends
_holder: threading.Thread | None = None


def _hold(ready: threading.Event, release: threading.Event) -> None:
    try:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            ready.set()
            release.wait()
    finally:
        ready.set()  # where threadpoolctl failed, the callers go on rather than wait forever


def _blas_threads() -> int:
    from threadpoolctl import threadpool_info

    return max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=1)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread until every caller inside this context, on any thread, has left.

    >>> with one_blas_thread():
    ...     _blas_threads()
    1
    """
    global _users, _release, _holder
    with _taken:
        if _users == 0:
            ready, _release = threading.Event(), threading.Event()
            _holder = threading.Thread(target=_hold, args=(ready, _release), name="embed-blas", daemon=True)
            _holder.start()
            ready.wait()
            threads = _blas_threads()
            if threads > 1:
                _release.set()
                _holder.join()
                _holder = None
                raise EmbedError(f"training in rounds with the full softmax needs BLAS on one thread for its vectors "
                                 f"to repeat, and another thread of this process holds it at {threads} (with "
                                 "threadpoolctl's threadpool_limits): train outside that block, or limit it to 1")
        _users += 1
    try:
        yield
    finally:
        with _taken:
            _users -= 1
            if _users == 0:
                _release.set()
                _holder.join()
                _holder = None
