"""Fixtures shared by the whole suite.

The tests run against a real PostgreSQL (``DATABASE_URL``; ``scripts/test`` points it at the
local service, or the embedded one) and real OCR. Test data lives beside the project in
``../shared/testdata`` (override with ``SCAN_ARCHIVE_TESTDATA``); see ``tests/testdata.py`` for
what happens when it is missing (``SCAN_ARCHIVE_REQUIRE_TESTDATA``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.testdata import require_testdata


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The shared test data folder; tests using it skip with a reason when it is absent, or
    fail when ``SCAN_ARCHIVE_REQUIRE_TESTDATA`` is set."""
    return require_testdata()
