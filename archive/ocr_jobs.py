"""The OCR service's jobs: a file read for a user without becoming a document of the archive.

A job keeps its input only while it is being read (workers may run on other hosts, so it goes
through the storage API like any original) and its result for ``OCR_JOB_KEEP_SECONDS``; then
the row is purged (``archive.ocr_service.jobs.purge_expired``). The id is a random UUID, and
every read goes through ``archive.ocr_service.selectors``, which shows a job to its creator
only. Defined apart from the service so that ``archive.models`` imports them without it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class OcrJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being read"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ocr_jobs"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    input = models.FileField(
        max_length=500, blank=True, help_text="The file to read; deleted once it has been read."
    )
    input_name = models.CharField(max_length=255, help_text="File name as sent.")
    mime_type = models.CharField(max_length=100)
    size = models.BigIntegerField(help_text="Size of the input in bytes.")
    page_count = models.PositiveIntegerField()
    engine = models.CharField(max_length=32)
    language = models.CharField(
        max_length=8, help_text='ISO 639-1 code the text is read in, or "detect".'
    )
    error = models.TextField(blank=True, help_text="Why reading failed, in plain words.")
    created = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="The job and its result are purged after this.")

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="ocrjob_expires")]

    def __str__(self) -> str:
        return f"OCR job {self.id} ({self.status})"


class OcrJobPage(models.Model):
    """One page of a job, read: the result as the API returns it (``results.page_json``)."""

    job = models.ForeignKey(OcrJob, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField(help_text="1-based position in the file.")
    result = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="ocrjobpage_unique_number"),
        ]

    def __str__(self) -> str:
        return f"page {self.number} of {self.job_id}"
