"""Read side of the OCR service: a job is visible to its creator only, until it expires."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from archive.models import OcrJob


def ocr_job_get(*, user: AbstractBaseUser | AnonymousUser, job_id: uuid.UUID | str) -> OcrJob:
    """The user's job ``job_id``; ``Http404`` if it does not exist, has expired or is another
    user's (the three look the same)."""
    if not user.is_authenticated:
        raise Http404("No such OCR job.")
    job = OcrJob.objects.filter(pk=job_id, owner_id=user.pk, expires_at__gt=timezone.now()).first()
    if job is None:
        raise Http404("No such OCR job.")
    return job
