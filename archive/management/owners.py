"""The ``--owner USERNAME`` of the commands that act for one user (``import``, ``search``,
``watch``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import CommandError


def owner_named(username: str) -> AbstractBaseUser:
    """The user called ``username``; ``CommandError("No user named ...")`` if there is none."""
    user_model = get_user_model()
    try:
        return user_model.objects.get(username=username)
    except user_model.DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None
