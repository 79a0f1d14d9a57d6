"""Reading order: put an engine's lines in the order a reader reads the page.

Engines differ here: RapidOCR returns lines top to bottom across the whole page, so the lines of
side-by-side columns come out interleaved; Tesseract finds blocks itself. ``reading_order``
gives every engine the same order, column by column, top to bottom, with a recursive XY-cut
over line boxes:

- a block of lines is split at vertical gaps that run through its whole height (columns, read
  left to right), or, when there is none, at its widest horizontal gap (read top to bottom);
- a block that cannot be split is read by rows, left to right.

What counts as a column (``_apart``): running text, however many short lines sit in it (a
column with a table in it), and a column of short lines beside running text that does not
sit on its rows (a sidebar of figures, margin notes). Short lines that pair off row by row
with their neighbours' are a table (or an invoice's amounts, a form's values): read across,
each row one line with its cells joined by tabs. A full-width heading is above every column
cut and comes first; a caption under a figure is a line of its column.

Columns are preferred over horizontal cuts because magazine columns often share a baseline
grid: then every inter-line gap runs across all columns, and cutting there first would read
the page row by row across the columns, which is exactly the problem being fixed.
"""

from __future__ import annotations

import dataclasses
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ocr.engines.wordboxes import is_cjk, tokens, union
from ocr.types import PageResult, Word

Box = tuple[int, int, int, int]

#: Within a line, a horizontal gap wider than this many line heights separates two columns
#: (or table cells) that the engine joined into one line. Word spaces are ~0.3 line heights,
#: generous justified spacing under 1; column gutters are usually 1.5 or more.
SPLIT_GAP = 2.0
#: A vertical gap narrower than this many (median) line heights is not taken for a gutter.
COLUMN_GAP = 0.5
#: Text columns have lines at least this many line heights wide (a narrow magazine column
#: is about 10); narrower "columns" are table cells and are read across, row by row.
MIN_COLUMN_WIDTH = 6
#: A text column has at least this many lines; fewer is more often a table's header cell.
MIN_COLUMN_LINES = 4
#: A gutter may be crossed by up to this share of the line count of its smaller side; those
#: lines are read on their own, before or after the columns.
OBSTACLES = 0.2
#: Running text beside a column of short lines is a sidebar (read apart) when fewer than this
#: share of the longer column's lines have a line of the other beside them; more is a table.
PAIRED = 0.5
#: Columns found under a heading or over a footer (``_frame``) need gutters at least this
#: many line heights wide: lines that Tesseract broke in two at a narrower gap, on a
#: typescript page with a crease (tapuscorpus giono_colline_II), are not columns.
FRAME_GUTTER = 1.0
#: A page without columns is still reordered when at least this many of its rows hold several
#: pieces side by side (a table): its rows are then written with their cells joined by tabs.
TABLE_ROWS = 2
#: A horizontal gap narrower than this many line heights is the space between two lines of
#: one paragraph, not a break between blocks: where the widest gap is no wider, columns
#: crossed by a few lines are looked for before cutting the page into rows.
LINE_SPACING = 0.5


@dataclass(frozen=True, slots=True)
class _Segment:
    """A run of words on one line, read as a unit: its text is a slice of the engine's line."""

    text: str
    words: tuple[Word, ...]
    box: Box


def reading_order(result: PageResult) -> PageResult:
    """Return ``result`` with its lines (``text``) and ``words`` in reading order.

    Pure: ``result`` is not modified. Line texts are kept as the engine wrote them, except that
    a line spanning a wide gap is cut in two there (its halves may belong to different
    columns), and pieces side by side on one row of a block (a table's cells) are written as
    one line joined by tabs, left to right. When the page has no column structure (no
    vertical cut anywhere) and fewer than ``TABLE_ROWS`` such rows, the result is returned
    unchanged, so single-column pages keep the engine's own order.
    """
    segments = _segments(result)
    if len(segments) < 2:
        return result
    unit = max(1.0, statistics.median(seg.box[3] - seg.box[1] for seg in segments))
    blocks, had_columns = _xy_cut(segments, unit)
    rows = [row for block in blocks for row in _rows(block)]
    if not had_columns and sum(len(row) > 1 for row in rows) < TABLE_ROWS:
        return result
    text = "\n".join("\t".join(seg.text for seg in row) for row in rows)
    words = tuple(word for row in rows for seg in row for word in seg.words)
    return dataclasses.replace(result, text=text, words=words)


def result_lines(result: PageResult) -> list[tuple[str, tuple[Word, ...]]]:
    """The result's lines as (text, words): the engine's own lines when its ``text`` and
    ``words`` match one to one, else words grouped by vertical overlap."""
    lines = _engine_lines(result) or _geometric_lines(result.words)
    return [(line.text, line.words) for line in lines]


def join_words(texts: list[str]) -> str:
    """Words joined into a line of text: by spaces, except between CJK characters."""
    return _join(texts)


def _segments(result: PageResult) -> list[_Segment]:
    """The page's lines, split at wide gaps. Lines come from ``text`` when its words match
    ``words`` one to one (every engine here builds words that way), else from geometry."""
    lines = _engine_lines(result) or _geometric_lines(result.words)
    segments: list[_Segment] = []
    for line in lines:
        segments.extend(_split_at_gaps(line))
    return segments


def _engine_lines(result: PageResult) -> list[_Segment] | None:
    """The engine's own lines, or None when ``words`` are not the tokens of ``text``'s lines."""
    lines: list[_Segment] = []
    position = 0
    for line in result.text.split("\n"):
        found = tokens(line)
        words = result.words[position : position + len(found)]
        if len(words) != len(found) or any(
            w.text != t[0] for w, t in zip(words, found, strict=True)
        ):
            return None
        position += len(found)
        if words:
            lines.append(_Segment(line.strip(), tuple(words), union([w.box for w in words])))
    if position != len(result.words):
        return None
    return lines


def _geometric_lines(words: Sequence[Word]) -> list[_Segment]:
    """Words grouped into lines by vertical overlap, for results whose text does not say."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.box[1] + w.box[3], w.box[0])):
        row = rows[-1] if rows else None
        if row is not None and _overlap_y(union([w.box for w in row]), word.box) > 0.5:
            row.append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w.box[0])
        lines.append(
            _Segment(_join([w.text for w in row]), tuple(row), union([w.box for w in row]))
        )
    return lines


def _split_at_gaps(line: _Segment) -> list[_Segment]:
    """Cut ``line`` where two consecutive words are further apart than ``SPLIT_GAP`` heights."""
    x0, y0, x1, y1 = line.box
    height = y1 - y0
    if len(line.words) < 2 or height <= 0 or height > (x1 - x0):
        return [line]  # one word, or vertical text: nothing to cut across
    cuts = [
        index
        for index in range(1, len(line.words))
        if line.words[index].box[0] - line.words[index - 1].box[2] > SPLIT_GAP * height
    ]
    if not cuts:
        return [line]
    # Slice the line's own text at word boundaries so spacing and punctuation survive.
    spans = tokens(line.text)
    aligned = len(spans) == len(line.words)
    pieces: list[_Segment] = []
    for start, end in zip([0, *cuts], [*cuts, len(line.words)], strict=True):
        words = line.words[start:end]
        if aligned:
            text = line.text[spans[start][1] : spans[end - 1][2]]
        else:
            text = _join([w.text for w in words])
        pieces.append(_Segment(text, words, union([w.box for w in words])))
    return pieces


def _xy_cut(segments: list[_Segment], unit: float) -> tuple[list[list[_Segment]], bool]:
    """Blocks of ``segments`` in reading order, and whether any column cut was made."""
    bands = _cut(segments, axis=1, min_gap=0.0, widest_only=True)
    if len(bands) > 1 and _widest_gap(bands) < LINE_SPACING * unit:
        # Only the spaces between lines run across: cutting there would read columns that
        # share a baseline grid row by row (Tesseract's lines of the magazine page
        # 8087_054.3B, whose picture caption crosses the gutter, went from CER 0.08 to 0.45).
        bands = [segments]
    columns = _cut(segments, axis=0, min_gap=COLUMN_GAP * unit)
    # Columns must look like running text: a few lines, each several line heights wide.
    # Narrow or short "columns" are table cells, a spaced-out title or a page number beside
    # a block, read better row by row.
    if len(columns) > 1 and all(len(column) == 1 for column in columns):
        if len(_rows(segments)) == 1:
            return [segments], False  # one row of pieces (a table row): kept as one line
        return _read_all(columns, unit, split=True)
    if len(columns) > 1 and _apart(columns, unit):
        return _read_all(columns, unit, split=True)
    framed = _frame(segments, unit)
    if framed is not None:
        return _read_all(list(framed), unit, split=False)
    if len(bands) > 1:
        return _read_all(bands, unit, split=False)
    around = _cut_around(segments, unit)
    if around is None:
        return [segments], False
    before, left, right, after = around
    blocks, _ = _read_all([left, right], unit, split=True)
    return [block for block in (before, *blocks, after) if block], True


def _frame(segments: list[_Segment], unit: float) -> tuple[list[_Segment], list[_Segment]] | None:
    """Columns under a full-width heading, or over a full-width footer: ``(above, below)``
    split at the highest horizontal gap below which the lines form columns (``_apart``), else
    at the lowest above which they do; None when there is no such gap.

    Cutting at the widest gap instead is wrong when the widest runs under the shorter of two
    columns beside a figure in the other: the column with the figure would be read in two
    halves, the second after the other column (Tesseract on ``layoutpages.two_columns``).
    """
    ordered = sorted(segments, key=lambda seg: seg.box[1])
    gaps = []
    reach = ordered[0].box[3]
    for index in range(1, len(ordered)):
        if ordered[index].box[1] - reach >= LINE_SPACING * unit:
            gaps.append(index)
        reach = max(reach, ordered[index].box[3])
    for index in gaps:
        if _columns_apart(ordered[index:], unit):
            return ordered[:index], ordered[index:]
    for index in reversed(gaps):
        if _columns_apart(ordered[:index], unit):
            return ordered[:index], ordered[index:]
    return None


def _columns_apart(segments: list[_Segment], unit: float) -> bool:
    """Whether ``segments`` split into columns of text read one after the other, at gutters
    of at least ``FRAME_GUTTER`` line heights."""
    columns = _cut(segments, axis=0, min_gap=FRAME_GUTTER * unit)
    return len(columns) > 1 and _apart(columns, unit)


def _read_all(
    groups: list[list[_Segment]], unit: float, *, split: bool
) -> tuple[list[list[_Segment]], bool]:
    blocks: list[list[_Segment]] = []
    for group in groups:
        sub, columns = _xy_cut(group, unit)
        blocks.extend(sub)
        split = split or columns
    return blocks, split


def _cut_around(
    segments: list[_Segment], unit: float
) -> tuple[list[_Segment], list[_Segment], list[_Segment], list[_Segment]] | None:
    """Columns hidden by a few lines that cross the gutter (a caption, a drop-cap line the
    engine ran across both columns): ``(crossing lines above the middle, left column, right
    column, crossing lines below)``, or None when no gutter between two text columns is
    crossed by at most ``OBSTACLES`` of the lines of the smaller side."""
    best: tuple[int, int] | None = None
    for edge in sorted({seg.box[2] for seg in segments}):
        left = [seg for seg in segments if seg.box[2] <= edge]
        right = [seg for seg in segments if seg.box[0] >= edge + COLUMN_GAP * unit]
        crossing = len(segments) - len(left) - len(right)
        smaller = min(len(left), len(right))
        if (
            smaller >= MIN_COLUMN_LINES
            and crossing <= OBSTACLES * smaller
            and (best is None or crossing < best[0])
            and _prose(left, unit)
            and _prose(right, unit)
        ):
            best = (crossing, edge)
    if best is None:
        return None
    edge = best[1]
    crossing_ids = {
        id(seg) for seg in segments if seg.box[2] > edge and seg.box[0] < edge + COLUMN_GAP * unit
    }
    rest = [seg for seg in segments if id(seg) not in crossing_ids]
    left = [seg for seg in rest if seg.box[2] <= edge]
    right = [seg for seg in rest if seg.box[2] > edge]
    middle = statistics.median(seg.box[1] + seg.box[3] for seg in rest) / 2
    obstacles = [
        seg for row in _rows([seg for seg in segments if id(seg) in crossing_ids]) for seg in row
    ]
    before = [seg for seg in obstacles if seg.box[1] < middle]
    after = [seg for seg in obstacles if seg.box[1] >= middle]
    return before, left, right, after


def _widest_gap(bands: list[list[_Segment]]) -> int:
    """The widest vertical distance between consecutive bands (from ``_cut`` along y)."""
    return max(
        min(seg.box[1] for seg in below) - max(seg.box[3] for seg in above)
        for above, below in itertools.pairwise(bands)
    )


def _cut(
    segments: list[_Segment], *, axis: int, min_gap: float, widest_only: bool = False
) -> list[list[_Segment]]:
    """Split at gaps in the projection of the boxes on ``axis`` (0: x, 1: y) wider than
    ``min_gap``; with ``widest_only`` only at the widest gap(s). Groups come in axis order."""
    ordered = sorted(segments, key=lambda seg: seg.box[axis])
    gaps: list[tuple[int, float]] = []  # (index where a new group starts, gap width)
    reach = ordered[0].box[axis + 2]
    for index in range(1, len(ordered)):
        start = ordered[index].box[axis]
        if start - reach > min_gap:
            gaps.append((index, start - reach))
        reach = max(reach, ordered[index].box[axis + 2])
    if not gaps:
        return [segments]
    if widest_only:
        # Equal-width gaps (evenly spaced lines) are all cut at once: same order, fewer levels.
        widest = max(width for _, width in gaps)
        gaps = [(index, width) for index, width in gaps if width >= 0.9 * widest]
    bounds = [0, *(index for index, _ in gaps), len(ordered)]
    return [ordered[a:b] for a, b in itertools.pairwise(bounds)]


def _apart(columns: list[list[_Segment]], unit: float) -> bool:
    """Whether side-by-side ``columns`` (from ``_cut`` along x) are read one after the other
    rather than across, row by row, as a table is.

    Apart: columns that all look like running text (``_prose``), or running text beside a
    column of short lines that do not sit on its rows (a sidebar of figures, margin notes).
    Across: short lines that pair off row by row with their neighbour's (a table's cells, an
    invoice's amounts beside their descriptions, a form's labels and values).
    """
    prose = [_prose(column, unit) for column in columns]
    if all(prose):
        return True
    if not any(prose) or any(len(column) < MIN_COLUMN_LINES for column in columns):
        return False
    return all(_paired(a, b) < PAIRED for a, b in itertools.pairwise(columns))


def _paired(a: list[_Segment], b: list[_Segment]) -> float:
    """Share of the rows of the longer of two columns that have a row of the other beside
    them (overlapping it by more than half the height)."""
    longer, shorter = (a, b) if len(a) >= len(b) else (b, a)
    return sum(
        any(_overlap_y(seg.box, other.box) > 0.5 for other in shorter) for seg in longer
    ) / len(longer)


def _prose(segments: list[_Segment], unit: float) -> bool:
    """Whether ``segments`` look like a column of running text: at least
    ``MIN_COLUMN_LINES`` lines, typically ``MIN_COLUMN_WIDTH`` line heights wide or more, or
    at least ``MIN_COLUMN_LINES`` that wide among shorter ones (a column with a table in it:
    its cells are many short lines)."""
    if len(segments) < MIN_COLUMN_LINES:
        return False
    wide = [seg.box[2] - seg.box[0] >= MIN_COLUMN_WIDTH * unit for seg in segments]
    return (
        sum(wide) >= MIN_COLUMN_LINES
        or statistics.median(seg.box[2] - seg.box[0] for seg in segments) >= MIN_COLUMN_WIDTH * unit
    )


def _rows(block: list[_Segment]) -> list[list[_Segment]]:
    """A block that cannot be cut, read by rows (vertical overlap), each row left to right.
    A row of several segments is a table's row (or a line the engine read in pieces)."""
    rows: list[list[_Segment]] = []
    for seg in sorted(block, key=lambda s: (s.box[1] + s.box[3], s.box[0])):
        if rows and _overlap_y(union([s.box for s in rows[-1]]), seg.box) > 0.5:
            rows[-1].append(seg)
        else:
            rows.append([seg])
    return [sorted(row, key=lambda s: s.box[0]) for row in rows]


def _overlap_y(a: Box, b: Box) -> float:
    """Vertical overlap of two boxes as a share of the lower one's height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap / max(1, min(a[3] - a[1], b[3] - b[1]))


def _join(texts: list[str]) -> str:
    """Words joined by spaces, except between two CJK characters (written without spaces)."""
    out = ""
    for text in texts:
        if out and not (is_cjk(out[-1]) and is_cjk(text[0])):
            out += " "
        out += text
    return out
