"""Runtime code imports only what a plain install brings.

The app and the OCR library run after ``pip install scan-archive`` (or ``scripts/setup`` with
no extras), so every third-party module that ``archive/`` or ``ocr/`` imports must come from the
project's base dependencies or from what they require in turn. An import served only by an
extra (``bench``, ``dev``) passes on a developer's machine, where the extras are installed, and
fails on a fresh one: CI once failed on 124 tests because ``ocr/confidence.py`` imported
``wordfreq``, then listed only in the ``bench`` extra.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("archive", "ocr")
FIRST_PARTY = {"archive", "ocr"}


def _imported_roots() -> dict[str, set[str]]:
    """Top-level third-party module names imported anywhere in the runtime packages."""
    found: dict[str, set[str]] = {}
    for package in RUNTIME_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    root = name.split(".")[0]
                    if root not in sys.stdlib_module_names and root not in FIRST_PARTY:
                        found.setdefault(root, set()).add(str(path.relative_to(ROOT)))
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _base_closure() -> set[str]:
    """Distributions a plain install brings: the base requirements and theirs, no extras."""
    declared = metadata.requires("scan-archive") or []
    todo = [Requirement(line) for line in declared]
    todo = [req for req in todo if req.marker is None or req.marker.evaluate({"extra": ""})]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = _canonical(req.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            nested = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in nested:
            sub = Requirement(line)
            if sub.marker is None or sub.marker.evaluate({"extra": ""}):
                todo.append(sub)
    return seen


def test_runtime_code_imports_only_base_dependencies() -> None:
    closure = _base_closure()
    providers = metadata.packages_distributions()
    missing = {
        module: sorted(files)
        for module, files in _imported_roots().items()
        if not any(_canonical(dist) in closure for dist in providers.get(module, [module]))
    }
    assert not missing, f"imported by runtime code but not a base dependency: {missing}"


@pytest.mark.parametrize("extra", ["bench", "dev"])
def test_the_check_sees_what_an_extra_adds(extra: str) -> None:
    """The closure really excludes extras (else the test above could not fail)."""
    declared = [Requirement(line) for line in metadata.requires("scan-archive") or []]
    only_extra = [
        req for req in declared if req.marker is not None and req.marker.evaluate({"extra": extra})
    ]
    assert only_extra
    closure = _base_closure()
    assert any(_canonical(req.name) not in closure for req in only_extra)
