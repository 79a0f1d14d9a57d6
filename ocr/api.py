"""The library's entry points: read the text of files, blocking or from asyncio.

Every function takes the same options:

- ``engine``: a registry name (see ``ocr.engines.available_engines()``) or an ``Engine``.
- ``languages``: ISO 639-1 codes the text is in; checked before any page is decoded.
- ``max_side``: prepared pages are downscaled to this longest side (``ocr.prepare``).
- ``max_pixels``: pages declaring more pixels are refused with ``ImageTooLarge``.

Errors are the ``ocr.errors.OcrError`` subclasses (plus ``OSError`` for unreadable paths).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Sequence
from typing import Literal, overload

from PIL import Image

from ocr.engines import DEFAULT_ENGINE, Engine, check_languages, get_engine
from ocr.pages import DEFAULT_MAX_PIXELS, Source, open_document
from ocr.prepare import DEFAULT_MAX_SIDE, prepare
from ocr.types import DocumentResult, PageResult

DEFAULT_LANGUAGES: tuple[str, ...] = ("en",)


def recognize_page(
    image: Image.Image,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_side: int = DEFAULT_MAX_SIDE,
) -> tuple[Image.Image, PageResult]:
    """Prepare one page image and read it: returns ``(prepared image, result)``.

    The result's word boxes are in the prepared image's pixels, so keep that image for showing
    them. ``image`` itself is not modified.
    """
    ocr_engine = _resolve(engine)
    prepared = prepare(image, max_side=max_side)
    return prepared, ocr_engine.recognize(prepared, languages=languages)


def extract(
    source: Source,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DocumentResult:
    """Read every page of ``source`` (a path or binary stream), blocking until done.

    Pages are decoded, prepared and read one at a time, so memory holds about one page.
    """
    ocr_engine = _resolve(engine)
    codes = check_languages(ocr_engine, languages)
    pages: list[PageResult] = []
    with open_document(source, max_pixels=max_pixels) as document:
        for image in document:
            prepared, result = recognize_page(
                image, engine=ocr_engine, languages=codes, max_side=max_side
            )
            pages.append(result)
            # Drop this page's images before the next page is decoded, not after.
            del image, prepared
    return DocumentResult(tuple(pages))


def extract_text(
    source: Source,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> str:
    """``extract(...).text``: pages joined by ``ocr.types.PAGE_SEPARATOR``."""
    return extract(
        source, engine=engine, languages=languages, max_side=max_side, max_pixels=max_pixels
    ).text


async def aextract(
    source: Source,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> DocumentResult:
    """``extract`` in a worker thread (``asyncio.to_thread``), leaving the event loop free.

    Cancelling the awaiting task does not stop the thread: the file is finished regardless.
    """
    return await asyncio.to_thread(
        extract,
        source,
        engine=engine,
        languages=languages,
        max_side=max_side,
        max_pixels=max_pixels,
    )


async def aextract_text(
    source: Source,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> str:
    """``aextract(...).text``."""
    result = await aextract(
        source, engine=engine, languages=languages, max_side=max_side, max_pixels=max_pixels
    )
    return result.text


@overload
async def aextract_many(
    sources: Iterable[Source],
    *,
    concurrency: int | None = None,
    return_exceptions: Literal[False] = False,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[DocumentResult]: ...


@overload
async def aextract_many(
    sources: Iterable[Source],
    *,
    concurrency: int | None = None,
    return_exceptions: Literal[True],
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[DocumentResult | Exception]: ...


async def aextract_many(
    sources: Iterable[Source],
    *,
    concurrency: int | None = None,
    return_exceptions: bool = False,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[DocumentResult] | list[DocumentResult | Exception]:
    """Read many files, at most ``concurrency`` at once; results are in input order.

    ``concurrency`` defaults to ``os.cpu_count()``. Files overlap in decoding, rendering and
    preparation, while each engine reads one page at a time and onnxruntime already uses every
    core for that page: more concurrency adds memory (about one page per file in flight), not
    engine speed.

    The engine and languages are checked first and their errors raised directly. After that a
    file's error is raised (the files not yet started are cancelled) unless
    ``return_exceptions`` is true, in which case the exception takes the file's place in the
    list.
    """
    limit = concurrency if concurrency is not None else (os.cpu_count() or 1)
    if limit < 1:
        raise ValueError(f"concurrency must be at least 1, not {limit}")
    # Loading models takes seconds: do it once, off the event loop, before fanning out.
    ocr_engine = await asyncio.to_thread(_resolve, engine)
    codes = check_languages(ocr_engine, languages)
    semaphore = asyncio.Semaphore(limit)

    async def one(source: Source) -> DocumentResult:
        async with semaphore:
            return await aextract(
                source,
                engine=ocr_engine,
                languages=codes,
                max_side=max_side,
                max_pixels=max_pixels,
            )

    tasks = [asyncio.create_task(one(source)) for source in sources]
    if return_exceptions:
        results: list[DocumentResult | Exception] = []
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if not isinstance(outcome, DocumentResult | Exception):
                raise outcome  # cancellation and the like are not a file's result
            results.append(outcome)
        return results
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


def _resolve(engine: str | Engine) -> Engine:
    return get_engine(engine) if isinstance(engine, str) else engine
