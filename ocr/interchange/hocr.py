"""hOCR 1.2 (http://kba.github.io/hocr-spec/1.2/): write a result, read a file back.

Written files are XHTML with the required ``ocr-system`` and ``ocr-capabilities`` metadata and,
per page, ``ocr_page`` (``bbox`` the image size, ``image`` the source file, ``ppageno``, ``lang``)
> ``ocr_carea`` > ``ocr_par`` > ``ocr_line`` > ``ocrx_word`` (``bbox`` and ``x_wconf``, the
confidence in percent, 0 to 100). Text between words is what separates them in the line: a
space, or a tab between the cells of a table row (``ocr.layout``), read back as a tab when the
white space between two words holds a tab and no line break (indentation does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree, html

from ocr.interchange.reading import (
    InvalidOcrFile,
    LineBuilder,
    build_page,
    clamp_box,
    confidence,
)
from ocr.interchange.structure import NONE, Box, page_blocks, page_language, separator, xml_text
from ocr.types import PageResult

XHTML = "http://www.w3.org/1999/xhtml"
_NS = f"{{{XHTML}}}"
_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
#: The hOCR classes a written file uses (its ``ocr-capabilities``).
CAPABILITIES = ("ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word")

#: ``PageResult.engine`` of pages read from an hOCR file.
ENGINE = "hocr"

_BBOX = re.compile(r"\bbbox\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)")
_WCONF = re.compile(r"\bx_wconf\s+(-?[\d.]+)")


def to_hocr(
    pages: Sequence[PageResult],
    *,
    source_name: str | None = None,
    language: str | None = None,
    software: str = "Scan Archive",
) -> bytes:
    """``pages`` as one hOCR document (UTF-8 XHTML bytes), one ``ocr_page`` per result.

    Arguments as ``ocr.interchange.to_alto``.
    """
    languages = [page_language(page, language) for page in pages]
    document_language = next((code for code in languages if code), None)
    root = etree.Element(f"{_NS}html", nsmap={None: XHTML})
    if document_language:
        root.set("lang", document_language)
        root.set("{http://www.w3.org/XML/1998/namespace}lang", document_language)
    head = etree.SubElement(root, f"{_NS}head")
    etree.SubElement(head, f"{_NS}title").text = xml_text(source_name or "")
    etree.SubElement(
        head, f"{_NS}meta", {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"}
    )
    engines = ", ".join(dict.fromkeys(page.engine for page in pages if page.engine))
    system = f"{software} ({engines})" if engines else software
    etree.SubElement(head, f"{_NS}meta", name="ocr-system", content=xml_text(system))
    etree.SubElement(head, f"{_NS}meta", name="ocr-capabilities", content=" ".join(CAPABILITIES))
    etree.SubElement(head, f"{_NS}meta", name="ocr-number-of-pages", content=str(len(pages)))
    body = etree.SubElement(root, f"{_NS}body")
    for number, (page, code) in enumerate(zip(pages, languages, strict=True), 1):
        _page(body, number, page, code, source_name)
    return bytes(
        etree.tostring(
            root, xml_declaration=True, encoding="UTF-8", doctype=_DOCTYPE, pretty_print=True
        )
    )


def _page(
    body: etree._Element,
    number: int,
    page: PageResult,
    language: str | None,
    source_name: str | None,
) -> None:
    title = f"bbox 0 0 {page.width} {page.height}; ppageno {number - 1}"
    if source_name:
        # Property strings are double-quoted; a quote in a file name would end one early.
        image = xml_text(source_name).replace('"', "'").replace("\\", "/")
        title = f'image "{image}"; {title}'
    element = etree.SubElement(
        body, f"{_NS}div", {"class": "ocr_page", "id": f"page_{number}", "title": title}
    )
    if language:
        element.set("lang", language)
    for b, block in enumerate(page_blocks(page), 1):
        area = _box_element(element, "div", "ocr_carea", f"block_{number}_{b}", block.box)
        par = _box_element(area, "p", "ocr_par", f"par_{number}_{b}", block.box)
        if language:
            par.set("lang", language)
        for n, line in enumerate(block.lines, 1):
            line_id = f"line_{number}_{b}_{n}"
            line_element = _box_element(par, "span", "ocr_line", line_id, line.box)
            # Text (even empty) stops pretty-printing from indenting the words: indentation
            # there would read as spaces between words, wrong between CJK characters.
            line_element.text = ""
            previous: etree._Element | None = None
            for w, word in enumerate(line.words):
                if previous is not None and line.separators[w - 1] != NONE:
                    previous.tail = line.separators[w - 1]
                percent = round(min(max(word.confidence, 0.0), 1.0) * 100)
                previous = _box_element(
                    line_element, "span", "ocrx_word", f"word_{number}_{b}_{n}_{w + 1}", word.box
                )
                previous.set("title", f"{previous.get('title')}; x_wconf {percent}")
                previous.text = xml_text(word.text)


def _box_element(
    parent: etree._Element, tag: str, kind: str, element_id: str, box: Box
) -> etree._Element:
    return etree.SubElement(
        parent,
        f"{_NS}{tag}",
        {"class": kind, "id": element_id, "title": f"bbox {box[0]} {box[1]} {box[2]} {box[3]}"},
    )


def read_hocr(data: bytes) -> tuple[PageResult, ...]:
    """The pages of an hOCR file (XHTML or HTML), words and boxes in document order.

    A page's size is its ``ocr_page`` bbox; words are ``ocrx_word`` elements (or, in files
    without word level, nothing is read from that line). Raises ``InvalidOcrFile`` for a file
    with no ``ocr_page`` or a page without a bbox.
    """
    try:
        # The HTML parser reads both XHTML and plain HTML hOCR, and never fetches anything.
        root = html.fromstring(data, parser=html.HTMLParser(no_network=True, encoding="utf-8"))
    except (etree.ParserError, ValueError) as exc:
        raise InvalidOcrFile(f"it is not readable HTML ({exc})") from exc
    pages = [element for element in root.iter() if _has_class(element, "ocr_page")]
    if not pages:
        raise InvalidOcrFile("it has no ocr_page")
    return tuple(_read_page(page, number) for number, page in enumerate(pages, 1))


def _read_page(page: etree._Element, number: int) -> PageResult:
    box = _bbox(page.get("title", ""))
    if box is None:
        raise InvalidOcrFile(f"page {number} has no bbox")
    size = (max(round(box[2]), 0), max(round(box[3]), 0))
    lines: list[LineBuilder] = []
    languages = [code for code in (page.get("lang"),) if code]
    for line in page.iter():
        if not _has_class(line, "ocr_line", "ocrx_line", "ocr_textfloat", "ocr_header"):
            continue
        entries = LineBuilder(size)
        for word in line.iter():
            word_box = _bbox(word.get("title", "")) if _has_class(word, "ocrx_word") else None
            if word_box is None:
                continue
            found = _WCONF.search(word.get("title", ""))
            percent = float(found.group(1)) / 100 if found else None
            entries.add(
                word.text_content(),
                clamp_box(*word_box, size),
                confidence(percent),
                separator_before=_separator_before(word),
            )
        lines.append(entries)
        for holder in (line, line.getparent()):
            if holder is not None and holder.get("lang"):
                languages.append(str(holder.get("lang")))
    return build_page(lines, size=size, engine=ENGINE, languages=languages)


def _separator_before(word: etree._Element) -> str:
    """What separates ``word`` from the word before it in the line's text
    (``structure.separator`` of the white space after the previous element)."""
    previous = word.getprevious()
    if previous is None or not previous.tail:
        return NONE
    tail = previous.tail
    return separator(tail[: len(tail) - len(tail.lstrip())])


def _has_class(element: etree._Element, *names: str) -> bool:
    classes = element.get("class")
    return bool(classes) and any(name in str(classes).split() for name in names)


def _bbox(title: str) -> tuple[float, float, float, float] | None:
    found = _BBOX.search(title)
    if found is None:
        return None
    x0, y0, x1, y1 = (float(value) for value in found.groups())
    return x0, y0, x1, y1
