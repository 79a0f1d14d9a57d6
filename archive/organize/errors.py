"""The one error the organize services raise for bad input."""

from __future__ import annotations


class OrganizeError(ValueError):
    """A change that cannot be made, with a message safe to show the user.

    ``field`` names the input at fault (a form field or API attribute), or is empty.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
