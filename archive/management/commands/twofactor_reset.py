"""``manage.py twofactor_reset USERNAME``: remove a user's two-factor devices (recovery)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.twofactor import devices_remove


class Command(BaseCommand):
    help = (
        "Remove every two-factor (TOTP) device of a user, who then logs in with the password "
        "alone and may set up a new one: for a user who lost their authenticator app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        model = get_user_model()
        try:
            user = model.objects.get(**{model.USERNAME_FIELD: options["username"]})
        except model.DoesNotExist as error:
            raise CommandError(f"No user {options['username']!r}.") from error
        removed = devices_remove(user)
        self.stdout.write(f"Removed {removed} two-factor device(s) of {user.get_username()}.")
