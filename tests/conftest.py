"""Fixtures shared by the whole suite.

The tests run against a real PostgreSQL (``DATABASE_URL``; ``scripts/test`` points it at the
local service) and real OCR. Test data lives beside the project in ``../shared/testdata``
(override with ``SCAN_ARCHIVE_TESTDATA``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTDATA = Path(
    os.environ.get(
        "SCAN_ARCHIVE_TESTDATA", Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
    )
)


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The shared test data folder; tests using it skip with a reason when it is absent."""
    if not TESTDATA.is_dir():
        pytest.skip(f"test data not found at {TESTDATA} (set SCAN_ARCHIVE_TESTDATA)")
    return TESTDATA
