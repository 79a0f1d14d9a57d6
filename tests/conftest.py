"""Fixtures shared by the whole suite.

The tests run against a real PostgreSQL (``DATABASE_URL``; ``scripts/test`` points it at the
local service, or the embedded one) and real OCR. Test data lives beside the project in
``../shared/testdata`` (override with ``SCAN_ARCHIVE_TESTDATA``); see ``tests/testdata.py`` for
what happens when it is missing (``SCAN_ARCHIVE_REQUIRE_TESTDATA``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tessdata import without_russian  # noqa: F401 (a fixture for every test)
from tests.testdata import require_testdata


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """Each test starts in the default language. A request through Django's test client with
    ``Accept-Language`` (or the language cookie) activates that language in this thread and
    LocaleMiddleware leaves it active after the response, so a later test's messages built
    outside a request would otherwise come out in whatever language a test asked for last."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The shared test data folder; tests using it skip with a reason when it is absent, or
    fail when ``SCAN_ARCHIVE_REQUIRE_TESTDATA`` is set."""
    return require_testdata()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a parallel run (pytest-xdist worker processes), leave out the tests marked
    ``serial``: they stop a service every other test uses at that moment. ``scripts/test``
    runs them alone afterwards (``pytest -m serial``)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    serial = [item for item in items if item.get_closest_marker("serial")]
    if serial:
        config.hook.pytest_deselected(items=serial)
        items[:] = [item for item in items if not item.get_closest_marker("serial")]
