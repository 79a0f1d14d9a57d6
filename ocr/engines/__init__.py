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

__all__ = ["DEFAULT_ENGINE", "Engine", "available_engines", "check_languages", "get_engine"]

DEFAULT_ENGINE = "rapidocr"


@dataclass(frozen=True, slots=True)
class _Entry:
    module: str  # module holding the engine class, imported only when the engine is used
    cls: str  # the class, constructed with no arguments
    requires: tuple[str, ...]  # top-level packages that must be importable
    install: str  # what to tell a person when they are missing


_REGISTRY: dict[str, _Entry] = {
    "rapidocr": _Entry(
        module="ocr.engines.rapid",
        cls="RapidOcrEngine",
        requires=("rapidocr", "onnxruntime"),
        install="install the Python packages rapidocr and onnxruntime",
    ),
}

# functools.cache alone is not enough: two threads asking at once would both miss the cache
# and load the models twice. Loading is rare, so one lock for all engines is fine.
_loading = threading.Lock()


def available_engines() -> list[str]:
    """Names of the registered engines whose packages are installed (not loaded yet)."""
    return [name for name, entry in _REGISTRY.items() if _installed(entry)]


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
    if not _installed(entry):
        raise EngineUnavailable(name, available_engines(), reason=entry.install)
    try:
        engine_class = getattr(importlib.import_module(entry.module), entry.cls)
        engine: Engine = engine_class()
    except OcrError:
        raise
    except Exception as exc:
        reason = f"it failed to load ({exc})"
        raise EngineUnavailable(name, available_engines(), reason=reason) from exc
    return engine


def _installed(entry: _Entry) -> bool:
    return all(importlib.util.find_spec(package) is not None for package in entry.requires)
