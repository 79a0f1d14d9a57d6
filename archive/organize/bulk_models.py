"""A bulk edit of many documents (``archive.organize.bulk_edit``): what to do, to which
documents, and how far it has got."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class BulkEdit(models.Model):
    """One bulk edit, run a batch at a time (one transaction per batch).

    ``documents`` are the ids chosen when the edit was asked for (for "all matching this
    filter", the matches at that moment). ``done`` counts the documents of the batches
    committed so far; ``changed`` what those batches changed (tags added, documents updated);
    ``summary`` says it in words once finished; ``error`` why a batch failed (that batch and
    the ones after it are not applied; the ones before are).
    """

    class Action(models.TextChoices):
        ADD_TAGS = "add_tags", _("Add tags")
        REMOVE_TAGS = "remove_tags", _("Remove tags")
        SET_CORRESPONDENT = "set_correspondent", _("Set correspondent")
        SET_TYPE = "set_type", _("Set document type")
        SET_DATE = "set_date", _("Set document date")
        SET_FIELD = "set_field", _("Set custom field")
        RERUN = "rerun", _("Re-run OCR")
        DELETE = "delete", _("Delete")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    # The action's value: {"tags": [ids]}, {"correspondent": id|None}, {"date": "YYYY-MM-DD"|None},
    # {"field": id, "value": …}.
    params = models.JSONField(default=dict, blank=True)
    documents = ArrayField(models.BigIntegerField(), default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0, help_text="Batches committed.")
    summary = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["owner", "-created"], name="bulk_edit_owner_created")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} × {len(self.documents)} ({self.status})"

    @property
    def total(self) -> int:
        """How many documents were chosen."""
        return len(self.documents)

    @property
    def percent(self) -> int:
        """How far it has got, 0-100."""
        return 100 if not self.documents else int(100 * self.done / len(self.documents))
