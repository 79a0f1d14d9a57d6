"""Searchable PDFs of documents: the original pages with the OCR text as an invisible layer.

Built in the worker, never in a web process: building one decodes every page of the original
(a 13000 x 13000 px scan is 169 million pixels) and takes seconds to minutes.

* ``searchable_pdf_ready(document)`` (web and API): the storage name of the built PDF; if
  there is none yet, queues a build (once: a build already queued is not queued again) and
  raises ``ExportPending`` with the progress, so the download can say "being prepared".
* ``searchable_pdf_build(document_id)`` (the worker task, ``archive.tasks``) and
  ``searchable_pdf(document)`` (also called at the end of processing with
  ``SEARCHABLE_PDF_AT_END``) build it with ``ocr.searchable_pdf`` from the stored original
  and the saved pages, one page decoded at a time, store it through Django's storage API and
  remember its name on the document. One build per document at a time: a build holds a
  PostgreSQL advisory lock on the document, a second one waits for it and then finds the PDF.
* ``searchable_pdf_invalidate`` forgets the PDF (and deletes the file once the transaction
  commits) whenever the text changes: a re-run, a text correction.

The PDF is only recorded if the pages it was made from are still the document's pages, with
the same text, when it is finished: a correction saved while it was being built is not lost.
A build that fails (an original that cannot be read any more) records why, and the download
says so instead of waiting for ever.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import IO

import pikepdf
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django_q.tasks import async_task
from PIL import Image

from archive.filenames import clean_filename
from archive.models import Document, Page, storage_name
from ocr.errors import OcrError
from ocr.layout import result_lines
from ocr.searchable_pdf import PageText, build
from ocr.types import PageResult, Word

_logger = logging.getLogger(__name__)
#: A build whose pages changed meanwhile is made again, at most this many times in all.
_ATTEMPTS = 3
#: A queued build not finished after this long is taken for lost (its worker died) and queued
#: again by the next download.
REQUEST_STALE = timedelta(minutes=15)
#: Progress is written at most this often (seconds): a row update per page of a
#: 2,000-page PDF would be wasteful.
_PROGRESS_EVERY = 1.0
# Advisory lock keys (pg_advisory_lock(bigint)): "P" in the top bits, the document id (below
# 2**53, see ``models.random_document_id``) in the rest.
_LOCK_SPACE = ord("P") << 55


class ExportUnavailable(Exception):
    """The document has no searchable PDF to give; the message says why, in plain words."""


class ExportFailed(ExportUnavailable):
    """The build itself failed (the original cannot be read or converted)."""


class ExportPending(Exception):
    """The PDF is being prepared in the background; ask again later.

    ``pages_done`` of ``pages`` is the build's progress (0 while it waits in the queue)."""

    def __init__(self, pages_done: int, pages: int) -> None:
        super().__init__(f"The searchable PDF is being prepared ({pages_done} of {pages} pages).")
        self.pages_done = pages_done
        self.pages = pages


def searchable_pdf_ready(document: Document) -> str:
    """The storage name of ``document``'s searchable PDF if it is built; else queue its build
    (unless one is queued already) and raise ``ExportPending``.

    Raises ``ExportUnavailable`` for a document that is not done (queued, being read, failed,
    waiting for a password) and ``ExportFailed`` when its last build failed (until the text
    changes). The caller has checked access (``archive.selectors``)."""
    document.refresh_from_db(
        fields=[
            "status",
            "searchable_pdf",
            "searchable_pdf_error",
            "searchable_pdf_progress",
            "page_count",
        ]
    )
    _check_done(document)
    cached = document.searchable_pdf.name
    if cached and default_storage.exists(cached):
        return str(cached)
    if document.searchable_pdf_error:
        raise ExportFailed(document.searchable_pdf_error)
    now = timezone.now()
    # One UPDATE decides who queues the build: parallel downloads cannot queue two.
    claimed = (
        Document.objects.filter(pk=document.pk, status=Document.Status.DONE)
        .filter(
            Q(searchable_pdf_requested__isnull=True)
            | Q(searchable_pdf_requested__lt=now - REQUEST_STALE)
        )
        .update(searchable_pdf_requested=now, searchable_pdf_progress=0)
    )
    if claimed:
        pk = document.pk
        transaction.on_commit(lambda: _enqueue_build(pk))
        document.searchable_pdf_progress = 0
    raise ExportPending(document.searchable_pdf_progress, document.page_count or 0)


def _enqueue_build(document_id: int) -> None:
    """Queue the build of a document's searchable PDF (``archive.tasks.build_searchable_pdf``;
    the dotted name is stored in the queue). Called once the request is committed."""
    async_task(
        "archive.tasks.build_searchable_pdf",
        document_id,
        task_name=f"export-document-{document_id}",
        group="export",
    )


def searchable_pdf_build(document_id: int) -> None:
    """Worker task: build the document's searchable PDF if it has none (see the module
    docstring). A failure is recorded for the download to show; a document deleted or no
    longer done meanwhile is left alone."""
    try:
        document = Document.objects.get(pk=document_id)
    except Document.DoesNotExist:
        return
    try:
        searchable_pdf(document)
    except ExportFailed as error:
        Document.objects.filter(pk=document_id).update(searchable_pdf_error=str(error))
    except ExportUnavailable as error:
        _logger.info("document %s: searchable PDF not built: %s", document_id, error)
    finally:
        Document.objects.filter(pk=document_id).update(searchable_pdf_requested=None)


def searchable_pdf(document: Document) -> str:
    """The storage name of ``document``'s searchable PDF, built and stored first if need be.
    For the worker only: it may take minutes.

    Raises ``ExportUnavailable`` for a document that is not done and ``ExportFailed`` when the
    original cannot be read or converted any more. The caller has checked access.
    """
    with _build_lock(document.pk):
        for _ in range(_ATTEMPTS):
            document.refresh_from_db(fields=["status", "run", "searchable_pdf", "pdf_password"])
            _check_done(document)
            cached = document.searchable_pdf.name
            if cached and default_storage.exists(cached):
                return str(cached)
            pages = list(document.pages.order_by("number"))
            stored = _build_and_store(document, pages)
            served: str | None = None
            try:
                served = _record(document, pages, stored)
            finally:
                # Ours is kept only if it is the one recorded: a build from changed pages
                # is thrown away (no orphan files).
                if served != stored:
                    default_storage.delete(stored)
            if served is not None:
                return served
    raise ExportUnavailable(
        gettext("The document changed while its PDF was being made; try again.")
    )


def _check_done(document: Document) -> None:
    if document.status != Document.Status.DONE:
        raise ExportUnavailable(
            gettext(
                "The searchable PDF can be made once every page has been read (the document is "
                "%(status)s)."
            )
            % {"status": str(document.get_status_display()).lower()}
        )


@contextmanager
def _build_lock(document_id: int) -> Iterator[None]:
    """Hold the document's build lock (a session-level advisory lock, waited for): a second
    build of the same document starts only after the first has recorded its PDF."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s::bigint)", [_LOCK_SPACE | document_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s::bigint)", [_LOCK_SPACE | document_id])


def searchable_pdf_invalidate(document: Document) -> None:
    """Forget the document's cached PDF; its file is deleted when the transaction commits.
    Call it inside the transaction that changes the text."""
    name = Document.objects.filter(pk=document.pk).values_list("searchable_pdf", flat=True).first()
    if not name:
        # A failed build is worth another try with the new text.
        Document.objects.filter(pk=document.pk).update(searchable_pdf_error="")
        return
    Document.objects.filter(pk=document.pk).update(searchable_pdf="", searchable_pdf_error="")
    document.searchable_pdf.name = ""
    transaction.on_commit(lambda: default_storage.delete(name))


def download_name(document: Document) -> str:
    """The file name to send the PDF under: the title, cleaned, with ``.pdf`` (slashes in a
    title are not folders: they become dashes)."""
    title = document.title.replace("/", "-").replace("\\", "-")
    return clean_filename(f"{title}.pdf")


def _build_and_store(document: Document, pages: Sequence[Page]) -> str:
    texts = [_page_text(page) for page in pages]
    with (
        default_storage.open(storage_name(document.original), "rb") as stored,
        _spooled(stored) as original,
        tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as out,
    ):
        try:
            outcomes = build(
                original,  # type: ignore[arg-type]  # a SpooledTemporaryFile is a BinaryIO
                texts,
                out,  # type: ignore[arg-type]
                password=document.pdf_password or None,
                max_pixels=settings.OCR_MAX_PIXELS,
                pdf_dpi=settings.OCR_PDF_DPI,
                max_side=settings.OCR_MAX_SIDE,
                on_page=_progress(document.pk),
            )
        except OcrError as error:
            raise ExportFailed(f"The original cannot be read: {error}") from error
        except (pikepdf.PdfError, ValueError) as error:
            _logger.warning("document %s: no searchable PDF: %s", document.pk, error)
            raise ExportFailed(
                "The searchable PDF could not be made from this file "
                f"({type(error).__name__}). The original can still be downloaded."
            ) from error
        out.seek(0)
        name = default_storage.save(
            f"exports/{document.owner_id}/{document.pk}/searchable-{document.run}.pdf", File(out)
        )
    _logger.info("document %s: searchable PDF %s (%s)", document.pk, name, ", ".join(outcomes))
    return name


def _progress(document_id: int) -> Callable[[int], None]:
    """A build's ``on_page``: writes the pages done to the document, at most once a second."""
    last = [0.0]

    def report(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= _PROGRESS_EVERY:
            last[0] = now
            Document.objects.filter(pk=document_id).update(searchable_pdf_progress=done)

    return report


def _record(document: Document, pages: Sequence[Page], name: str) -> str | None:
    """The name to serve: ``name``, now recorded, if the document still has exactly
    ``pages`` with their text and no PDF yet; the PDF another request recorded meanwhile, if
    there is one (so parallel first downloads all serve that one file); ``None`` if the
    pages changed (or the document is no longer done). Sets ``document.searchable_pdf`` to
    what is recorded. Never deletes a file: the caller deletes ``name`` unless returned."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None or locked.status != Document.Status.DONE:
            return None
        now = list(locked.pages.order_by("number"))
        if _fingerprint(now) != _fingerprint(pages):
            return None
        recorded = locked.searchable_pdf.name
        if recorded and default_storage.exists(recorded):
            # Another request made it first (same pages, checked under the row lock).
            document.searchable_pdf.name = recorded
            return str(recorded)
        Document.objects.filter(pk=document.pk).update(searchable_pdf=name)
        document.searchable_pdf.name = name
    return name


def _fingerprint(pages: Sequence[Page]) -> str:
    digest = hashlib.sha256()
    for page in pages:
        digest.update(f"{page.pk}\0{page.number}\0{page.text}\0".encode())
    return digest.hexdigest()


def _page_text(page: Page) -> PageText:
    return PageText(
        lines=page_lines(page),
        size=(page.width, page.height),
        origin=page.source,
        image=functools.partial(_page_image, storage_name(page.image)),
    )


def page_lines(page: Page) -> tuple[tuple[Word, ...], ...]:
    """The page's words by line, in reading order, with the page's *current* text.

    The stored words are the OCR's; a staff correction changes ``Page.text`` only. So: text
    unchanged -> the words as read; the same number of words -> each corrected word in its
    box; the same number of lines -> each corrected line spread over its line's box; else the
    OCR words (a correction that restructured the page cannot be placed word by word).
    """
    words = tuple(
        Word(str(w["text"]), _box(w["box"]), float(w.get("confidence", 1.0))) for w in page.words
    )
    tokens = page.text.split()
    if "".join("".join(w.text for w in words).split()) == "".join(tokens) or not words:
        return _lines(page.text, words, page)
    if len(tokens) == len(words):
        renamed = tuple(Word(t, w.box, w.confidence) for t, w in zip(tokens, words, strict=True))
        return _lines(page.text, renamed, page)
    ocr_lines = _lines("", words, page)
    corrected = [line for line in page.text.splitlines() if line.strip()]
    if len(corrected) == len(ocr_lines):
        return tuple(_spread(text, line) for text, line in zip(corrected, ocr_lines, strict=True))
    _logger.info("page %s: corrected text does not fit the OCR boxes; using the OCR words", page.pk)
    return ocr_lines


def _lines(text: str, words: tuple[Word, ...], page: Page) -> tuple[tuple[Word, ...], ...]:
    result = PageResult(
        text=text,
        words=words,
        confidence=0.0,
        engine=page.engine,
        languages=(),
        seconds=0.0,
        width=page.width,
        height=page.height,
    )
    return tuple(line for _, line in result_lines(result))


def _spread(text: str, line: tuple[Word, ...]) -> tuple[Word, ...]:
    """The words of ``text`` laid over ``line``'s box, each as wide as its share of letters."""
    tokens = text.split()
    x0 = min(w.box[0] for w in line)
    y0 = min(w.box[1] for w in line)
    x1 = max(w.box[2] for w in line)
    y1 = max(w.box[3] for w in line)
    total = sum(len(t) + 1 for t in tokens) - 1
    out, left = [], float(x0)
    for token in tokens:
        right = left + (x1 - x0) * len(token) / total
        out.append(Word(token, (round(left), y0, max(round(left) + 1, round(right)), y1), 1.0))
        left = right + (x1 - x0) / total
    return tuple(out)


def _box(raw: Sequence[float]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (round(v) for v in raw)
    return x0, y0, x1, y1


def _page_image(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as stored:
        image = Image.open(stored)
        image.load()
    return image


def _spooled(stored: IO[bytes]) -> IO[bytes]:
    """A seekable local copy of a stored file (a storage file need not be seekable)."""
    copy: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115
    shutil.copyfileobj(stored, copy, 1024 * 1024)
    copy.seek(0)
    return copy
