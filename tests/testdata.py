"""Where the shared test scans are, and what a test does when they are not there.

The real scans with ground truth live beside the project in ``../shared/testdata``
(``SCAN_ARCHIVE_TESTDATA`` moves them). A machine without them skips the tests that need them,
with the reason; with ``SCAN_ARCHIVE_REQUIRE_TESTDATA=1`` (``.ci/run`` sets it) those tests fail
instead, so CI cannot go green without having run them. Every test that reads the scans goes
through ``require_testdata`` or ``require_file`` (the ``testdata`` fixture calls the first).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

TESTDATA = Path(
    os.environ.get(
        "SCAN_ARCHIVE_TESTDATA", Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
    )
)
REQUIRE = "SCAN_ARCHIVE_REQUIRE_TESTDATA"


def testdata_missing(reason: str) -> NoReturn:
    """Skip the running test for ``reason``, or fail it when ``REQUIRE`` is set."""
    if os.environ.get(REQUIRE, "") not in ("", "0"):
        pytest.fail(f"{reason} ({REQUIRE} is set)", pytrace=False)
    pytest.skip(reason)


def require_testdata() -> Path:
    """The test data folder; skips (or fails, see ``REQUIRE``) when it is absent."""
    if not TESTDATA.is_dir():
        testdata_missing(f"test data not found at {TESTDATA} (set SCAN_ARCHIVE_TESTDATA)")
    return TESTDATA


def require_file(path: Path) -> Path:
    """``path`` (a file of the test data); skips (or fails, see ``REQUIRE``) when missing."""
    if not path.is_file():
        testdata_missing(f"{path} is missing from the test scans")
    return path
