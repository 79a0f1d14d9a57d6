"""ALTO XML 4 (https://www.loc.gov/standards/alto/): write a result, read a file back.

Written files declare schema version 4.4 and validate against its XSD: ``Description``
(``MeasurementUnit`` pixel, the source image's name, the engine), then per page ``Page``
(``WIDTH``/``HEIGHT`` the image size in pixels) > ``PrintSpace`` > ``TextBlock`` (``LANG``) >
``TextLine`` > ``String`` (``CONTENT``, ``HPOS``/``VPOS``/``WIDTH``/``HEIGHT``, ``WC``) with
``SP`` where the text has a space. A string is one word, or one character of CJK text.

A tab between two words (the cells of a table row, see ``ocr.layout``) has no element of its
own in ALTO: it is written as an ``SP`` (what other readers see: a space), and the ``String``
after it refers by ``TAGREFS`` to a ``LayoutTag`` labelled ``tab`` (declared once in the
document's ``Tags``). The reader gives such a string's separator back as a tab, whatever the
tag's ID, so files other tools write that way read the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from ocr.interchange.reading import (
    InvalidOcrFile,
    LineBuilder,
    build_page,
    clamp_box,
    confidence,
    xml_parser,
)
from ocr.interchange.structure import (
    NONE,
    SPACE,
    TAB,
    Box,
    page_blocks,
    page_language,
    xml_text,
)
from ocr.types import PageResult

NAMESPACE = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA_LOCATION = "http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NS = f"{{{NAMESPACE}}}"

#: ``PageResult.engine`` of pages read from an ALTO file.
ENGINE = "alto"

#: The ``LABEL`` of the ``LayoutTag`` that marks a ``String`` preceded by a tab, and the ``ID``
#: written files give it.
TAB_LABEL = "tab"
TAB_TAG_ID = "TAG_TAB"
_TAB_DESCRIPTION = "A tab, not a space, separates this String from the one before it (table cells)"


def to_alto(
    pages: Sequence[PageResult],
    *,
    source_name: str | None = None,
    language: str | None = None,
    software: str = "Scan Archive",
) -> bytes:
    """``pages`` as one ALTO 4 document (UTF-8 bytes), one ``Page`` per result, in order.

    ``source_name`` is the scanned file's name (``sourceImageInformation``); ``language``
    overrides each page's own (``structure.page_language``); ``software`` and the pages'
    engines name the OCR processing.
    """
    root = etree.Element(f"{_NS}alto", nsmap={None: NAMESPACE, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", f"{NAMESPACE} {SCHEMA_LOCATION}")
    description = etree.SubElement(root, f"{_NS}Description")
    etree.SubElement(description, f"{_NS}MeasurementUnit").text = "pixel"
    if source_name:
        info = etree.SubElement(description, f"{_NS}sourceImageInformation")
        etree.SubElement(info, f"{_NS}fileName").text = xml_text(source_name)
    processing = etree.SubElement(description, f"{_NS}OCRProcessing", ID="OCR_0")
    step = etree.SubElement(processing, f"{_NS}ocrProcessingStep")
    tool = etree.SubElement(step, f"{_NS}processingSoftware")
    engines = ", ".join(dict.fromkeys(page.engine for page in pages if page.engine))
    name = f"{software} ({engines})" if engines else software
    etree.SubElement(tool, f"{_NS}softwareName").text = xml_text(name)
    layout = etree.SubElement(root, f"{_NS}Layout")
    for number, page in enumerate(pages, 1):
        _page(layout, number, page, page_language(page, language))
    if layout.find(f".//{_NS}String[@TAGREFS='{TAB_TAG_ID}']") is not None:
        # (Tags sit between Description and Layout in the schema's order.)
        tags = etree.Element(f"{_NS}Tags")
        etree.SubElement(
            tags, f"{_NS}LayoutTag", ID=TAB_TAG_ID, LABEL=TAB_LABEL, DESCRIPTION=_TAB_DESCRIPTION
        )
        layout.addprevious(tags)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _page(layout: etree._Element, number: int, page: PageResult, language: str | None) -> None:
    element = etree.SubElement(
        layout,
        f"{_NS}Page",
        ID=f"p{number}",
        PHYSICAL_IMG_NR=str(number),
        WIDTH=str(page.width),
        HEIGHT=str(page.height),
    )
    space = etree.SubElement(element, f"{_NS}PrintSpace")
    _set_box(space, (0, 0, page.width, page.height))
    for b, block in enumerate(page_blocks(page), 1):
        block_id = f"p{number}_b{b}"
        block_element = etree.SubElement(space, f"{_NS}TextBlock", ID=block_id)
        _set_box(block_element, block.box)
        if language:
            block_element.set("LANG", language)
        for n, line in enumerate(block.lines, 1):
            line_id = f"{block_id}_l{n}"
            line_element = etree.SubElement(block_element, f"{_NS}TextLine", ID=line_id)
            _set_box(line_element, line.box)
            for w, word in enumerate(line.words):
                separator = line.separators[w - 1] if w else NONE
                if separator != NONE:
                    etree.SubElement(line_element, f"{_NS}SP")
                string = etree.SubElement(line_element, f"{_NS}String", ID=f"{line_id}_w{w + 1}")
                string.set("CONTENT", xml_text(word.text))
                if separator == TAB:
                    string.set("TAGREFS", TAB_TAG_ID)
                _set_box(string, word.box)
                string.set("WC", f"{min(max(word.confidence, 0.0), 1.0):.4g}")


def _set_box(element: etree._Element, box: Box) -> None:
    element.set("HPOS", str(box[0]))
    element.set("VPOS", str(box[1]))
    element.set("WIDTH", str(box[2] - box[0]))
    element.set("HEIGHT", str(box[3] - box[1]))


def read_alto(data: bytes) -> tuple[PageResult, ...]:
    """The pages of an ALTO file (versions 2 to 4), words and boxes in file order.

    Only pixel coordinates are read: a file in ``mm10`` or ``inch1200`` raises
    ``InvalidOcrFile``, as does anything that is not well-formed ALTO.
    """
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidOcrFile(f"it is not well-formed XML ({exc.msg})") from exc
    if etree.QName(root).localname != "alto":
        raise InvalidOcrFile("its root element is not <alto>")
    ns = etree.QName(root).namespace
    unit_path = f"{_tag(ns, 'Description')}/{_tag(ns, 'MeasurementUnit')}"
    unit = (root.findtext(unit_path) or "pixel").strip()
    if unit != "pixel":
        raise InvalidOcrFile(f"its coordinates are in {unit!r}; only pixel coordinates can be read")
    pages = root.findall(f"{_tag(ns, 'Layout')}/{_tag(ns, 'Page')}")
    if not pages:
        raise InvalidOcrFile("it has no <Page>")
    tabs = {
        tag.get("ID", "")
        for tag in root.iterfind(f"{_tag(ns, 'Tags')}/*")
        if (tag.get("LABEL") or "").strip().lower() == TAB_LABEL
    }
    return tuple(_read_page(page, ns, tabs - {""}) for page in pages)


def _tag(namespace: str | None, name: str) -> str:
    """``name`` in the file's ALTO namespace (v2, v3 and v4 each have their own, or none)."""
    return f"{{{namespace}}}{name}" if namespace else name


def _read_page(page: etree._Element, namespace: str | None, tabs: set[str]) -> PageResult:
    """One ``Page``; ``tabs`` are the IDs of the file's tags that mark a String preceded by a
    tab."""
    size = (_int(page, "WIDTH"), _int(page, "HEIGHT"))
    lines: list[LineBuilder] = []
    languages: list[str] = []
    for line in page.iter(_tag(namespace, "TextLine")):
        entries = LineBuilder(size)
        separator = NONE
        for child in line:
            tag = etree.QName(child).localname
            if tag == "SP":
                separator = SPACE
            elif tag == "String":
                content = child.get("CONTENT")
                if content is None:
                    raise InvalidOcrFile("a <String> has no CONTENT")
                x, y = _float(child, "HPOS"), _float(child, "VPOS")
                box = clamp_box(x, y, x + _float(child, "WIDTH"), y + _float(child, "HEIGHT"), size)
                wc = child.get("WC")
                if tabs and tabs.intersection((child.get("TAGREFS") or "").split()):
                    separator = TAB
                entries.add(
                    content,
                    box,
                    confidence(_number(wc) if wc else None),
                    separator_before=separator,
                )
                separator = NONE
        lines.append(entries)
        block = line.getparent()
        for holder in (child for child in (line, block) if child is not None):
            language = holder.get("LANG") or holder.get("language")
            if language:
                languages.append(language)
    return build_page(lines, size=size, engine=ENGINE, languages=languages)


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise InvalidOcrFile(f"{value!r} is not a number") from None


def _float(element: etree._Element, attribute: str) -> float:
    value = element.get(attribute)
    if value is None:
        tag = etree.QName(element).localname
        raise InvalidOcrFile(f"a <{tag}> has no {attribute}")
    return _number(value)


def _int(element: etree._Element, attribute: str) -> int:
    return max(round(_float(element, attribute)), 0)
