"""Helpers for browser tests: log in through the form, accessibility checks, screenshots, and
the JavaScript errors a page reported.

Fixtures (``page``, ``logged_in_page``, ``live_app``, …) live in ``conftest.py``; these are plain
functions so that tests and fixtures can both call them.
"""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Error, Page, Response

PROJECT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("SCAN_ARCHIVE_SCREENSHOT_DIR", PROJECT / "docs" / "screenshots"))
# The password every user made by the ``make_user`` fixture has.
PASSWORD = "browser-test-password-1"

# --- logging in -------------------------------------------------------------------------------


def login(page: Page, username: str, password: str = PASSWORD) -> Response | None:
    """Fill in and submit the real login form at ``/login/``; return the response of the page
    it leads to (after redirects). Says nothing about the outcome: ``logged_in_page`` checks
    it; a test of a wrong password checks the error itself."""
    page.goto("/login/")
    # Django's AuthenticationForm names the fields; the labels and layout are the template's.
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation() as navigation:
        page.locator("input[name=password]").press("Enter")
    return navigation.value


# --- accessibility (axe-core) -----------------------------------------------------------------

# axe-core 4.14.1 (MPL-2.0), vendored from the npm registry: see vendor/README.md.
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# Every WCAG 2.x success criterion at levels A and AA that axe can test.
WCAG_A_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_AXE_RUN = """async ([context, tags]) => {
  const results = await axe.run(context === null ? document : context, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations;
}"""


def axe_check(
    page: Page, *, tags: Sequence[str] = WCAG_A_AA, context: str | None = None
) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now (or on the elements matching the CSS selector
    ``context``) and return its violations: dicts with ``id``, ``impact`` ("minor", "moderate",
    "serious", "critical"), ``help``, ``helpUrl`` and ``nodes`` (each with ``target`` and
    ``failureSummary``)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, not as a <script> tag: the app's Content
        # Security Policy (no inline script) stays on, so the test sees the page as users do,
        # and the policy does not apply to what the test itself runs.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, [context, list(tags)])
    return violations


def format_violations(violations: Iterable[dict[str, Any]]) -> str:
    """One block per violation: impact, rule, what to fix, and the elements (up to five)."""
    blocks = []
    for violation in violations:
        lines = [
            f"[{violation.get('impact')}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        ]
        nodes = violation.get("nodes", [])
        for node in nodes[:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {node.get('target')}: {summary}")
        if len(nodes) > 5:
            lines.append(f"    … and {len(nodes) - 5} more elements")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def assert_accessible(page: Page, *, context: str | None = None) -> list[dict[str, Any]]:
    """Fail on serious or critical WCAG 2 A/AA violations; print the minor and moderate ones
    (shown with ``-s`` or on failure) and return every violation."""
    violations = axe_check(page, context=context)
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    others = [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]
    if others:
        print(f"axe: {len(others)} minor/moderate violation(s) on {page.url}:")
        print(format_violations(others))
    assert not blocking, (
        f"axe: serious/critical accessibility violations on {page.url}:\n"
        + format_violations(blocking)
    )
    return violations


# --- screenshots --------------------------------------------------------------------------------

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save the page as ``docs/screenshots/<name>.png`` (for the README) and return the path.

    ``name`` is lower-case words joined by hyphens (``library-phone-dark``). Animations are
    stopped and the caret hidden, so the same page gives the same picture.
    ``SCAN_ARCHIVE_SCREENSHOT_DIR`` saves them elsewhere."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"screenshot name {name!r}: use lower-case letters, digits and hyphens")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=full_page, animations="disabled", caret="hide")
    return path


# --- JavaScript errors --------------------------------------------------------------------------

_errors: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()


def record_js_errors(page: Page) -> list[str]:
    """Start recording the page's uncaught exceptions and console errors (failed resource
    loads included); the ``page`` fixtures do this for every page they open."""
    errors = _errors.setdefault(page, [])

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def on_page_error(error: Error) -> None:
        errors.append(f"uncaught: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    return errors


def js_errors(page: Page) -> list[str]:
    """The JavaScript errors the page reported so far (a page from the fixtures records them
    from the start)."""
    return list(_errors.get(page, []))
