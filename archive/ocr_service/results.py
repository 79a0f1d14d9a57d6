"""What the OCR service answers: a job's state, its result as JSON, hOCR, ALTO or text.

A page's result is kept as the JSON the API returns (the CLI's ``jsonl`` page, plus the page's
languages and where its text came from), so a finished job is answered without reading
anything again, and rebuilt into ``PageResult`` for the hOCR and ALTO writers.
"""

from __future__ import annotations

from typing import Any

from archive.langdetect import detect
from archive.languages import DETECT
from archive.models import OcrJob
from archive.ocr_files import OcrFile
from ocr.cli import page_json as cli_page_json
from ocr.interchange import FORMATS, to_alto, to_hocr
from ocr.types import PAGE_SEPARATOR, PageResult, Word

#: What a finished job can be given as (``?output=``): JSON by default.
OUTPUTS = ("json", "text", *FORMATS)


def page_json(number: int, result: PageResult) -> dict[str, Any]:
    """One page as the service returns it (``number`` is 1-based)."""
    return {
        **cli_page_json(number, result),
        "languages": list(result.languages),
        "origin": result.origin,
    }


def page_from_json(data: dict[str, Any]) -> PageResult:
    """The ``PageResult`` a page's JSON was made from (seconds and confidences rounded)."""
    words = tuple(
        Word(str(w["text"]), (w["box"][0], w["box"][1], w["box"][2], w["box"][3]), w["confidence"])
        for w in data["words"]
    )
    return PageResult(
        text=data["text"],
        words=words,
        confidence=data["confidence"],
        engine=data["engine"],
        languages=tuple(data.get("languages", ())),
        seconds=data["seconds"],
        width=data["width"],
        height=data["height"],
        evaluation=data["evaluation"],
        origin=data.get("origin", "ocr"),
    )


def job_pages(job: OcrJob) -> list[dict[str, Any]]:
    """The job's pages read so far, in order, as JSON."""
    return [row.result for row in job.pages.order_by("number")]


def job_json(job: OcrJob, url: str) -> dict[str, Any]:
    """The job's state, and its result once it is done. ``url`` is where to poll it."""
    done = job.pages.count() if job.status != OcrJob.Status.DONE else job.page_count
    body: dict[str, Any] = {
        "id": str(job.id),
        "url": url,
        "status": job.status,
        "name": job.input_name,
        "progress": {"pages_done": done, "page_count": job.page_count},
        "engine": job.engine,
        "language": job.language,
        "error": job.error or None,
        "created": job.created.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "expires_at": job.expires_at.isoformat(),
        "result": None,
    }
    if job.status == OcrJob.Status.DONE:
        body["result"] = job_result(job)
    return body


def job_result(job: OcrJob) -> dict[str, Any]:
    """A done job's result: text, pages with words, boxes and confidences, engine, timings."""
    pages = job_pages(job)
    text = PAGE_SEPARATOR.join(page["text"] for page in pages)
    language = job.language if job.language != DETECT else detect(text).language
    engines = list(dict.fromkeys(page["engine"] for page in pages))
    timings: dict[str, float | None] = {
        "engine_seconds": round(sum(page["seconds"] for page in pages), 3),
        "waited_seconds": None,
        "total_seconds": None,
    }
    if job.started_at and job.finished_at:
        timings["waited_seconds"] = round((job.started_at - job.created).total_seconds(), 3)
        timings["total_seconds"] = round((job.finished_at - job.created).total_seconds(), 3)
    return {
        "engine": engines[0] if len(engines) == 1 else ",".join(engines),
        "language": language,
        "text": text,
        "pages": pages,
        "timings": timings,
    }


def job_file(job: OcrJob, output: str) -> OcrFile:
    """A done job's result as an hOCR, ALTO or plain text file (``output``)."""
    pages = job_pages(job)
    stem = job.input_name.rsplit(".", 1)[0] or "ocr"
    if output == "text":
        text = PAGE_SEPARATOR.join(page["text"] for page in pages)
        return OcrFile(text.encode(), f"{stem}.txt", "text/plain; charset=utf-8")
    language = job.language if job.language != DETECT else None
    results = [page_from_json(page) for page in pages]
    write = to_hocr if output == "hocr" else to_alto
    content_type, extension = FORMATS[output]
    data = write(results, source_name=job.input_name, language=language)
    return OcrFile(data, f"{stem}{extension}", content_type)
