"""The ``PageSource`` interface shared by the raster (Pillow) and PDF (PDFium) page readers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from types import TracebackType

from PIL import Image

from ocr.errors import ImageTooLarge, ImageTooThin


class PageSource(ABC):
    """An opened document whose pages are decoded one at a time, on demand.

    ``mime`` is the type found by content sniffing, ``page_count`` the number of pages. Iterating
    yields every page in order as a new ``PIL.Image.Image`` that the caller owns; only the page
    being yielded is held in memory. ``page(index)`` decodes one page (0-based), so pages can be
    split across workers. Decoding problems raise ``CorruptFile`` and oversized pages
    ``ImageTooLarge``, each naming the 1-based page.

    A source is not thread-safe: use it from one thread at a time. Close it (or use it as a
    context manager) to release the file promptly.
    """

    mime: str
    page_count: int

    @abstractmethod
    def page(self, index: int) -> Image.Image:
        """Decode page ``index`` (0-based); raises IndexError outside ``range(page_count)``."""

    def page_size(self, index: int) -> tuple[int, int]:
        """(width, height) of the image ``page(index)`` returns; sources override this to read
        it without decoding pixels (headers, a PDF's page box)."""
        return self.page(index).size

    @abstractmethod
    def close(self) -> None:
        """Release the file and decoder state. Safe to call more than once."""

    def __iter__(self) -> Iterator[Image.Image]:
        for index in range(self.page_count):
            yield self.page(index)

    def __len__(self) -> int:
        return self.page_count

    def __enter__(self) -> PageSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _check_index(self, index: int) -> None:
        if not 0 <= index < self.page_count:
            raise IndexError(f"page index {index} out of range 0..{self.page_count - 1}")


#: A page's longest side may be at most this many times its shortest. Downscaled to the
#: prepared size (4000 px) such a page is still 8 px across: the least that can hold a
#: letter. A till receipt is about 40 times as long as wide, a single text line cropped from
#: a page rarely 100 times.
MAX_ASPECT = 500


def check_pixels(width: int, height: int, *, max_pixels: int, page: int | None) -> None:
    """Raise ``ImageTooLarge`` if a ``width`` x ``height`` page exceeds ``max_pixels``, and
    ``ImageTooThin`` if one side is more than ``MAX_ASPECT`` times the other."""
    pixels = width * height
    if pixels > max_pixels:
        raise ImageTooLarge(pixels=pixels, limit=max_pixels, width=width, height=height, page=page)
    if max(width, height) > MAX_ASPECT * max(1, min(width, height)):
        raise ImageTooThin(width=width, height=height, limit=MAX_ASPECT, page=page)
