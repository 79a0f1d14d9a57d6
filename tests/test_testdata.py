"""The switch that turns "test data missing" skips into failures (``tests/testdata.py``).

Each case runs a small pytest session in a child process, whose tests use the real ``testdata``
fixture and ``require_file``, with ``SCAN_ARCHIVE_TESTDATA`` pointed at a folder that does not
exist or lacks the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = "from tests.conftest import testdata  # noqa: F401  (the suite's real fixture)\n"
TESTS = """
from tests.testdata import require_file


def test_folder(testdata):
    assert testdata.is_dir()


def test_file(tmp_path):
    require_file(tmp_path / "scan.tif")
"""


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """pytest on a two-test folder; the data folder is a path that does not exist."""
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "conftest.py").write_text(CONFTEST)
    (tmp_path / "case" / "test_case.py").write_text(TESTS)
    child_env = {
        **{k: v for k, v in os.environ.items() if k != "SCAN_ARCHIVE_REQUIRE_TESTDATA"},
        "PYTHONPATH": str(ROOT),
        "SCAN_ARCHIVE_TESTDATA": str(tmp_path / "no-such-folder"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", "-rs"],
        cwd=tmp_path / "case",
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_test_data_skips_with_the_reason(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout
    assert "test data not found at" in result.stdout
    assert "is missing from the test scans" in result.stdout


@pytest.mark.parametrize("value", ["1", "yes"])
def test_required_test_data_turns_each_skip_into_a_failure(tmp_path: Path, value: str) -> None:
    result = _run(tmp_path, SCAN_ARCHIVE_REQUIRE_TESTDATA=value)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "skipped" not in result.stdout
    # The fixture fails in its setup (an error), require_file in the test (a failure).
    assert "1 failed" in result.stdout
    assert "1 error" in result.stdout
    assert "SCAN_ARCHIVE_REQUIRE_TESTDATA is set" in result.stdout


def test_zero_leaves_the_switch_off(tmp_path: Path) -> None:
    result = _run(tmp_path, SCAN_ARCHIVE_REQUIRE_TESTDATA="0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout
