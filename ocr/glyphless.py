"""An invisible-text font for PDF text layers: a TrueType font with no glyph outlines.

The text layer of a searchable PDF is drawn in rendering mode 3 (neither filled nor stroked), so
its glyphs are never seen; what matters is that every viewer can map each character code back to
Unicode and knows each glyph's advance. This follows Tesseract's PDF renderer
(``src/api/pdfrenderer.cpp``, font design notes in its ``doc/pdf.md``):

- a ``Type0`` font with ``Identity-H`` encoding (two-byte codes) over a ``CIDFontType2``
  descendant whose ``CIDToGIDMap`` sends every code to the one empty glyph, advance 500/1000;
- a ``ToUnicode`` CMap from each code to its text, which is how copy, search and ``pdftotext``
  get the characters back.

Unlike Tesseract (code = UTF-16 unit, one fixed 64k-entry map) codes are handed out per PDF,
1, 2, 3 ... in order of first use, and each maps to the full character: any Unicode scalar,
including characters outside the Basic Multilingual Plane (rare CJK, emoji), round-trips.

The font program is built here, table by table (``head``, ``hhea``, ``maxp``, ``hmtx``,
``loca``, ``glyf``, ``post``), rather than shipped as a binary file: it is 300-odd bytes and
the code says what is in it. Ascent 1000 and descent -1 make a viewer's selection box of a word
exactly its font size tall, above the baseline, which is how the word boxes are placed.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from functools import cache

import pikepdf

#: Advance of every glyph in 1/1000 of the font size (``/DW``).
GLYPH_WIDTH = 500
_UNITS_PER_EM = 1000


@cache
def font_program() -> bytes:
    """The TrueType font: glyph 0 (``.notdef``) and glyph 1, both empty, 500 units wide."""
    head = struct.pack(
        ">IIIIHHqqhhhhHHh",
        0x00010000,  # version
        0x00010000,  # fontRevision
        0,  # checkSumAdjustment, filled in below
        0x5F0F3CF5,  # magicNumber
        0x000B,  # flags: baseline at y=0, lsb at x=0, integer scaling
        _UNITS_PER_EM,
        0,  # created
        0,  # modified
        0,  # xMin
        0,  # yMin
        GLYPH_WIDTH,  # xMax
        _UNITS_PER_EM,  # yMax
        0,  # macStyle
        8,  # lowestRecPPEM
        2,  # fontDirectionHint
    ) + struct.pack(">hh", 0, 0)  # indexToLocFormat (short), glyphDataFormat
    hhea = struct.pack(
        ">IhhhHhhhhhhhhhhhH",
        0x00010000,
        _UNITS_PER_EM,  # ascender
        -1,  # descender
        0,  # lineGap
        GLYPH_WIDTH,  # advanceWidthMax
        0,  # minLeftSideBearing
        0,  # minRightSideBearing
        GLYPH_WIDTH,  # xMaxExtent
        1,  # caretSlopeRise
        0,  # caretSlopeRun
        0,  # caretOffset
        0,
        0,
        0,
        0,  # reserved
        0,  # metricDataFormat
        2,  # numberOfHMetrics
    )
    maxp = struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)
    hmtx = struct.pack(">HhHh", GLYPH_WIDTH, 0, GLYPH_WIDTH, 0)
    loca = struct.pack(">HHH", 0, 0, 0)  # both glyphs empty: no outline data at all
    glyf = b""
    post = struct.pack(">IIhhIIIII", 0x00030000, 0, 0, 0, 1, 0, 0, 0, 0)  # no glyph names
    tables = {
        b"glyf": glyf,
        b"head": head,
        b"hhea": hhea,
        b"hmtx": hmtx,
        b"loca": loca,
        b"maxp": maxp,
        b"post": post,
    }
    return _sfnt(tables)


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    """Assemble an ``sfnt`` file: offset table, table directory (sorted by tag), tables padded
    to 4 bytes, and ``head.checkSumAdjustment`` set as the TrueType spec requires."""
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1,
                         count * 16 - power * 16)  # fmt: skip
    offset = len(header) + 16 * count
    directory, body = b"", b""
    head_at = 0
    for tag in sorted(tables):
        data = tables[tag]
        if tag == b"head":
            head_at = offset
        directory += struct.pack(">4sIII", tag, _checksum(data), offset, len(data))
        padded = data + b"\0" * (-len(data) % 4)
        body += padded
        offset += len(padded)
    font = bytearray(header + directory + body)
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_at + 8 : head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


class GlyphlessFont:
    """The text-layer font of one PDF, and the character codes shown with it.

    ``font`` is the indirect ``Type0`` font to put in the pages' resources; ``encode(text)``
    gives the two-byte codes to show ``text`` with (a new character gets the next free code);
    ``finish()``, once every page is written, fills in the ``ToUnicode`` and ``CIDToGIDMap``
    streams for every code handed out. Codes start at 1 (0 is ``.notdef``).
    """

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self._codes: dict[str, int] = {}
        self._to_unicode = pdf.make_stream(b"")
        self._cid_to_gid = pdf.make_stream(b"")
        descriptor = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.FontDescriptor,
                FontName=pikepdf.Name.GlyphLessFont,
                Flags=5,  # fixed pitch, symbolic
                FontBBox=[0, 0, GLYPH_WIDTH, _UNITS_PER_EM],
                ItalicAngle=0,
                Ascent=_UNITS_PER_EM,
                Descent=-1,
                CapHeight=_UNITS_PER_EM,
                StemV=80,
                FontFile2=pdf.make_stream(font_program()),
            )
        )
        descendant = pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.CIDFontType2,
            BaseFont=pikepdf.Name.GlyphLessFont,
            CIDSystemInfo=pikepdf.Dictionary(
                Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
            ),
            FontDescriptor=descriptor,
            DW=GLYPH_WIDTH,
            CIDToGIDMap=self._cid_to_gid,
        )
        self.font: pikepdf.Object = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Font,
                Subtype=pikepdf.Name.Type0,
                BaseFont=pikepdf.Name.GlyphLessFont,
                Encoding=pikepdf.Name("/Identity-H"),
                DescendantFonts=[pdf.make_indirect(descendant)],
                ToUnicode=self._to_unicode,
            )
        )

    def encode(self, text: str) -> bytes:
        """``text`` as Identity-H codes, one per Unicode scalar value."""
        out = bytearray()
        for char in text:
            code = self._codes.get(char)
            if code is None:
                code = len(self._codes) + 1
                if code > 0xFFFF:
                    raise ValueError("more than 65535 distinct characters in one text layer")
                self._codes[char] = code
            out += code.to_bytes(2, "big")
        return bytes(out)

    def finish(self) -> None:
        """Write the maps for every code handed out (call once, after the last ``encode``)."""
        self._to_unicode.write(to_unicode_cmap(self._codes.items()))
        # Every code to glyph 1, two bytes a code; code 0 stays on .notdef.
        self._cid_to_gid.write(
            zlib.compress(b"\0\0" + b"\0\1" * len(self._codes)), filter=pikepdf.Name.FlateDecode
        )


def to_unicode_cmap(codes: Iterable[tuple[str, int]]) -> bytes:
    """A ToUnicode CMap mapping each two-byte ``code`` to its character (UTF-16BE, so
    characters beyond U+FFFF become surrogate pairs as the PDF spec asks)."""
    entries = [
        f"<{code:04X}> <{char.encode('utf-16-be').hex().upper()}>"
        for char, code in sorted(codes, key=lambda pair: pair[1])
    ]
    blocks = []
    for start in range(0, len(entries), 100):  # at most 100 entries a block (PDF spec)
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")
