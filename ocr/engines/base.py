"""The interface every OCR engine implements, and the language check they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from PIL import Image

from ocr.engines.tesseract_languages import install_hint
from ocr.errors import UnsupportedLanguage
from ocr.types import PageResult


@runtime_checkable
class Engine(Protocol):
    """An OCR engine: reads the text and word boxes of one page image.

    Contract for implementations:

    - ``name`` is the registry name (``ocr.engines.get_engine(name)``); ``languages`` are the
      ISO 639-1 codes it can read, lower case.
    - Models are loaded once, in ``__init__`` (slow: seconds); ``recognize`` only runs them.
      Callers share one instance per process through ``get_engine``.
    - ``recognize`` is safe to call from several threads at once. An engine whose runtime is
      not thread-safe serialises calls itself, and says so in its docstring.
    - ``recognize`` takes a prepared page (``ocr.prepare.prepare``: upright RGB). Boxes in the
      result are in that image's pixels, ``width``/``height`` are its size, ``seconds`` is the
      engine's own time for the page, and ``languages`` the codes it was asked for.
    - ``recognize`` raises ``UnsupportedLanguage`` (listing ``languages``) when asked for a
      language it does not have; see ``check_languages``. An empty ``languages`` means "any
      language the engine reads".
    """

    name: str
    languages: tuple[str, ...]

    def recognize(
        self, image: Image.Image, *, languages: Sequence[str] = ("en",)
    ) -> PageResult: ...


#: Engines that read a language once Tesseract's data for it is installed: their refusal
#: names the Debian package that adds it (``tesseract_languages.install_hint``).
TESSERACT_FED = frozenset({"tesseract", "auto"})


def check_languages(engine: Engine, requested: Sequence[str]) -> tuple[str, ...]:
    """Normalise ``requested`` codes (``"en+fr"`` split in two, trimmed, lower case, no
    duplicates, order kept: the first is primary) and check them.

    Returns the normalised tuple; raises ``UnsupportedLanguage`` naming the codes ``engine``
    does not read and listing those it does, and for an engine in ``TESSERACT_FED`` the
    command that installs them ("To add ru: apt-get install tesseract-ocr-rus.").
    """
    if isinstance(requested, str):  # a bare "en" would otherwise be read as ("e", "n")
        requested = (requested,)
    # "en+fr" is Tesseract's way of writing several languages, and what people type.
    split = (part for code in requested for part in code.split("+"))
    codes = tuple(dict.fromkeys(code.strip().lower() for code in split if code.strip()))
    missing = [code for code in codes if code not in engine.languages]
    if missing:
        error = UnsupportedLanguage(engine.name, missing, engine.languages)
        if engine.name in TESSERACT_FED:
            hint = install_hint(missing)
            error.message += f" {hint}" if hint else ""
        raise error
    return codes
