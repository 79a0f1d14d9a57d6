"""A pool worker really dies (SIGKILL mid-OCR) and the async API copes.

The worker reading a chosen file is found through ``/proc/<pid>/fd`` (which child has that
file open) and killed with SIGKILL while it runs Tesseract on real scans, the way the kernel's
out-of-memory killer stops a worker. Linux only.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from collections.abc import Iterable
from concurrent.futures import Executor
from pathlib import Path

import pytest
from PIL import Image

import ocr
from ocr.api import Outcome
from ocr.pool import WorkerDied, default_workers, shared_pool
from ocr.types import DocumentResult

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc"),
]

ENGINE = "tesseract"


@pytest.fixture(scope="module")
def engine_name() -> str:
    if ENGINE not in ocr.available_engines():
        pytest.skip(f"{ENGINE} is not installed")
    return ENGINE


def _tiff(path: Path, scans: Iterable[Path]) -> Path:
    """A multi-page TIFF of ``scans``: a document that keeps a worker busy for seconds."""
    pages = [Image.open(scan).convert("L") for scan in scans]
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw")
    return path


@pytest.fixture
def long_document(tmp_path: Path, testdata: Path) -> Path:
    """Four real magazine pages (several seconds of OCR): the one whose worker is killed."""
    scans = testdata / "tesseract_test"
    return _tiff(tmp_path / "long.tif", [scans / "8087_054.3B.tif", scans / "8071_093.3B.tif"] * 2)


@pytest.fixture
def other_document(tmp_path: Path, testdata: Path) -> Path:
    """Two real magazine pages: read by another worker while the long one's worker dies."""
    return _tiff(tmp_path / "other.tif", [testdata / "tesseract_test" / "8087_054.3B.tif"] * 2)


def _reader(path: Path) -> int | None:
    """The pid of the child process (a pool worker) that has ``path`` open, if any."""
    target = str(path)
    for child in multiprocessing.active_children():
        folder = f"/proc/{child.pid}/fd"
        try:
            links = [os.readlink(f"{folder}/{fd}") for fd in os.listdir(folder)]
        except OSError:  # it exited meanwhile
            continue
        if target in links:
            return child.pid
    return None


async def _wait_for_readers(*paths: Path, timeout: float = 120.0) -> list[int]:
    """Wait until every path in ``paths`` is open in a worker; their pids."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = [_reader(path) for path in paths]
        if all(pid is not None for pid in pids):
            return [pid for pid in pids if pid is not None]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no worker opened {', '.join(map(str, paths))} in {timeout} s")


def _assert_died(outcome: object) -> None:
    assert isinstance(outcome, WorkerDied)
    assert str(outcome).startswith(
        "The OCR worker stopped unexpectedly while reading this file (it may have run out of "
        "memory)."
    )


def test_a_killed_worker_fails_only_its_own_input_in_aextract_many(
    engine_name: str, long_document: Path, other_document: Path, phototest: Path
) -> None:
    sources = [long_document, other_document, phototest]
    # With two workers both documents are read at once, so the kill also breaks the other
    # worker's document mid-page; with one, the other document waits in the broken pool's
    # queue. Either way it must be read again, not failed.
    in_flight = [long_document, other_document] if default_workers() >= 2 else [long_document]

    async def main() -> list[Outcome]:
        batch = asyncio.create_task(ocr.aextract_many(sources, engine=engine_name, concurrency=2))
        victim, *_ = await _wait_for_readers(*in_flight)
        assert not batch.done()
        os.kill(victim, signal.SIGKILL)
        return await batch

    outcomes = asyncio.run(main())

    assert len(outcomes) == len(sources)
    died, other, photo = outcomes
    _assert_died(died)
    assert isinstance(other, DocumentResult)
    assert len(other.pages) == 2
    assert other.pages[0].text == other.pages[1].text  # the same scan twice, read in full
    assert "Dubrovnik" in other.pages[0].text
    assert isinstance(photo, DocumentResult)
    assert "The quick brown dog jumped over the" in photo.text


def test_a_killed_worker_in_arecognize_and_the_pool_is_replaced(
    engine_name: str, long_document: Path, phototest: Path
) -> None:
    async def main() -> tuple[BaseException | None, str]:
        reading = asyncio.create_task(ocr.arecognize(long_document, engine=engine_name))
        (victim,) = await _wait_for_readers(long_document)
        os.kill(victim, signal.SIGKILL)
        try:
            await reading
        except WorkerDied as exc:
            error: BaseException | None = exc
        else:
            error = None
        # The same process pool cannot take work any more: the next call gets a new one.
        return error, await ocr.aextract_text(phototest, engine=engine_name)

    broken = shared_pool()
    error, text = asyncio.run(main())
    _assert_died(error)
    assert "The quick brown dog jumped over the" in text
    assert shared_pool() is not broken


@pytest.mark.skipif(default_workers() < 2, reason="needs two workers reading at once")
def test_a_killed_worker_in_a_callers_pool_fails_the_batch_with_plain_reasons(
    engine_name: str, long_document: Path, other_document: Path
) -> None:
    # The library cannot replace a pool it was given: the other document is not read, and
    # its slot says why and what to do.
    async def main(pool: Executor) -> list[Outcome]:
        batch = asyncio.create_task(
            ocr.aextract_many([long_document, other_document], engine=engine_name, executor=pool)
        )
        victim, _ = await _wait_for_readers(long_document, other_document)
        os.kill(victim, signal.SIGKILL)
        return await batch

    with ocr.make_pool(2) as pool:
        died, other = asyncio.run(main(pool))
    _assert_died(died)
    assert isinstance(other, WorkerDied)
    assert str(other).startswith("This file was not read: another file's OCR worker stopped")
