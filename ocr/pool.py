"""The process pool the async API runs OCR in, so the event loop stays free.

OCR is CPU-bound Python and native code: threads would hold the GIL in parts of it and share
one engine lock (``RapidOcrEngine`` reads one page at a time), so each document is read in a
worker process of its own.

- Workers are started with ``spawn``: forking a process that already runs onnxruntime (or any
  library with its own thread pools) can deadlock the child. The price is that scripts using
  the async API must guard their entry point with ``if __name__ == "__main__":`` (the rule for
  any spawn-based pool).
- Each worker loads an engine the first time it is asked for it and keeps it (``get_engine``
  caches per process), so models load once per worker, not once per file.
- Memory: every worker holds its own models, about 0.8 GB with RapidOCR, plus one decoded page.
  A pool of N workers needs about N x 0.8 GB; size it with that in mind.
- Workers ignore Ctrl-C (SIGINT): the parent decides, and ``shutdown_now`` stops them.

``shared_pool()`` is created on first use, sized to the CPUs this process may use, reused by
every call, replaced if a worker died (a broken pool cannot take work), and shut down at exit.

When a worker dies (killed for memory, a crash in native code), ``ProcessPoolExecutor`` fails
*every* call in flight or queued in that pool, not only the dead worker's. ``Dispatcher.submit``
tells them apart: each call leaves a marker naming the worker that runs it, so after the break
the call whose own worker died gets ``WorkerDied`` and the others are run again on the fresh
shared pool (up to ``INNOCENT_RETRIES`` times), as if nothing had happened.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TypeVar

from ocr.errors import OcrError
from ocr.inputs import Portable, Source, portable

__all__ = [
    "Dispatcher",
    "WorkerDied",
    "default_workers",
    "make_pool",
    "shared_pool",
    "shutdown_now",
]

_T = TypeVar("_T")

#: How many times a call broken by *another* call's dying worker is run again. Its own worker
#: dying is never retried: a document that exhausts memory would only do it again.
INNOCENT_RETRIES = 2

#: How long (x 10 ms) to wait for a broken pool's workers to have exit codes.
_EXIT_POLLS = 500

_lock = threading.Lock()
_shared: ProcessPoolExecutor | None = None
_markers: Path | None = None


def default_workers() -> int:
    """The number of CPUs this process may run on (its affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def make_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A new process pool of ``workers`` (default ``default_workers()``) OCR workers.

    The caller owns it: shut it down (``with make_pool() as pool: ...``). Workers start on
    first use.
    """
    count = default_workers() if workers is None else workers
    if count < 1:
        raise ValueError(f"a pool needs at least 1 worker, not {count}")
    return ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(max(1, default_workers() // count),),
    )


def shared_pool() -> ProcessPoolExecutor:
    """The process-wide pool used when no executor is given (see the module docstring)."""
    global _shared
    with _lock:
        if _shared is None or _is_broken(_shared):
            if _shared is not None:
                _shared.shutdown(wait=False, cancel_futures=True)
            _shared = make_pool()
        return _shared


def shutdown_now(executor: Executor) -> None:
    """Stop ``executor`` without waiting: queued work is cancelled, running workers killed.

    For Ctrl-C: a plain ``shutdown`` waits until every running document is finished.
    """
    executor.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(executor, "terminate_workers", None)  # Python 3.14+
    if callable(terminate):
        terminate()
        return
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()


class WorkerDied(OcrError):
    """The worker process reading a document stopped (killed for memory, or crashed).

    ``own=False``: another document's worker died in a process pool the caller passed, which
    this library cannot replace; this document was not read.
    """

    def __init__(self, *, own: bool = True) -> None:
        if own:
            message = (
                "The OCR worker stopped unexpectedly while reading this file (it may have run "
                "out of memory). Try again, alone or with fewer files at once."
            )
        else:
            message = (
                "This file was not read: another file's OCR worker stopped unexpectedly and "
                "broke the process pool that was passed in. Make a new pool and try again."
            )
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Dispatcher:
    """Runs blocking calls from asyncio: in ``executor``, the shared pool, or a thread.

    ``local`` means the call must stay in this process (it holds a loaded ``Engine``): it then
    runs in ``executor`` if that is a ``ThreadPoolExecutor``, else in the loop's default thread
    pool. Otherwise calls go to ``executor``, by default ``shared_pool()``.
    """

    executor: Executor | None = None
    local: bool = False

    def __post_init__(self) -> None:
        if self.local and not isinstance(self.executor, ThreadPoolExecutor | None):
            raise TypeError("an Engine instance cannot be sent to another process: pass its name")

    @property
    def crosses_processes(self) -> bool:
        """Whether calls run in another process (their arguments must be picklable)."""
        return not (self.local or isinstance(self.executor, ThreadPoolExecutor))

    def workers(self) -> int:
        """How many calls can run at once (an executor's size; default ``default_workers``)."""
        return int(getattr(self.executor, "_max_workers", 0)) or default_workers()

    async def ship(self, source: Source) -> Source | Portable:
        """``source`` as the call should receive it (``ocr.inputs.portable`` if needed)."""
        if not self.crosses_processes or isinstance(source, bytes):
            return source
        # Reading a stream (maybe over the network) or encoding an image blocks; a path is
        # made absolute, since a worker may have another working directory.
        return await asyncio.to_thread(portable, source)

    async def submit(self, call: functools.partial[_T]) -> _T:
        """Run ``call`` and return its result.

        In a process pool: ``WorkerDied`` if the worker running ``call`` died; if another
        call's worker died and broke the pool, ``call`` is run again on a new shared pool (see
        the module docstring), or fails with ``WorkerDied(own=False)`` in a caller's pool.
        """
        loop = asyncio.get_running_loop()
        if self.local or not isinstance(self.executor, ProcessPoolExecutor | None):
            return await loop.run_in_executor(self.executor, call)
        for attempt in range(INNOCENT_RETRIES + 1):
            pool = self.executor or shared_pool()  # looked up each time: replaced if broken
            marker = _marker_dir() / uuid.uuid4().hex
            try:
                future = loop.run_in_executor(pool, functools.partial(_tracked, str(marker), call))
                # The pool's pid -> process map, kept now: a shut-down pool drops it.
                workers: Mapping[int, BaseProcess] = getattr(pool, "_processes", None) or {}
                return await future
            except BrokenProcessPool as exc:
                if await _died_running(marker, workers) or attempt == INNOCENT_RETRIES:
                    raise WorkerDied() from exc
                if self.executor is not None:  # not ours to replace
                    raise WorkerDied(own=False) from exc
            finally:
                marker.unlink(missing_ok=True)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _tracked(marker: str, call: Callable[[], _T]) -> _T:
    """In the worker: note which process runs ``call`` (for ``_died_running``), then run it."""
    Path(marker).write_text(str(os.getpid()), encoding="ascii")
    return call()


async def _died_running(marker: Path, workers: Mapping[int, BaseProcess]) -> bool:
    """Whether the worker that started the call behind ``marker`` died on its own.

    A broken pool terminates its other workers with SIGTERM; the dead one ended otherwise
    (SIGKILL from the OOM killer, SIGSEGV, an exit). No marker: the call had not started.
    """
    try:
        pid = int(marker.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return False
    process = workers.get(pid)
    if process is None:
        return False
    # The pool's own thread reaps its workers as it shuts the broken pool down; until it has
    # stored an exit code (a moment), ``exitcode`` reads None even for the dead one.
    for _ in range(_EXIT_POLLS):
        code = process.exitcode
        if code is not None:
            return code != -signal.SIGTERM
        await asyncio.sleep(0.01)
    return False


def _marker_dir() -> Path:
    """A private folder for this process's call markers, removed at exit."""
    global _markers
    with _lock:
        if _markers is None:
            _markers = Path(tempfile.mkdtemp(prefix="ocr-pool-"))
        return _markers


def _is_broken(pool: ProcessPoolExecutor) -> bool:
    # A worker that died (killed for memory, a crash in native code) breaks the whole pool:
    # every later submit raises BrokenProcessPool. There is no public way to ask.
    return bool(getattr(pool, "_broken", False))


def _init_worker(threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Share the cores between the workers instead of each engine using all of them
    # (an explicit OCR_THREADS from the caller wins).
    os.environ.setdefault("OCR_THREADS", str(threads))


@atexit.register
def _shutdown_shared() -> None:
    global _shared, _markers
    with _lock:
        if _shared is not None:
            _shared.shutdown(wait=True, cancel_futures=True)
            _shared = None
        if _markers is not None:
            shutil.rmtree(_markers, ignore_errors=True)
            _markers = None
