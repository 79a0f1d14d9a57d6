"""Tesseract's language names and the Debian package holding each one's data, importable
without ``tesserocr`` (a web form, the REST API and the command line name the package that
adds a language the engines here cannot read).
"""

from __future__ import annotations

from collections.abc import Iterable

#: ISO 639-1 code -> Tesseract language (traineddata file name). Debian's package for a
#: language is ``tesseract-ocr-`` + the Tesseract name with ``_`` as ``-`` (chi_sim: chi-sim).
ISO_TO_TESSERACT: dict[str, str] = {
    "ar": "ara", "bg": "bul", "ca": "cat", "cs": "ces", "da": "dan", "de": "deu", "el": "ell",
    "en": "eng", "es": "spa", "et": "est", "fa": "fas", "fi": "fin", "fr": "fra", "ga": "gle",
    "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun", "id": "ind", "is": "isl", "it": "ita",
    "ja": "jpn", "ko": "kor", "la": "lat", "lt": "lit", "lv": "lav", "nl": "nld", "no": "nor",
    "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus", "sk": "slk", "sl": "slv", "sr": "srp",
    "sv": "swe", "th": "tha", "tr": "tur", "uk": "ukr", "vi": "vie", "zh": "chi_sim",
}  # fmt: skip
TESSERACT_TO_ISO: dict[str, str] = {tess: iso for iso, tess in ISO_TO_TESSERACT.items()}


def debian_package(code: str) -> str:
    """The Debian package with the data for ISO code ``code`` (``zh``: tesseract-ocr-chi-sim)."""
    return "tesseract-ocr-" + ISO_TO_TESSERACT.get(code, code).replace("_", "-")


def install_command(codes: Iterable[str]) -> str:
    """The one command that installs Tesseract's data for ``codes`` (those Tesseract has; ""
    when none): ``apt-get install tesseract-ocr-rus``. The single source of the command that
    the web form's note, the REST API's refusal and the command line's error name."""
    packages = [debian_package(code) for code in dict.fromkeys(codes) if code in ISO_TO_TESSERACT]
    return f"apt-get install {' '.join(packages)}" if packages else ""


def install_hint(codes: Iterable[str]) -> str:
    """A sentence saying how to add ``codes`` (``To add ru: apt-get install
    tesseract-ocr-rus.``), or "" when Tesseract has none of them."""
    codes = list(dict.fromkeys(codes))
    command = install_command(codes)
    if not command:
        return ""
    known = [code for code in codes if code in ISO_TO_TESSERACT]
    return f"To add {', '.join(known)}: {command}."
