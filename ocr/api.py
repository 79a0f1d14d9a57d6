"""The library's entry points: read the text of documents, blocking or from asyncio.

Every function takes the same options:

- ``source``: a path, the file's bytes, a binary file object or a ``PIL.Image.Image``
  (``ocr.inputs``). Multi-page TIFFs and PDFs give one ``PageResult`` per page.
- ``engine``: a registry name (``ocr.available_engines()``) or an ``Engine`` instance. The
  default ``"auto"`` is the ``auto`` engine where installed, else ``rapidocr`` (decided at
  call time).
- ``languages``: ISO 639-1 codes the text is in, checked before any page is decoded; ``None``
  leaves the choice to the engine (its default languages).
- ``max_side``: prepared pages are downscaled to this longest side (``ocr.prepare``).
- ``max_pixels``: pages declaring more pixels are refused with ``ImageTooLarge``.
- ``text_layer`` (blocking functions): PDF pages that carry text keep it rather than being
  OCR'd (``ocr.pagetext``); ``False`` OCRs every page.

Errors are ``ocr.errors.OcrError`` subclasses, whose message can be shown to a person, plus
``OSError`` for unreadable paths and ``TypeError`` for something that is not a source.

The async functions run the work in a process pool (``ocr.pool``) when ``engine`` is a name,
and in a thread of this process when it is an ``Engine`` instance (a loaded engine cannot be
sent to another process). Cancelling an awaiting task abandons the document's result; a
document already being read is finished by its worker.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncGenerator, Iterable, Sequence
from concurrent.futures import Executor
from contextlib import aclosing
from typing import Literal, overload

from PIL import Image

from ocr.engines import Engine, available_engines, check_languages, get_engine
from ocr.files import DEFAULT_MAX_PIXELS
from ocr.inputs import Source, open_source
from ocr.pagetext import ocr_page, read_page
from ocr.pool import Dispatcher
from ocr.prepare import DEFAULT_MAX_SIDE
from ocr.types import DocumentResult, PageResult

#: The engine used when none is named: ``auto`` where it exists, else ``rapidocr``.
DEFAULT_ENGINE = "auto"
_FALLBACK_ENGINE = "rapidocr"

#: One input's outcome in ``aextract_many``/``aextract_as_completed``.
Outcome = DocumentResult | Exception


def engine_name(engine: str) -> str:
    """The registry name ``engine`` stands for: lower case, ``auto`` resolved (see above)."""
    name = engine.strip().lower()
    if name == DEFAULT_ENGINE and DEFAULT_ENGINE not in available_engines():
        return _FALLBACK_ENGINE
    return name


def recognize_page(
    image: Image.Image,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
) -> tuple[Image.Image, PageResult]:
    """Prepare one page image and read it: returns ``(prepared image, result)``.

    The result's words and lines are in reading order (``ocr.layout.reading_order``) and its
    boxes in the prepared image's pixels, so keep that image for showing them. ``image`` itself
    is not modified.
    """
    return ocr_page(image, engine=_engine(engine), languages=languages, max_side=max_side)


def recognize(
    source: Source,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    text_layer: bool = True,
) -> DocumentResult:
    """Read every page of ``source``, blocking until done.

    PDF pages that carry text keep it instead of being OCR'd, with OCR only for pictures no
    text lies over (``ocr.pagetext``); ``text_layer=False`` OCRs every page regardless.
    Pages are decoded, prepared and read one at a time, so memory holds about one page.
    """
    ocr_engine = _engine(engine)
    codes = None if languages is None else check_languages(ocr_engine, languages)
    pages: list[PageResult] = []
    with open_source(source, max_pixels=max_pixels) as document:
        for index in range(document.page_count):
            _, result = read_page(
                document,
                index,
                engine=ocr_engine,
                languages=codes,
                max_side=max_side,
                text_layer=text_layer,
            )
            pages.append(result)
    return DocumentResult(tuple(pages))


def extract_text(
    source: Source,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    text_layer: bool = True,
) -> str:
    """``recognize(...).text``: pages joined by ``ocr.types.PAGE_SEPARATOR``."""
    return recognize(
        source,
        engine=engine,
        languages=languages,
        max_side=max_side,
        max_pixels=max_pixels,
        text_layer=text_layer,
    ).text


async def arecognize(
    source: Source,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    executor: Executor | None = None,
) -> DocumentResult:
    """``recognize`` off the event loop: in ``executor``, by default the shared process pool.

    A file object or image source is read into memory first (in a thread) to reach the pool.
    """
    dispatcher, call = _plan(engine, languages, max_side, max_pixels, executor)
    return await _run(dispatcher, call, source)


async def aextract_text(
    source: Source,
    *,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    executor: Executor | None = None,
) -> str:
    """``(await arecognize(...)).text``."""
    options = {"max_side": max_side, "max_pixels": max_pixels}
    result = await arecognize(
        source, engine=engine, languages=languages, executor=executor, **options
    )
    return result.text


async def aextract_as_completed(
    sources: Iterable[Source],
    *,
    concurrency: int | None = None,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    executor: Executor | None = None,
) -> AsyncGenerator[tuple[int, Outcome], None]:
    """Read many documents; yield ``(input index, result or its error)`` as each finishes.

    The engine and languages are checked first (in the pool, which also loads the engine there)
    and their errors raised before anything is yielded. After that an input's ``Exception``
    (an ``OcrError``, ``OSError``, ...) is yielded in its place and the others go on.

    At most ``concurrency`` documents are in flight (default: the pool's size): more would
    only wait in the pool's queue, holding their bytes in memory. Close the iterator early
    (``contextlib.aclosing``) to cancel the documents not yet started.
    """
    dispatcher, call = _plan(engine, languages, max_side, max_pixels, executor)
    limit = dispatcher.workers() if concurrency is None else concurrency
    if limit < 1:
        raise ValueError(f"concurrency must be at least 1, not {limit}")
    sources = list(sources)
    if not sources:
        return  # nothing to read: no reason to start a pool and load an engine
    # In the pool this also loads the engine in a worker, before the documents arrive.
    check = functools.partial(_check, call.keywords["engine"], call.keywords["languages"])
    codes = await dispatcher.submit(check)
    call = functools.partial(call, languages=codes)
    semaphore = asyncio.Semaphore(limit)

    async def one(index: int, source: Source) -> tuple[int, Outcome]:
        async with semaphore:
            try:
                return index, await _run(dispatcher, call, source)
            except Exception as exc:  # the input's own failure: its slot, not the batch's
                return index, exc

    tasks = [asyncio.create_task(one(index, source)) for index, source in enumerate(sources)]
    try:
        for finished in asyncio.as_completed(tasks):
            yield await finished
    finally:
        for task in tasks:
            task.cancel()


@overload
async def aextract_many(
    sources: Iterable[Source],
    *,
    concurrency: int | None = None,
    return_exceptions: Literal[True] = True,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    executor: Executor | None = None,
) -> list[Outcome]: ...


@overload
async def aextract_many(
    sources: Iterable[Source],
    *,
    concurrency: int | None = None,
    return_exceptions: Literal[False],
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    executor: Executor | None = None,
) -> list[DocumentResult]: ...


async def aextract_many(
    sources: Iterable[Source],
    *,
    concurrency: int | None = None,
    return_exceptions: bool = True,
    engine: str | Engine = DEFAULT_ENGINE,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    executor: Executor | None = None,
) -> list[Outcome] | list[DocumentResult]:
    """Read many documents in parallel; results are in input order.

    A failing input's exception takes its place in the list and the batch goes on. With
    ``return_exceptions=False`` the first failure is raised instead and the documents not yet
    started are cancelled. See ``aextract_as_completed`` for ``concurrency`` and the checks.
    """
    sources = list(sources)
    outcomes: list[Outcome | None] = [None] * len(sources)
    stream = aextract_as_completed(
        sources,
        concurrency=concurrency,
        engine=engine,
        languages=languages,
        max_side=max_side,
        max_pixels=max_pixels,
        executor=executor,
    )
    async with aclosing(stream):
        async for index, outcome in stream:
            if isinstance(outcome, Exception) and not return_exceptions:
                raise outcome
            outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def _plan(
    engine: str | Engine,
    languages: Sequence[str] | None,
    max_side: int,
    max_pixels: int,
    executor: Executor | None,
) -> tuple[Dispatcher, functools.partial[DocumentResult]]:
    """Where to run, and ``recognize`` with every option but the source bound."""
    if isinstance(engine, str):
        engine = engine_name(engine)  # resolved here so every worker reads with the same one
    if isinstance(languages, str):
        languages = (languages,)
    dispatcher = Dispatcher(executor, local=not isinstance(engine, str))
    call = functools.partial(
        recognize,
        engine=engine,
        languages=None if languages is None else tuple(languages),
        max_side=max_side,
        max_pixels=max_pixels,
    )
    return dispatcher, call


async def _run(
    dispatcher: Dispatcher, call: functools.partial[DocumentResult], source: Source
) -> DocumentResult:
    shipped = await dispatcher.ship(source)
    return await dispatcher.submit(functools.partial(call, shipped))


def _check(engine: str | Engine, languages: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Load ``engine`` (in the process that will use it) and normalise ``languages``."""
    ocr_engine = _engine(engine)
    return None if languages is None else check_languages(ocr_engine, languages)


def _engine(engine: str | Engine) -> Engine:
    return get_engine(engine_name(engine)) if isinstance(engine, str) else engine
