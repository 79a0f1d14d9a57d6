"""Languages a document can be filed under, and the PostgreSQL text search configuration of each.

Codes are ISO 639-1, the same codes the OCR library takes. Every configuration named here ships
with stock PostgreSQL (including the embedded server), so no extension is needed.

A leaf module: it imports nothing of the archive (``archive.models`` imports it), so a document
is described here by the ``Filed`` protocol rather than the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class Filed(Protocol):
    """What ``document_search_configs`` reads of a document (``archive.models.Document``)."""

    @property
    def language(self) -> str: ...

    @property
    def languages(self) -> Sequence[str] | None: ...


# code -> (label, PostgreSQL text search configuration)
# Labels are translated where shown (lazily: this module is read before any language is active).
LANGUAGES: dict[str, tuple[StrOrPromise, str]] = {
    "en": (_("English"), "english"),
    "fr": (_("French"), "french"),
    "de": (_("German"), "german"),
    "es": (_("Spanish"), "spanish"),
    "it": (_("Italian"), "italian"),
    "pt": (_("Portuguese"), "portuguese"),
    "nl": (_("Dutch"), "dutch"),
    "sv": (_("Swedish"), "swedish"),
    "da": (_("Danish"), "danish"),
    "no": (_("Norwegian"), "norwegian"),
    "fi": (_("Finnish"), "finnish"),
    "ru": (_("Russian"), "russian"),
    "zh": (_("Chinese"), "simple"),
    "ja": (_("Japanese"), "simple"),
}

LANGUAGE_CHOICES = [(code, label) for code, (label, _config) in LANGUAGES.items()]

#: The language to give a new document whose language the worker should find from its text
#: (``archive.langdetect``); the default of every way in (web, API, import, consume folder).
DETECT = "detect"
#: The choices of an upload or a re-run: "detect", then every language.
UPLOAD_LANGUAGE_CHOICES = [(DETECT, _("Detect from the text")), *LANGUAGE_CHOICES]


def search_config(language: str) -> str:
    """The text search configuration for ``language``; ``simple`` (no stemming) if unknown."""
    return LANGUAGES.get(language, ("", "simple"))[1]


def language_label(language: str) -> str:
    """The name of ``language`` ("French") in the active UI language, or the code itself if
    unknown."""
    return str(LANGUAGES.get(language, (language, ""))[0])


def document_search_configs(document: Filed) -> list[str]:
    """The text search configurations to index ``document`` in, primary first, no duplicates.

    The primary is that of ``document.language``; then those of the other languages found in
    its text (``document.languages``, set when the worker finishes, see
    ``archive.langdetect``). Languages sharing a configuration (zh and ja: ``simple``) give it
    once. A document still waiting for detection (``language == "detect"``) gets ``simple``.
    """
    codes = [document.language, *(document.languages or [])]
    return list(dict.fromkeys(search_config(code) for code in codes))
