"""archive.search.planning: planner settings local to a savepoint, restored on success and on
error (an error must surface as itself, not as "current transaction is aborted")."""

from __future__ import annotations

import pytest
from django.db import DataError, connection, transaction

from archive.search.planning import planner_settings

pytestmark = pytest.mark.django_db


def _work_mem() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem')")
        return str(cursor.fetchone()[0])


def test_settings_apply_inside_and_are_restored_after():
    before = _work_mem()
    with transaction.atomic():
        with planner_settings({"work_mem": "77MB"}):
            assert _work_mem() == "77MB"
        assert _work_mem() == before


def test_an_error_inside_surfaces_as_itself_and_the_settings_come_back():
    before = _work_mem()
    with transaction.atomic():
        with pytest.raises(DataError), planner_settings({"work_mem": "77MB"}) as cursor:
            cursor.execute("SELECT 1 / 0")
        # The savepoint rolled back: the transaction is usable and the setting restored.
        assert _work_mem() == before
