"""Clean names of uploaded files before they are stored or shown.

A file name comes from the uploader's machine (or a folder being imported) and can hold
anything: directories (``../../etc/passwd.png``, ``C:\\scans\\x.png``), control characters
(NUL, which PostgreSQL refuses in text; CR/LF, which break headers and logs), bidirectional
overrides that make ``gpj.exe`` read as ``exe.jpg``, or nothing at all. The name is only ever a
label (originals are stored under their sha256), but it is shown on pages and sent back as the
download's file name, so it is cleaned once, here, for every way in.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

#: Longest name kept; ``Document.original_name`` and ``Document.title`` hold 255 characters.
MAX_LENGTH = 255

#: The name used when nothing usable is left of the one given.
FALLBACK_NAME = "upload"

#: The title used when a name has no usable stem.
FALLBACK_TITLE = "Untitled scan"

# Invisible characters that change how the rest of a name is displayed (bidirectional
# embeddings, overrides and isolates, and the marks that steer them).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Extensions longer than this are treated as part of the name when cutting it to length.
_MAX_SUFFIX = 16
_SEPARATORS = re.compile(r"[/\\]")


def clean_filename(name: str) -> str:
    """The last path component of ``name``, made safe to store, show and send as a file name.

    Directories are dropped (both ``/`` and ``\\``), ``.`` and ``..`` components skipped;
    control characters, unpaired surrogates and bidirectional controls are removed; any run of
    whitespace becomes one space; the result is NFC-normalised (macOS sends decomposed
    accents), has no leading or trailing spaces or trailing dots, does not start with a dot
    (a hidden file on download), and is at most ``MAX_LENGTH`` characters with its extension
    kept. Never empty: nothing usable gives ``FALLBACK_NAME`` (keeping an extension, if any).
    """
    cleaned = _clean(name)
    if cleaned.startswith("."):
        cleaned = FALLBACK_NAME + cleaned  # ".png" -> "upload.png": the extension still says
    return _shorten(cleaned or FALLBACK_NAME)


def title_from_filename(name: str) -> str:
    """A document title from a file name: the cleaned stem, underscores read as spaces.

    Never empty (``FALLBACK_TITLE``) and at most ``MAX_LENGTH`` characters.
    """
    cleaned = _clean(name)
    if cleaned.startswith("."):
        # ".png" is an extension alone: no stem; ".notes.png" is a hidden file "notes".
        rest = cleaned.lstrip(".")
        stem = _stem(rest) if "." in rest else ""
    else:
        stem = _stem(cleaned)
    stem = " ".join(stem.replace("_", " ").split())
    return stem[:MAX_LENGTH].strip() or FALLBACK_TITLE


def clean_title(title: str) -> str:
    """A title given by a person or a program: no control characters, one space between words,
    at most ``MAX_LENGTH`` characters; ``""`` if nothing is left (the caller picks a default)."""
    return _clean_text(title)[:MAX_LENGTH].strip()


def _clean(name: str) -> str:
    """The last path component with something left once cleaned; may be empty."""
    parts = [_clean_text(part).rstrip(". ") for part in _SEPARATORS.split(name)]
    # rstrip has already turned "." and ".." into "".
    parts = [part for part in parts if part]
    if not parts:
        return ""
    # "scan .png" (a newline or a removed character before the extension): "scan.png".
    suffix = PurePosixPath(parts[-1]).suffix
    return _stem(parts[-1]).rstrip() + suffix


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")  # tabs, newlines, line separators: a space, collapsed below
        elif unicodedata.category(char) not in ("Cc", "Cs") and char not in _BIDI_CONTROLS:
            kept.append(char)
    return " ".join("".join(kept).split())


def _stem(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return name[: -len(suffix)] if suffix else name


def _shorten(name: str) -> str:
    """``name`` cut to ``MAX_LENGTH`` characters, keeping a usual-length extension."""
    if len(name) <= MAX_LENGTH:
        return name
    suffix = PurePosixPath(name).suffix
    if len(suffix) > _MAX_SUFFIX:
        suffix = ""
    stem = name[: len(name) - len(suffix)]
    return stem[: MAX_LENGTH - len(suffix)].rstrip(". ") + suffix
