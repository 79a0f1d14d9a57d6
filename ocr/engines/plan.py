"""How an engine would read a page asked for in some languages, without reading it.

Used to read a page of unknown language once and decide whether, once its language is known,
reading it again would give anything different (``same_reading``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ocr.engines.base import Engine, check_languages

#: Read a page of unknown language with these (those the engine has): Latin script and
#: Chinese, RapidOCR's one model; Tesseract reads them as ``eng+chi_sim``.
UNKNOWN_LANGUAGE_READING = ("en", "zh")


def unknown_language_codes(engine: Engine) -> tuple[str, ...]:
    """The codes to ask ``engine`` for when a page's language is not known yet: those of
    ``UNKNOWN_LANGUAGE_READING`` it has, else its first language."""
    codes = tuple(code for code in UNKNOWN_LANGUAGE_READING if code in engine.languages)
    return codes or engine.languages[:1]


def reading(engine: Engine, languages: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """(the engine that would read the page, the codes it would use) for ``languages``.

    ``auto`` is resolved to the engine it picks for a full page (``AutoEngine.choose``). An
    engine whose one model reads all its languages alike (``language_independent = True``,
    RapidOCR) uses no codes. Raises what ``check_languages`` raises.
    """
    choose = getattr(engine, "choose", None)
    if choose is not None:
        engine, codes = choose(languages)
    else:
        codes = check_languages(engine, languages)
    if getattr(engine, "language_independent", False):
        codes = ()
    return engine.name, tuple(sorted(codes))


def same_reading(engine: Engine, first: Sequence[str], second: Sequence[str]) -> bool:
    """True when ``engine`` reads a page the same way asked for ``first`` or ``second``."""
    return reading(engine, first) == reading(engine, second)
