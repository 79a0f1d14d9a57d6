"""Runtime code imports only what a plain install brings.

The app and the OCR library run after ``pip install scan-archive`` (or ``scripts/setup`` with
no extras), so every third-party module that ``archive/`` or ``ocr/`` imports must come from the
project's base dependencies or from what they require in turn. An import served only by an
extra (``bench``, ``dev``) passes on a developer's machine, where the extras are installed, and
fails on a fresh one: CI once failed on 124 tests because ``ocr/confidence.py`` imported
``wordfreq``, then listed only in the ``bench`` extra.

The optional runtime extras (``s3``, ``redis``, ``aspose``: features a setting switches on) may
be imported, but only inside the functions that need them, so that a plain install still
imports every module.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata as metadata
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("archive", "ocr")
FIRST_PARTY = {"archive", "ocr"}
#: Extras that a setting switches on in the running app (docs/configuration.md).
OPTIONAL_RUNTIME_EXTRAS = ("s3", "redis", "aspose")


def _project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project: dict[str, object] = tomllib.load(handle)["project"]
    return project


def _imports() -> list[tuple[str, str, bool]]:
    """(top-level third-party module, file, imported at module level) for the runtime code.

    Module level means run on import: the body of the module and of its classes, and ``try``
    and ``if`` blocks there, but not ``if TYPE_CHECKING:`` blocks (never run)."""
    found: list[tuple[str, str, bool]] = []

    def visit(nodes: Iterable[ast.stmt], path: str, top: bool) -> None:
        for node in nodes:
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                if root not in sys.stdlib_module_names and root not in FIRST_PARTY:
                    found.append((root, path, top))
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse, path, top)
                continue
            inner = top and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    visit([c for c in children if isinstance(c, ast.stmt)], path, inner)
                    for handler in children:
                        if isinstance(handler, ast.ExceptHandler):
                            visit(handler.body, path, inner)

    for package in RUNTIME_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            visit(tree.body, str(path.relative_to(ROOT)), True)
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(lines: Iterable[str], extra: str = "") -> set[str]:
    """Distributions the requirement ``lines`` bring with theirs (no extras of theirs)."""
    todo = [Requirement(line) for line in lines]
    todo = [req for req in todo if req.marker is None or req.marker.evaluate({"extra": extra})]
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
            markers = [{"extra": ""}, *({"extra": wanted} for wanted in sub_extras(req))]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in markers):
                todo.append(sub)
    return seen


def sub_extras(req: Requirement) -> set[str]:
    return set(req.extras)


def _base() -> set[str]:
    return _closure(_project()["dependencies"])  # type: ignore[arg-type]


def _optional() -> set[str]:
    extras: dict[str, list[str]] = _project()["optional-dependencies"]  # type: ignore[assignment]
    lines = [line for name in OPTIONAL_RUNTIME_EXTRAS for line in extras.get(name, [])]
    return _closure(lines) - _base()


@functools.cache
def _distributions() -> dict[str, list[str]]:
    """Top-level module -> distributions (one scan of every installed package: slow)."""
    return dict(metadata.packages_distributions())


def _providers(module: str) -> list[str]:
    return [_canonical(dist) for dist in _distributions().get(module, [module])]


def test_runtime_code_imports_only_base_dependencies() -> None:
    base, optional = _base(), _optional()
    wrong: dict[str, set[str]] = {}
    for module, path, top in _imports():
        providers = _providers(module)
        if any(dist in base for dist in providers):
            continue
        if not top and any(dist in optional for dist in providers):
            continue  # an optional feature's package, imported where the feature runs
        wrong.setdefault(module, set()).add(path + (" (at module level)" if top else ""))
    assert not wrong, f"not a base dependency (or an optional one imported lazily): {wrong}"


@pytest.mark.parametrize("extra", ["bench", "dev"])
def test_the_check_sees_what_an_extra_adds(extra: str) -> None:
    """The base set really excludes extras (else the test above could not fail)."""
    extras: dict[str, list[str]] = _project()["optional-dependencies"]  # type: ignore[assignment]
    assert any(_canonical(Requirement(line).name) not in _base() for line in extras[extra])


def test_an_optional_package_imported_at_module_level_is_found() -> None:
    assert any(module == "boto3" and not top for module, _path, top in _imports())
    assert not any(module in {"boto3", "storages"} and top for module, _path, top in _imports())


def _mypy_ignored() -> list[str]:
    """Module patterns that mypy's overrides let go without hints (pyproject.toml)."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        overrides: list[dict[str, object]] = tomllib.load(handle)["tool"]["mypy"]["overrides"]
    patterns: list[str] = []
    for override in overrides:
        if override.get("ignore_missing_imports"):
            modules = override["module"]
            assert isinstance(modules, str | list)
            patterns += [modules] if isinstance(modules, str) else modules
    return patterns


def _type_checked_imports() -> set[str]:
    """Top-level third-party modules imported anywhere mypy looks (bench/, tests/ included)."""
    found: set[str] = set()
    for folder in ("bench", "tests", "scripts", *RUNTIME_PACKAGES):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    root = name.split(".")[0]
                    if root not in sys.stdlib_module_names and root not in FIRST_PARTY:
                        found.add(root)
    return found - {"bench", "tests", "scripts"}


def test_type_check_passes_without_the_bench_extra() -> None:
    """CI installs ``dev`` only, then runs mypy over bench/ too: a module that only ``bench``
    (or no extra at all) brings must be on mypy's ignore_missing_imports list, else the check
    fails on a fresh machine (it did: ``tantivy`` in bench/search_tantivy.py)."""
    extras: dict[str, list[str]] = _project()["optional-dependencies"]  # type: ignore[assignment]
    dependencies: list[str] = _project()["dependencies"]  # type: ignore[assignment]
    installed_by_ci = _closure([*dependencies, *extras["dev"]]) | _optional()
    ignored = _mypy_ignored()
    missing = sorted(
        module
        for module in _type_checked_imports()
        if not any(dist in installed_by_ci for dist in _providers(module))
        and not any(pattern in (module, f"{module}.*") for pattern in ignored)
    )
    assert not missing, f"imported where mypy looks, not installed by CI, not ignored: {missing}"
