"""A document's language found from its text, for documents filed under "detect".

The detector is ``ocr.langdetect`` (py3langid, its model inside the wheel), restricted to the
languages the archive offers (``archive.languages.LANGUAGES``). The worker calls:

- ``document_language_detect(document, text)`` once per run of a "detect" document, with the
  text of its first page, before any page is saved (so every page is indexed in the language
  found). It sets ``language`` (the detected code, or ``LANGUAGE_DETECT_DEFAULT`` when the text
  cannot tell), ``language_detected`` and ``language_confidence`` (None when it fell back).
- ``document_languages_update(document)`` when the run has saved every page: detects each
  page's languages part by part and stores the document's set in ``languages`` (primary
  first), for ``archive.languages.document_search_configs``. Returns True when the set holds
  more than the primary language.
"""

from __future__ import annotations

import logging
from collections import Counter

from django.conf import settings

from archive.languages import DETECT, LANGUAGES
from archive.models import Document
from ocr.langdetect import Detection, detect_language, language_shares, mixture

_logger = logging.getLogger(__name__)


def detect(text: str) -> Detection:
    """The language of ``text`` among the archive's languages, or the configured default."""
    return detect_language(
        text,
        candidates=tuple(LANGUAGES),
        default=settings.LANGUAGE_DETECT_DEFAULT,
        min_confidence=settings.LANGUAGE_DETECT_MIN_CONFIDENCE,
    )


def document_language_detect(document: Document, text: str) -> Detection:
    """Detect the language of a "detect" document from ``text`` and store it (see module doc).

    Only a document still filed under "detect" is changed (a re-run that chose a language
    meanwhile wins); ``document`` is updated in place either way with what was stored.
    """
    found = detect(text)
    updated = Document.objects.filter(pk=document.pk, language=DETECT).update(
        language=found.language,
        language_detected=True,
        language_confidence=found.confidence if found.detected else None,
    )
    if updated:
        document.language = found.language
        document.language_detected = True
        document.language_confidence = found.confidence if found.detected else None
        _logger.info(
            "document %s: language %s (%s, %.2f)",
            document.pk,
            found.language,
            "detected" if found.detected else "default",
            found.confidence,
        )
    else:
        document.refresh_from_db(fields=["language", "language_detected", "language_confidence"])
    return found


def document_languages_update(document: Document) -> bool:
    """Store the languages found in the document's pages in ``languages`` (see module doc).

    Call it inside the transaction that finishes the document (it reads every page's text).
    """
    pages: list[Counter[str]] = [
        language_shares(
            text,
            candidates=tuple(LANGUAGES),
            min_confidence=settings.LANGUAGE_DETECT_MIN_CONFIDENCE,
        )
        for text in document.pages.values_list("text", flat=True).iterator()
    ]
    found = mixture(pages, primary=document.language)
    if found != document.languages:
        document.languages = found
        Document.objects.filter(pk=document.pk).update(languages=found)
    return len(found) > 1
