"""Share links: a secret, unguessable link to one file of one document.

A link grants exactly one thing: downloading the document's original file, or its
searchable PDF (``ShareLink.Kind``), and seeing the document's title on the link's page. Not
its pages, text, metadata, history or the owner's other documents.

The token is 32 random bytes (``secrets.token_urlsafe``: 256 bits, beyond guessing). Only its
SHA-256 is stored, so the database (or a backup of it) cannot open a link; the owner sees the
token once, when the link is made. A link works until it expires (1 day, 1 week, or never)
or its owner revokes it; a revoked or expired link answers exactly like a token that never
existed (404). Every request to a link page counts against its client address
(``SHARE_LINK_RATE`` a minute), valid token or not.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from archive.errors import UserError
from archive.models import Document
from archive.sharing.history import Action, event_record
from archive.sharing.models import ShareLink

#: Expiry choices: key -> (label, lifetime; None never expires).
EXPIRIES: dict[str, tuple[str, timedelta | None]] = {
    "1d": ("1 day", timedelta(days=1)),
    "1w": ("1 week", timedelta(weeks=1)),
    "never": ("Never", None),
}


@dataclass(frozen=True)
class NewLink:
    """A link just made: ``token`` is shown to its owner now and never again."""

    link: ShareLink
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share_link_create(
    *, owner: AbstractBaseUser, document: Document, kind: str, expires: str
) -> NewLink:
    """A new link to ``document`` (the owner's: the caller read it with ``Access.OWNER``)
    giving its ``kind`` file, expiring after ``expires`` (a key of ``EXPIRIES``)."""
    if document.owner_id != owner.pk:
        raise UserError(gettext("Only the document's owner makes links to it."))
    if kind not in ShareLink.Kind.values:
        raise UserError(gettext("A link gives the original file or the searchable PDF."))
    if expires not in EXPIRIES:
        raise UserError(gettext("A link expires after 1 day, 1 week or never."))
    label, lifetime = EXPIRIES[expires]
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = ShareLink.objects.create(
            document=document,
            created_by_id=owner.pk,
            token_hash=_digest(token),
            prefix=token[:6],
            kind=kind,
            expires_at=None if lifetime is None else timezone.now() + lifetime,
        )
        event_record(
            document,
            Action.LINK_CREATED,
            actor=owner,
            detail=f"{link.get_kind_display()}, expires: {label}",
        )
    return NewLink(link, token)


def share_link_revoke(*, owner: AbstractBaseUser, pk: int) -> ShareLink:
    """Revoke one of the owner's links (at once: the next request is refused)."""
    with transaction.atomic():
        link = (
            ShareLink.objects.select_for_update()
            .select_related("document")
            .filter(pk=pk, document__owner_id=owner.pk, revoked_at__isnull=True)
            .first()
        )
        if link is None:
            raise UserError(gettext("No such link."))
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        event_record(link.document, Action.LINK_REVOKED, actor=owner, detail=link.prefix)
    return link


def share_links(document: Document) -> list[ShareLink]:
    """The document's links, newest first (its owner reads them)."""
    return list(ShareLink.objects.filter(document=document))


def share_link_open(token: str) -> ShareLink | None:
    """The live link ``token`` opens (not revoked, not expired), its use counted; None for
    any other token. The lookup is by the token's hash (an index), never by the token."""
    if not token or len(token) > 100:
        return None
    live = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    link = (
        ShareLink.objects.select_related("document")
        .filter(live, token_hash=_digest(token), revoked_at__isnull=True)
        .first()
    )
    if link is not None:
        ShareLink.objects.filter(pk=link.pk).update(uses=F("uses") + 1)
    return link


def rate_allows(address: str) -> bool:
    """Count one request to a share-link page from ``address``; False once it made more than
    ``SHARE_LINK_RATE`` this minute. One atomic upsert: parallel requests are all counted."""
    key = hashlib.sha256(address.encode()).hexdigest()
    minute = int(time.time() // 60)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO archive_sharelinkrate (key, "window", hits) VALUES (%s, %s, 1)
            ON CONFLICT (key) DO UPDATE SET
                hits = CASE WHEN archive_sharelinkrate."window" = EXCLUDED."window"
                            THEN archive_sharelinkrate.hits + 1 ELSE 1 END,
                "window" = EXCLUDED."window"
            RETURNING hits
            """,
            [key, minute],
        )
        hits = cursor.fetchone()[0]
    return bool(hits <= settings.SHARE_LINK_RATE)
