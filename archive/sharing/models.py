"""Sharing: who else may see or change a document, the secret links to one, and its history.

- ``DocumentPermission``: the owner lets one user, or every member of one group (Django's
  ``auth.Group``, managed by staff in the admin), VIEW or EDIT one document.
- ``DefaultPermission``: a user's standing grant, copied onto each document they add
  (upload, bulk import, consume folder).
- ``ShareLink``: a secret link to one document's original or searchable PDF, for anyone who
  holds it, until it expires or is revoked. Only a hash of its token is stored.
- ``DocumentEvent``: one line of a document's history (who did what, when). It keeps the
  document's id and title, so the lines of a deleted document remain for staff.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    """What a grant allows. EDIT includes VIEW; deleting and sharing stay the owner's."""

    VIEW = "view", pgettext_lazy("sharing level", "View")
    EDIT = "edit", pgettext_lazy("sharing level", "Edit")


class Grant(models.Model):
    """A grant to exactly one user or one group (the other is null)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(max_length=4, choices=Level.choices, default=Level.VIEW)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def grantee(self) -> str:
        """The user's name or "group NAME", as the document page lists it."""
        if self.user is not None:
            return self.user.get_username()
        assert self.group is not None
        return f"group {self.group.name}"


def _one_grantee(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(user__isnull=False, group__isnull=True)
        | Q(user__isnull=True, group__isnull=False),
        name=name,
    )


class DocumentPermission(Grant):
    """``user`` or ``group`` may view (or edit) ``document``; granted by its owner."""

    document = models.ForeignKey(
        "archive.Document", on_delete=models.CASCADE, related_name="permissions"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            _one_grantee("sharing_permission_one_grantee"),
            models.UniqueConstraint(
                fields=["document", "user"],
                condition=Q(user__isnull=False),
                name="sharing_permission_user_once",
            ),
            models.UniqueConstraint(
                fields=["document", "group"],
                condition=Q(group__isnull=False),
                name="sharing_permission_group_once",
            ),
        ]
        # The visibility selector looks grants up by user and by group.
        indexes = [
            models.Index(fields=["user", "document"], name="sharing_perm_user"),
            models.Index(fields=["group", "document"], name="sharing_perm_group"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.grantee}: {self.level}"


class DefaultPermission(Grant):
    """Every document ``owner`` adds from now on is shared with ``user``/``group``."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="default_permissions"
    )

    class Meta:
        constraints = [
            _one_grantee("sharing_default_one_grantee"),
            models.UniqueConstraint(
                fields=["owner", "user"],
                condition=Q(user__isnull=False),
                name="sharing_default_user_once",
            ),
            models.UniqueConstraint(
                fields=["owner", "group"],
                condition=Q(group__isnull=False),
                name="sharing_default_group_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}'s new documents → {self.grantee}: {self.level}"


class ShareLink(models.Model):
    """A secret link to one file of one document. The token itself is shown once, when the
    link is made; the database keeps its SHA-256 only, so a copy of the database (a backup)
    does not open the links."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original file")
        SEARCHABLE_PDF = "searchable_pdf", _("Searchable PDF")

    document = models.ForeignKey(
        "archive.Document", on_delete=models.CASCADE, related_name="share_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    #: The token's first characters, so the owner can tell their links apart.
    prefix = models.CharField(max_length=8, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ORIGINAL)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… → {self.document_id} ({self.kind})"


class DocumentEvent(models.Model):
    """One thing a person (or the system: ``actor`` null) did to a document."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        RENAMED = "renamed", _("Renamed")
        SHARED = "shared", _("Shared")
        UNSHARED = "unshared", _("Sharing removed")
        LINK_CREATED = "link_created", _("Share link made")
        LINK_REVOKED = "link_revoked", _("Share link revoked")
        CORRECTED = "corrected", _("Text corrected")
        RERUN = "rerun", _("OCR re-run")
        DELETED = "deleted", _("Deleted")
        # Metadata (archive.sharing.history.metadata_recorded): the detail is "old → new".
        DATE = "date", _("Date changed")
        CORRESPONDENT = "correspondent", _("Correspondent changed")
        DOCUMENT_TYPE = "document_type", _("Document type changed")
        TAGS = "tags", _("Tags changed")
        FIELD = "field", _("Custom field changed")

    #: Not a foreign key: the history of a deleted document stays.
    document_id = models.BigIntegerField(db_index=True)
    title = models.CharField(max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.action} by {self.actor_id or 'system'}"


class ShareLinkRate(models.Model):
    """Requests to share-link pages from one client address in the current minute
    (``archive.sharing.links.rate_allows``): stops guessing tokens and hammering a link."""

    key = models.CharField(max_length=64, primary_key=True)
    window = models.BigIntegerField(help_text="The minute (Unix time // 60) counted.")
    hits = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key[:8]}: {self.hits} in minute {self.window}"
