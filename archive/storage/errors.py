"""What a failing storage raises, whichever the backend.

The local disk raises ``OSError`` (disk full, permissions, a folder that is gone); the S3
backend raises botocore's and boto3's own exceptions (server unreachable, refused, timed out),
none of which is an ``OSError``. Code that turns a storage failure into a message for a person
catches ``storage_errors()``.
"""

from __future__ import annotations

import functools
import re


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
    device"), the S3 error code, or "storage server unreachable". Never the server's address
    (botocore's messages hold it): that is for the log, not for every user."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return f"storage server: {code}"
    # boto3's S3UploadFailedError carries the server's answer only in its message.
    answered = re.search(r"An error occurred \((\w+)\)", str(error))
    if answered:
        return f"storage server: {answered.group(1)}"
    name = type(error).__name__
    if "connect" in name.lower() or "timeout" in name.lower() or "connect" in str(error).lower():
        return "storage server unreachable"
    return name
