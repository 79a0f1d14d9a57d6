"""``STORAGE_BACKEND`` as the settings read it (no models, no storage objects: the settings
import this)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"
_ALIASES = {"local": LOCAL_BACKEND, "filesystem": LOCAL_BACKEND, "s3": S3_BACKEND}


def storage_backend(value: str) -> str:
    """The storage class's dotted path for ``STORAGE_BACKEND``: "local" (or empty), "s3", or a
    dotted path given as it is. "s3" without django-storages and boto3 installed is an error
    that says what to install."""
    backend = _ALIASES.get(value.strip().lower() or "local", value.strip())
    if backend == S3_BACKEND:
        try:
            import boto3  # noqa: F401
            import storages  # noqa: F401
        except ImportError:
            raise ImproperlyConfigured(
                "STORAGE_BACKEND=s3 needs django-storages and boto3: "
                "pip install 'scan-archive[s3]'."
            ) from None
    return backend


def s3_client_config(
    *,
    connect_timeout: float,
    read_timeout: float,
    max_attempts: int,
    addressing_style: str | None = None,
    signature_version: str | None = "s3v4",
) -> Any:
    """botocore's client ``Config`` with these timeouts and attempts (the standard retry mode:
    an outage is reported after ``max_attempts`` tries, not after minutes).

    django-storages ignores ``AWS_S3_ADDRESSING_STYLE`` and ``AWS_S3_SIGNATURE_VERSION`` once a
    client config is given, so they go in here too."""
    from botocore.config import Config

    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": max_attempts, "mode": "standard"},
        s3={"addressing_style": addressing_style} if addressing_style else None,
        signature_version=signature_version,
    )
