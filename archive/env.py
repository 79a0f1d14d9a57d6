"""Small typed readers for settings that come from environment variables.

Every setting of Scan Archive is an environment variable; these helpers turn the strings into
typed values and fail loudly (naming the variable) when a value cannot be understood, instead of
silently falling back to a default the operator did not ask for.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable's value, or ``default`` when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return a boolean: 1/true/yes/on or 0/false/no/off (any case); unset gives ``default``."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return an integer; unset gives ``default``; below ``minimum`` is an error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list with blanks dropped; unset gives ``default``."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """Return a decimal number; unset gives ``default``; outside [minimum, maximum] is an error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if value != value:  # NaN compares unequal to itself and to every bound
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} is above the maximum of {maximum}.")
    return value


def var_dir() -> Path:
    """The local-mode data folder (embedded PostgreSQL, files, secret key):
    ``SCAN_ARCHIVE_VAR_DIR``, by default ``var/`` in the project folder."""
    default = Path(__file__).resolve().parent.parent / "var"
    return Path(env_str("SCAN_ARCHIVE_VAR_DIR", str(default)))
