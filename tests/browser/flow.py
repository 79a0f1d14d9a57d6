"""Helpers for the browser tests of the document flow: dropping files on a page as a user's
drag and drop does, waiting for uploads, the page variants screenshots are taken in, and a
tally of axe's findings per page.

Dropping: the page's script listens on ``document`` for ``drop``. Playwright cannot drag files
from the desktop, so the test builds a ``DataTransfer`` holding ``File`` objects in the page
(from the bytes, sent base64-encoded) and dispatches ``dragenter``, ``dragover`` and ``drop``
with it on ``<body>``; the events bubble to the document as real ones do.
"""

from __future__ import annotations

import base64
import mimetypes
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import JSHandle, Locator, Page, expect

from tests.browser.support import assert_accessible

# Generous: the first document of a run also loads the OCR models in the worker.
OCR_TIMEOUT_MS = 120_000

_MAKE_TRANSFER = """(files) => {
  const transfer = new DataTransfer();
  for (const file of files) {
    const binary = atob(file.data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    transfer.items.add(new File([bytes], file.name, {type: file.type}));
  }
  return transfer;
}"""


def data_transfer(page: Page, files: Sequence[tuple[str, bytes]]) -> JSHandle:
    """A ``DataTransfer`` in the page holding ``files`` (name, content) as ``File`` objects."""
    payload = [
        {
            "name": name,
            "data": base64.b64encode(content).decode("ascii"),
            "type": mimetypes.guess_type(name)[0] or "application/octet-stream",
        }
        for name, content in files
    ]
    return page.evaluate_handle(_MAKE_TRANSFER, payload)


def drag_over(page: Page, transfer: JSHandle) -> None:
    """Files dragged over the page (not dropped yet): ``dragenter`` then ``dragover``."""
    page.dispatch_event("body", "dragenter", {"dataTransfer": transfer})
    page.dispatch_event("body", "dragover", {"dataTransfer": transfer})


def drop(page: Page, transfer: JSHandle) -> None:
    page.dispatch_event("body", "drop", {"dataTransfer": transfer})


def drop_files(page: Page, files: Sequence[tuple[str, bytes]]) -> None:
    """Drag ``files`` (name, content) over the page and drop them, as a user would."""
    transfer = data_transfer(page, files)
    drag_over(page, transfer)
    drop(page, transfer)


def upload_item(page: Page, name: str) -> Locator:
    """The upload list's entry of the file ``name`` (its name, or once stored the document's
    title, which is the name without its extension)."""
    return page.locator("#upload-list li.upload-item", has_text=name)


def wait_until_done(item: Locator, *, timeout: float = OCR_TIMEOUT_MS) -> None:
    """The entry's live status badge (polled by htmx) says "Done"."""
    badge = item.locator(".status[data-status]")
    expect(badge).to_have_attribute("data-status", "done", timeout=timeout)
    expect(badge).to_contain_text("Done")


def mark_page(page: Page) -> None:
    """Leave a mark in the page's JavaScript state; ``still_same_page`` tells whether the
    page was reloaded or left since (the mark is gone then)."""
    page.evaluate("() => { window.__flowMark = true; }")


def still_same_page(page: Page) -> bool:
    return bool(page.evaluate("() => window.__flowMark === true"))


# --- the variants pages are shown in -----------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    color_scheme: str  # "light" | "dark"
    device: str  # "desktop" | "phone"

    @property
    def name(self) -> str:
        return f"{self.color_scheme}-{self.device}"


VARIANTS = [
    Variant("light", "desktop"),
    Variant("dark", "desktop"),
    Variant("light", "phone"),
    Variant("dark", "phone"),
]


# --- axe findings per page ---------------------------------------------------------------------


@dataclass
class AxeTally:
    """axe's violations per (page, variant), counted by impact, to print as a table."""

    rows: list[tuple[str, str, Counter[str], list[str]]] = field(default_factory=list)

    def add(self, page_name: str, variant: str, violations: list[dict[str, Any]]) -> None:
        impacts: Counter[str] = Counter(str(v.get("impact")) for v in violations)
        self.rows.append((page_name, variant, impacts, sorted(v["id"] for v in violations)))

    def table(self) -> str:
        lines = [
            f"{'page':<22} {'variant':<14} {'critical':>8} {'serious':>8} {'moderate':>8} "
            f"{'minor':>6}  rules",
        ]
        for page_name, variant, impacts, rules in self.rows:
            lines.append(
                f"{page_name:<22} {variant:<14} {impacts['critical']:>8} {impacts['serious']:>8} "
                f"{impacts['moderate']:>8} {impacts['minor']:>6}  {', '.join(rules) or '-'}"
            )
        return "\n".join(lines)


def check_axe(page: Page, tally: AxeTally, page_name: str, variant: str) -> None:
    """``assert_accessible`` (fails on serious or critical violations), and record the
    findings in ``tally``."""
    tally.add(page_name, variant, assert_accessible(page))
