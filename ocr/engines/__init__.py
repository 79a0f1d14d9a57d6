"""The OCR engines, by name: one registry entry per engine module, loaded on first use.

Adding an engine (``tesseract.py``, ``aspose.py``) means writing its module with a class that
implements ``Engine`` and adding one ``_Entry`` to ``_REGISTRY``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import threading
from dataclasses import dataclass

from ocr.engines.base import Engine, check_languages
from ocr.errors import EngineUnavailable, OcrError

__all__ = [
    "DEFAULT_ENGINE",
    "Engine",
    "available_engines",
    "check_languages",
    "get_engine",
    "readable_languages",
]

DEFAULT_ENGINE = "rapidocr"


@dataclass(frozen=True, slots=True)
class _Entry:
    module: str  # module holding the engine class, imported only when the engine is used
    cls: str  # the class, constructed with no arguments
    requires: tuple[str, ...]  # top-level packages that must be importable
    install: str  # what to tell a person when they are missing
    # Optional function in ``module``: () -> None when the engine can run here, else the reason
    # and fix (e.g. missing data files that no Python package provides). Must be cheap.
    probe: str | None = None
    # "module:attribute" naming the languages the engine reads here without loading it: a
    # tuple or dict of codes, or a function returning them (installed data files). The module
    # must import without loading models.
    declared: str = ""


_REGISTRY: dict[str, _Entry] = {
    "rapidocr": _Entry(
        module="ocr.engines.rapid",
        cls="RapidOcrEngine",
        requires=("rapidocr", "onnxruntime"),
        install="install the Python packages rapidocr and onnxruntime",
        declared="ocr.engines.rapid_languages:RAPIDOCR_LANGUAGES",
    ),
    "tesseract": _Entry(
        module="ocr.engines.tesseract",
        cls="TesseractEngine",
        requires=("tesserocr",),
        install="install the Python package tesserocr",
        probe="unusable_reason",
        declared="ocr.engines.tesseract:installed_languages",
    ),
    # Optional extra "aspose"; its probe starts .NET once in a child process (about 1 s,
    # remembered), because a failed start aborts the process that tries it.
    "aspose": _Entry(
        module="ocr.engines.aspose",
        cls="AsposeEngine",
        requires=("aspose",),
        install="install the optional extra aspose (the Python package aspose-ocr-python-net)",
        probe="unusable_reason",
        declared="ocr.engines.aspose:LANGUAGES",
    ),
    # Picks one of the engines above per page language (table in ocr/engines/auto_table.json).
    "auto": _Entry(
        module="ocr.engines.auto",
        cls="AutoEngine",
        requires=(),
        install="",
        declared="ocr.engines.auto:readable_languages",
    ),
}

# functools.cache alone is not enough: two threads asking at once would both miss the cache
# and load the models twice. Loading is rare, so one lock for all engines is fine. Reentrant
# because "auto" loads the engines it delegates to from its own constructor.
_loading = threading.RLock()


def available_engines() -> list[str]:
    """Names of the registered engines that can run here: packages installed and the
    engine's probe (if any) passed. Nothing is loaded."""
    return [name for name, entry in _REGISTRY.items() if _unusable(entry) is None]


def languages(name: str = DEFAULT_ENGINE) -> tuple[str, ...]:
    """ISO 639-1 codes engine ``name`` can read here (loads the engine, once)."""
    return get_engine(name).languages


def readable_languages(name: str = DEFAULT_ENGINE) -> tuple[str, ...]:
    """ISO 639-1 codes engine ``name`` can read here, sorted, found without loading any model
    (cheap enough for a web form: data files listed, no engine started): what
    ``languages(name)`` gives once the engine is loaded. ``()`` for an engine that cannot run
    here or an unknown name. For ``auto``: what its engines that can run here declare, plus the
    languages its table routes to one of them (as ``ocr.engines.auto.AutoEngine``)."""
    name = name.strip().lower()
    if name not in available_engines():
        return ()
    module, _, attribute = _REGISTRY[name].declared.partition(":")
    if not module:
        return ()
    found = getattr(importlib.import_module(module), attribute)
    codes = found() if callable(found) else found
    return tuple(sorted(codes))


def get_engine(name: str = DEFAULT_ENGINE) -> Engine:
    """The process-wide instance of engine ``name`` (case-insensitive), loading it once.

    Raises ``EngineUnavailable`` for an unknown name, a missing package, or an engine that
    fails to load, listing the engines available here. A failed load is not cached.
    """
    with _loading:
        return _load(name.strip().lower())


@functools.cache
def _load(name: str) -> Engine:
    entry = _REGISTRY.get(name)
    if entry is None:
        raise EngineUnavailable(name, available_engines())
    reason = _unusable(entry)
    if reason is not None:
        raise EngineUnavailable(name, available_engines(), reason=reason)
    try:
        engine_class = getattr(importlib.import_module(entry.module), entry.cls)
        engine: Engine = engine_class()
    except OcrError:
        raise
    except Exception as exc:
        reason = f"it failed to load ({exc})"
        raise EngineUnavailable(name, available_engines(), reason=reason) from exc
    return engine


def _unusable(entry: _Entry) -> str | None:
    """Why ``entry`` cannot run here, or None."""
    if not all(importlib.util.find_spec(package) is not None for package in entry.requires):
        return entry.install
    if entry.probe is None:
        return None
    reason: str | None = getattr(importlib.import_module(entry.module), entry.probe)()
    return reason
