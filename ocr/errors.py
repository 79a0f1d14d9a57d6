"""Errors the OCR library raises on purpose.

Every error is an ``OcrError`` whose ``str()`` is a complete sentence a non-technical person can
act on, so callers (the web app, the CLI) can show it as is. Structured details are kept as
attributes for code that wants them. The errors pickle, so they survive task queues that move
exceptions between processes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ocr.formats import SUPPORTED_TYPES


class OcrError(Exception):
    """Base class: ``message`` (also ``str(error)``) is meant for the person who gave the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take structured arguments, not the message, so the default pickling
        # (calling cls(*self.args)) would fail; rebuild from the instance state instead.
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(cls: type[OcrError], args: tuple[Any, ...], state: dict[str, Any]) -> OcrError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


_TIMES = "\u00d7"  # the multiplication sign: sizes read "20000 by 20000" to people


def _megapixels(pixels: int) -> str:
    if pixels >= 1_000_000:
        return f"{pixels // 1_000_000:,}"
    return f"{pixels / 1_000_000:.2g}"


def _page_prefix(page: int | None, subject: str) -> str:
    return subject if page is None else f"Page {page} of the file"


class UnsupportedFormat(OcrError):
    """The content is not one of ``SUPPORTED_TYPES`` (decided by magic bytes, not the name)."""

    def __init__(self, looks_like: str) -> None:
        self.looks_like = looks_like
        kinds = ", ".join(SUPPORTED_TYPES.values())
        super().__init__(
            f"This file is not a supported image or PDF ({kinds}). It looks like: {looks_like}."
        )


class CorruptFile(OcrError):
    """The file claims a supported type but cannot be decoded (damaged, truncated, empty).

    ``page`` is 1-based when the problem was found on a particular page.
    """

    def __init__(self, reason: str = "", *, page: int | None = None) -> None:
        self.reason = reason
        self.page = page
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"{_page_prefix(page, 'The file')} is damaged or incomplete and cannot be read"
            f"{detail}. Upload the original again, or save it anew from the program that made it."
        )


class ImageTooLarge(OcrError):
    """A page has more pixels than allowed; raised before its pixels are decoded.

    ``width``/``height`` are ``None`` when only the pixel count is known.
    """

    def __init__(
        self,
        *,
        pixels: int,
        limit: int,
        width: int | None = None,
        height: int | None = None,
        page: int | None = None,
    ) -> None:
        self.pixels = pixels
        self.limit = limit
        self.width = width
        self.height = height
        self.page = page
        size = f"has {_megapixels(pixels)} megapixels"
        if width is not None and height is not None:
            size = f"is {width}{_TIMES}{height} pixels ({_megapixels(pixels)} megapixels)"
        super().__init__(
            f"{_page_prefix(page, 'The image')} {size}, "
            f"above the limit of {_megapixels(limit)} megapixels. Scan or export it at a lower "
            "resolution (300 dpi is plenty for text)."
        )


class ImageTooThin(OcrError):
    """A page far longer than it is wide (or the reverse): nothing can be read on it, and the
    engines cannot scale it (RapidOCR failed with ``ResizeImgError``). Raised before decoding.
    """

    def __init__(self, *, width: int, height: int, limit: int, page: int | None = None) -> None:
        self.width = width
        self.height = height
        self.limit = limit
        self.page = page
        super().__init__(
            f"{_page_prefix(page, 'The image')} is {width}{_TIMES}{height} pixels: too long and "
            f"thin to be a page (more than {limit} times as long as it is wide). Crop it to the "
            "part with text, or scan it again."
        )


class PasswordRequired(OcrError):
    """The PDF is encrypted with a password needed to open it."""

    def __init__(self) -> None:
        super().__init__(
            "This PDF is protected by a password. Remove the password (for example, open it "
            "and print it to a new PDF) and upload it again."
        )


class WrongPassword(PasswordRequired):
    """A password was given for the PDF and it does not open it.

    A ``PasswordRequired`` too, so code that only asks "can it be opened?" catches both.
    """

    def __init__(self) -> None:
        OcrError.__init__(self, "The password given does not open this PDF.")


class EngineUnavailable(OcrError):
    """The engine name is unknown, or the engine cannot run here (``reason`` says why)."""

    def __init__(self, name: str, available: Iterable[str], reason: str | None = None) -> None:
        self.name = name
        self.available = tuple(available)
        listed = ", ".join(self.available) or "none"
        if reason is None:
            text = f"There is no OCR engine called {name!r}. Available engines: {listed}."
        else:
            text = f"The OCR engine {name!r} cannot be used: {reason}. Available engines: {listed}."
        super().__init__(text)


class UnsupportedLanguage(OcrError):
    """The engine cannot read (all of) the requested languages."""

    def __init__(self, engine: str, requested: Iterable[str], supported: Iterable[str]) -> None:
        self.engine = engine
        self.requested = tuple(requested)
        self.supported = tuple(supported)
        super().__init__(
            f"The OCR engine {engine!r} cannot read {', '.join(self.requested)}. "
            f"Languages it has: {', '.join(self.supported)}. "
            "Choose one of those, or another engine."
        )
