"""Import of existing OCR: a scan's hOCR or ALTO file, kept instead of running OCR.

A digitisation project uploads a scan together with its (often hand-corrected) OCR file. The
file is checked when it arrives (``ocr_file_check``: hOCR or ALTO by content, parsed with the
safe parser of ``ocr.interchange``, no more pages than the scan) and stored unchanged beside
the original (``Document.ocr_file``). When the worker reads page *n* of such a document it
takes page *n* of the file (``imported_page``): its words, confidences and boxes, scaled to
the page image the archive shows, with the engine recorded as "imported ALTO" or "imported
hOCR". Pages the file does not have are read by OCR as usual. ``force_ocr`` (a re-run that
OCRs every page) ignores the file.

The language the file declares (ALTO ``LANG``, hOCR ``lang``; ``ocr_file_language``) becomes
the document's when the upload leaves the language to be detected.

Pairing by name (``ocr_partner``): ``scan.tif`` goes with ``scan.xml``, ``scan.alto.xml``,
``scan.hocr``, ``scan.html`` or ``scan.htm`` beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.formats import number_format
from django.utils.translation import gettext

from archive.languages import LANGUAGES
from archive.models import Document, storage_name
from ocr.interchange import InvalidOcrFile, read_ocr_file, sniff_ocr_file
from ocr.interchange.fitting import fit_page, same_shape
from ocr.types import PageResult

#: File name endings of OCR files paired with a scan of the same base name, longest first.
OCR_SUFFIXES = (".alto.xml", ".hocr.html", ".xml", ".hocr", ".html", ".htm")

#: ``Page.engine`` of a page taken from an imported file, by the file's format.
IMPORTED_ENGINES = {"alto": "imported ALTO", "hocr": "imported hOCR"}

#: Storage name ending of a stored OCR file, by its format.
_STORED_SUFFIXES = {"alto": ".alto.xml", "hocr": ".hocr"}


class OcrFileRejected(Exception):
    """The OCR file sent with a scan cannot be used; ``str(error)`` says why."""


def is_ocr_file_name(name: str) -> bool:
    """Whether ``name`` ends like an OCR file (``OCR_SUFFIXES``), by name only."""
    return name.lower().endswith(OCR_SUFFIXES)


def ocr_base(name: str) -> str:
    """The base name an OCR file pairs by: ``scan.alto.xml`` -> ``scan`` (case kept)."""
    lower = name.lower()
    for suffix in OCR_SUFFIXES:
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def scan_base(name: str) -> str:
    """The base name a scan pairs by: ``scan.tif`` -> ``scan``."""
    return PurePath(name).stem if "." in name else name


def ocr_file_check(
    data: bytes,
    page_count: int | None,
    page_size: Callable[[int], tuple[int, int]] | None = None,
) -> str:
    """The format (``"alto"`` or ``"hocr"``) of ``data``, an OCR file for a scan of
    ``page_count`` pages whose page ``i`` (0-based) is ``page_size(i)`` pixels;
    ``OcrFileRejected`` why it cannot be used otherwise: too large, neither format, unreadable
    or unsafe XML (entities, DTDs), no pages, more pages than the scan, or a page of another
    shape than the scan's (``ocr.interchange.fitting.same_shape``). Counts and shapes are not
    checked when ``page_count``/``page_size`` is None (a PDF still waiting for its password).
    """
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise OcrFileRejected(
            gettext("The OCR file is larger than the limit of %(max_upload_mb)s MB.")
            % {"max_upload_mb": settings.MAX_UPLOAD_MB}
        )
    kind = sniff_ocr_file(data)
    try:
        pages = read_ocr_file(data)
    except InvalidOcrFile as error:
        raise OcrFileRejected(
            gettext("%(error)s Only ALTO XML and hOCR files can be imported.") % {"error": error}
        ) from error
    if kind is None or not pages:
        raise OcrFileRejected(gettext("The OCR file has no pages."))
    if page_count is not None and len(pages) > page_count:
        raise OcrFileRejected(
            gettext(
                "The OCR file has %(pages)s pages, but the scan has %(page_count)s: it belongs "
                "to another file."
            )
            % {
                "pages": number_format(len(pages), force_grouping=True),
                "page_count": number_format(page_count, force_grouping=True),
            }
        )
    if page_size is not None:
        for index, page in enumerate(pages):
            size = page_size(index)
            if not same_shape((page.width, page.height), size):
                raise OcrFileRejected(
                    gettext(
                        "Page %(number)s of the OCR file is %(width)s x %(height)s pixels, "
                        "which is not the shape of the scan's page (%(scan_width)s x "
                        "%(scan_height)s pixels): it belongs to another scan."
                    )
                    % {
                        "number": index + 1,
                        "width": page.width,
                        "height": page.height,
                        "scan_width": size[0],
                        "scan_height": size[1],
                    }
                )
    return kind


#: ISO 639-2 (bibliographic and terminology) codes of the archive's languages, and the
#: Norwegian written standards, to their ISO 639-1 code (``archive.languages.LANGUAGES``).
_LANGUAGE_ALIASES = {
    "eng": "en",
    "fre": "fr",
    "fra": "fr",
    "ger": "de",
    "deu": "de",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "dut": "nl",
    "nld": "nl",
    "swe": "sv",
    "dan": "da",
    "nor": "no",
    "nob": "no",
    "nno": "no",
    "nb": "no",
    "nn": "no",
    "fin": "fi",
    "rus": "ru",
    "chi": "zh",
    "zho": "zh",
    "jpn": "ja",
}


def ocr_file_language(data: bytes) -> str | None:
    """The archive language (ISO 639-1, ``LANGUAGES``) the OCR file ``data`` declares: ALTO
    ``LANG`` or hOCR ``lang``, as a BCP 47 tag (``fr``, ``de-AT``) or an ISO 639-2 code
    (``fra``, ``ger``). The one declared on most pages when they differ (the first of them on
    a tie); None when the file declares none of the archive's languages or cannot be read."""
    try:
        pages = read_ocr_file(data)
    except InvalidOcrFile:
        return None
    counts: dict[str, int] = {}
    for page in pages:
        for code in dict.fromkeys(filter(None, map(_archive_language, page.languages))):
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda code: counts[code])  # the first of the most: dicts keep order


def _archive_language(tag: str) -> str | None:
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    code = _LANGUAGE_ALIASES.get(primary, primary)
    return code if code in LANGUAGES else None


def ocr_file_store(document_path: str, kind: str, data: bytes) -> str:
    """Store ``data`` (checked by ``ocr_file_check``) beside the original stored under
    ``document_path``; its storage name."""
    stem = document_path.rsplit(".", 1)[0]
    return default_storage.save(f"{stem}{_STORED_SUFFIXES[kind]}", ContentFile(data))


def imported_page_count(document: Document) -> int:
    """How many pages of ``document`` its OCR file gives (0: none, or ``force_ocr``)."""
    if not document.ocr_file or document.force_ocr:
        return 0
    return len(_read(storage_name(document.ocr_file))[1])


def imported_page(document: Document, number: int, size: tuple[int, int]) -> PageResult | None:
    """Page ``number`` (1-based) of the document's OCR file fitted to a page image of
    ``size``; None when the document has no file, is to be OCR'd anyway (``force_ocr``) or
    the file has no such page. ``InvalidOcrFile`` when the file's page does not fit the image
    (another shape, see ``ocr.interchange.fitting``)."""
    if not document.ocr_file or document.force_ocr:
        return None
    kind, pages = _read(storage_name(document.ocr_file))
    if number > len(pages):
        return None
    return fit_page(pages[number - 1], size, engine=IMPORTED_ENGINES[kind])


def _read(name: str) -> tuple[str, tuple[PageResult, ...]]:
    # Each page job of a document reads the same stored file: parsed once per worker process
    # while the stored file stays the same (a name can come back after a delete: its size and
    # time tell the versions apart).
    return _parsed(name, default_storage.size(name), default_storage.get_modified_time(name))


@functools.lru_cache(maxsize=4)
def _parsed(name: str, size: int, modified: object) -> tuple[str, tuple[PageResult, ...]]:
    with default_storage.open(name, "rb") as stored:
        data = stored.read()
    return sniff_ocr_file(data) or "", read_ocr_file(data)


def ocr_pairs(names: list[str]) -> dict[str, str]:
    """Scan name -> OCR file name, for ``names`` of files in one folder (or one upload).

    An OCR file (by its ending, ``OCR_SUFFIXES``) pairs with the one other file of the same
    base name, compared without regard to case: ``scan.tif`` with ``scan.xml``. An OCR file
    that matches no scan, or several (``scan.tif`` and ``scan.pdf``), or a scan that several
    OCR files match, is left unpaired: guessing would attach the wrong text.
    """
    scans: dict[str, list[str]] = {}
    ocr_files: dict[str, list[str]] = {}
    for name in names:
        if is_ocr_file_name(name):
            ocr_files.setdefault(ocr_base(name).lower(), []).append(name)
        else:
            scans.setdefault(scan_base(name).lower(), []).append(name)
    pairs = {}
    for base, found in ocr_files.items():
        partners = scans.get(base, [])
        if len(found) == 1 and len(partners) == 1:
            pairs[partners[0]] = found[0]
    return pairs
