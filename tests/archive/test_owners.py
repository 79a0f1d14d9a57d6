"""``archive.management.owners``: every command that takes ``--owner`` refuses an unknown user
the same way, before doing anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.management.owners import owner_named

pytestmark = pytest.mark.django_db


def test_a_known_user_is_found(alice) -> None:
    assert owner_named("alice") == alice


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        ("import", lambda folder: [str(folder)]),
        ("search", lambda folder: ["invoice"]),
        ("watch", lambda folder: [str(folder), "--once"]),
    ],
)
def test_an_unknown_owner_is_refused_by_name(
    alice, tmp_path: Path, command: str, arguments
) -> None:
    with pytest.raises(CommandError, match=r"^No user named 'nobody'\.$"):
        call_command(command, *arguments(tmp_path), "--owner", "nobody")
    assert not (tmp_path / "done").exists()  # watch stopped before preparing the folder
