"""What a failing storage raises, whichever the backend.

The local disk raises ``OSError`` (disk full, permissions, a folder that is gone); the S3
backend raises botocore's and boto3's own exceptions (server unreachable, refused, timed out),
none of which is an ``OSError``. Code that turns a storage failure into a message for a person
catches ``storage_errors()``.
"""

from __future__ import annotations

import functools


@functools.cache
def storage_errors() -> tuple[type[BaseException], ...]:
    """The exception classes that mean "the storage failed" (not "the file is bad")."""
    errors: list[type[BaseException]] = [OSError]
    try:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # no S3 support installed: only the local disk can fail
        return tuple(errors)
    errors += [BotoCoreError, ClientError, Boto3Error]
    return tuple(errors)


def storage_error_reason(error: BaseException) -> str:
    """A short reason for a person: the OS's words for a disk error ("No space left on
    device"), the S3 error code or botocore's message for a server that failed."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return f"storage server: {code}"
    text = str(error).strip()
    if text and not isinstance(error, OSError):
        # botocore's messages name the endpoint, never credentials.
        return f"storage server unreachable: {text}" if "connect" in text.lower() else text
    return type(error).__name__
