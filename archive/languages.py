"""Languages a document can be filed under, and the PostgreSQL text search configuration of each.

Codes are ISO 639-1, the same codes the OCR library takes. Every configuration named here ships
with stock PostgreSQL (including the embedded server), so no extension is needed.
"""

from __future__ import annotations

# code -> (label, PostgreSQL text search configuration)
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "english"),
    "fr": ("French", "french"),
    "de": ("German", "german"),
    "es": ("Spanish", "spanish"),
    "it": ("Italian", "italian"),
    "pt": ("Portuguese", "portuguese"),
    "nl": ("Dutch", "dutch"),
    "sv": ("Swedish", "swedish"),
    "da": ("Danish", "danish"),
    "no": ("Norwegian", "norwegian"),
    "fi": ("Finnish", "finnish"),
    "ru": ("Russian", "russian"),
    "zh": ("Chinese", "simple"),
    "ja": ("Japanese", "simple"),
}

LANGUAGE_CHOICES = [(code, label) for code, (label, _config) in LANGUAGES.items()]


def search_config(language: str) -> str:
    """The text search configuration for ``language``; ``simple`` (no stemming) if unknown."""
    return LANGUAGES.get(language, ("", "simple"))[1]
