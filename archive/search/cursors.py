"""Keyset cursors for "next page" links: the last row's sort key and id, opaque to the user.

A cursor is ``base64url("<sort>|<key>|<id>")``. It is not signed: editing it can only move the
window within the user's own results, so the only duty here is to refuse what does not parse
as a cursor of the same sort, with ``BadCursor`` (shown to the user as a plain note).
"""

from __future__ import annotations

import base64
import binascii
import math
from datetime import datetime

from django.utils.translation import gettext


class BadCursor(ValueError):
    """A ``cursor`` that this search did not hand out (edited or from another sort)."""


def encode_cursor(*parts: object) -> str:
    """The cursor text for ``parts`` (sort name, key, id)."""
    return base64.urlsafe_b64encode("|".join(map(str, parts)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> tuple[str, int]:
    """(key text, id) of a cursor of sort ``kind``; ``BadCursor`` if it is anything else.

    The key is a finite float for relevance and an ISO timestamp with a time zone otherwise;
    it is checked here so a caller can convert and compare it without further error handling.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        found_kind, key, pk = raw.split("|")
        if found_kind != kind:
            raise ValueError(kind)
        if kind == "relevance":
            if not math.isfinite(float(key)):
                raise ValueError(key)
        elif datetime.fromisoformat(key).tzinfo is None:
            # Every cursor we hand out carries its time zone; a bare date or naive time is an
            # edited cursor, and comparing it with stored aware times would fail.
            raise ValueError(key)
        return key, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(gettext("This page of results is out of date; search again.")) from error
