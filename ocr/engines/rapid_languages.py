"""The languages RapidOCR's bundled recognition model is declared for, kept apart from the
engine (``ocr.engines.rapid``) so that they can be listed without importing ``rapidocr`` or
loading a model (``ocr.engines.readable_languages``, for a web form).

PP-OCRv6 small (inside the ``rapidocr`` wheel, 18,708 characters) has the accented Latin
letters and Japanese kana and kanji besides Chinese; each language here was measured on
rendered, degraded pages (``tests/ocr/test_engines_rapid_languages.py``). No Cyrillic.
"""

from __future__ import annotations

RAPIDOCR_LANGUAGES: tuple[str, ...] = (
    "en", "zh", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "ja",
)  # fmt: skip
