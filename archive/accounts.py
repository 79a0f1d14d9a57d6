"""The first admin account, made by ``manage.py serve`` on a new installation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class NewAdmin:
    username: str
    password: str


def ensure_admin(*, username: str, password: str = "", password_file: Path) -> NewAdmin | None:
    """Create a superuser if the installation has none; return its credentials, else None.

    Without ``password`` a random one is generated. Either way it is written to
    ``password_file`` (mode 0600) so that a user who missed the console output can find it;
    deleting the file afterwards is safe.
    """
    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        return None
    password = password or secrets.token_urlsafe(12)
    user_model.objects.create_superuser(username=username, email="", password=password)
    password_file.parent.mkdir(parents=True, exist_ok=True)
    password_file.write_text(f"username: {username}\npassword: {password}\n")
    password_file.chmod(0o600)
    return NewAdmin(username, password)
