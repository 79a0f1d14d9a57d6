"""Pages with a layout, rendered with real fonts, and the text a reader reads off them.

Each builder returns a ``LayoutPage``: the page image (A4 at 150 dpi unless said otherwise)
and its text in reading order, one printed line per line, a table's row with its cells joined
by tabs. The order is the one a reader follows: a full-width heading first, then the left
column top to bottom, then the right one (a sidebar on the right is read after the main text),
a table row by row, a caption where it stands, a page number last.

Used by ``tests/ocr/test_reading_order.py`` (the real engines on these pages) and
``bench/reading_order.py``. The texts are written for these pages. Deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SANS_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

A4 = (1240, 1754)

ENGLISH = [
    "The archive opened its reading room in the spring, after two winters of work on the old "
    "grain store by the river. Volunteers sorted boxes of letters, ledgers and photographs that "
    "families had kept in attics for three generations.",
    "Most of the papers came from the harbour district. Shipping clerks wrote careful copies of "
    "every bill of lading, and their books show which goods left the town in which week, who "
    "paid for them and how often a cargo was lost at sea.",
    "Reading these books today is slow. The ink has faded to brown, the paper is brittle, and "
    "many pages were bound so tightly that the last words of each line disappear into the fold. "
    "A scanner with a book cradle helps, but patience helps more.",
    "Each scanned page is read by a machine as well as by people. The machine finds the lines "
    "of text, recognises the letters and stores the words, so that a search for a name finds "
    "every page on which it appears.",
    "Columns are a problem for such a machine. A reader knows at a glance that a line ends "
    "where the gutter begins, but a program that reads across the page joins the end of one "
    "column to the start of the next and writes nonsense.",
    "The same is true of tables. Their cells must stay together row by row, or a figure drifts "
    "away from the name it belongs to, and a search for a branch no longer finds its loans.",
    "Sidebars and captions add to the puzzle. A short box of figures beside the main text is "
    "read on its own, and a caption belongs with the picture above it, not with the paragraph "
    "that happens to sit next to it.",
    "In the end the best test is simple: print a page with a known text, let the machine read "
    "it, and count how many letters it gets wrong. Ordering mistakes show up at once.",
]

CHINESE = [
    "档案馆在春天开放了阅览室。此前志愿者们用了两个冬天整理旧粮仓里的箱子，其中有信件、账本和照片，"
    "都是许多家庭在阁楼里保存了三代的资料。",
    "大部分文件来自港口地区。航运职员认真抄写每一份提单，从他们的账本里可以看出哪一周有哪些货物离开小镇，"
    "由谁付款，以及货物在海上丢失的次数。",
    "今天阅读这些账本很慢。墨水已经褪成褐色，纸张很脆，许多页装订得太紧，每行最后几个字都藏进了书脊。",
    "每一页扫描件都由机器和人一起阅读。机器找出文字行，识别字符并保存词语，这样搜索一个名字就能找到它出现的每一页。",
    "分栏对机器来说是个难题。读者一眼就知道一行在栏间空白处结束，但横着读整页的程序会把一栏的行尾接到另一栏的开头。",
    "表格也是一样。单元格必须按行保持在一起，否则数字会离开它所属的名称，搜索分馆时也找不到它的借阅量。",
]

TABLE = [
    ("Branch", "Loans", "Change"),
    ("Harbour Street", "1,204", "+3.1%"),
    ("Mill Lane", "875", "-0.4%"),
    ("Station Road", "2,310", "+7.9%"),
    ("Old Market", "642", "+1.2%"),
    ("Riverside", "1,518", "-2.6%"),
]

FIGURES = [
    "Founded: 1987",
    "Members: 1,240",
    "Branches: 14",
    "Volunteers: 310",
    "Budget: 3.2 million",
    "Pages scanned: 86,000",
]


#: Characters a CJK line may not start with.
_NO_LINE_START = set("。，、；：？！）」』")


@dataclass(frozen=True, slots=True)
class LayoutPage:
    """A rendered page (``image``, RGB) and its ``text`` in reading order (see the module)."""

    name: str
    image: Image.Image
    text: str
    language: str


class _Pen:
    """Draws lines of text on a page and records them, in the order drawn, as the truth."""

    def __init__(self, size: tuple[int, int] = A4) -> None:
        self.image = Image.new("RGB", size, "white")
        self.draw = ImageDraw.Draw(self.image)
        self.lines: list[str] = []

    def line(self, text: str, x: int, y: int, font: ImageFont.FreeTypeFont) -> None:
        self.draw.text((x, y), text, fill=(20, 20, 20), font=font)
        self.lines.append(text)

    def paragraphs(
        self,
        texts: list[str],
        box: tuple[int, int, int],
        font: ImageFont.FreeTypeFont,
        leading: int,
        *,
        cjk: bool = False,
    ) -> int:
        """Flow ``texts`` into the column ``(x, y, width)``; returns the y below the last line.
        Paragraphs are separated by half a line."""
        x, y, width = box
        for text in texts:
            for wrapped in _wrap(text, font, width, cjk=cjk):
                self.line(wrapped, x, y, font)
                y += leading
            y += leading // 2
        return y

    def page(self, name: str, language: str) -> LayoutPage:
        return LayoutPage(name, self.image, "\n".join(self.lines), language)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, *, cjk: bool) -> list[str]:
    """Greedy line breaking: by words, or by characters for CJK text."""
    units = list(text) if cjk else text.split()
    glue = "" if cjk else " "
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{glue}{unit}" if current else unit
        # CJK punctuation never starts a line (it hangs in the margin instead).
        if current and font.getlength(candidate) > width and unit not in _NO_LINE_START:
            lines.append(current)
            current = unit
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def two_columns() -> LayoutPage:
    """A full-width title over two columns on one baseline grid, a figure with its caption in
    the left column, a centred page number at the foot."""
    pen = _Pen()
    body, title, small = _font(SERIF, 22), _font(SANS_BOLD, 40), _font(SERIF, 19)
    pen.line("Reading the Harbour Ledgers", 100, 90, title)
    top, width, right_x = 190, 500, 640
    y = pen.paragraphs(ENGLISH[:2], (100, top, width), body, 31)
    pen.draw.rectangle((100, y + 5, 600, y + 205), fill=(200, 200, 200), outline=(90, 90, 90))
    pen.draw.ellipse((250, y + 40, 450, y + 170), fill=(150, 150, 150))
    y = pen.paragraphs(
        ["Figure 1. A page of a shipping clerk's copy book, 1884."],
        (100, y + 220, width),
        small,
        26,
    )
    pen.paragraphs(ENGLISH[2:3], (100, y + 10, width), body, 31)
    pen.paragraphs(ENGLISH[3:6], (right_x, top, width), body, 31)
    pen.line("- 12 -", 590, 1640, body)
    return pen.page("two_columns", "en")


def sidebar() -> LayoutPage:
    """Main text in a wide left column, a shaded box of short figures on the right."""
    pen = _Pen()
    body, head = _font(SERIF, 22), _font(SANS_BOLD, 30)
    pen.line("Annual Report of the Friends of the Archive", 100, 90, head)
    pen.paragraphs(ENGLISH[:5], (100, 180, 660), body, 31)
    box = (820, 180, 1140, 700)
    pen.draw.rectangle(box, fill=(228, 228, 228))
    pen.line("At a glance", 845, 200, _font(SANS_BOLD, 24))
    y = 250
    for figure in FIGURES:
        pen.line(figure, 845, y, body)
        y += 36
    pen.paragraphs(
        ["Figures for the year ending in March."], (845, y + 14, 275), _font(SERIF, 19), 26
    )
    return pen.page("sidebar", "en")


def table_in_column() -> LayoutPage:
    """Two columns; the right one holds a captioned table of three columns between two
    paragraphs. The table's rows share the baseline grid of the left column."""
    pen = _Pen()
    body, title = _font(SERIF, 22), _font(SANS_BOLD, 40)
    pen.line("Loans in the Branch Libraries", 100, 90, title)
    top, width, right_x = 190, 500, 640
    pen.paragraphs(ENGLISH[:4], (100, top, width), body, 31)
    y = pen.paragraphs(ENGLISH[5:6], (right_x, top, width), body, 31)
    pen.line("Table 2. Loans by branch, 2024.", right_x, y + 6, _font(SANS_BOLD, 20))
    y += 50
    pen.draw.line((right_x, y - 6, right_x + width, y - 6), fill=(40, 40, 40), width=2)
    cells = (right_x, right_x + 250, right_x + 390)
    for row in TABLE:
        for x, cell in zip(cells, row, strict=True):
            pen.draw.text((x, y), cell, fill=(20, 20, 20), font=body)
        pen.lines.append("\t".join(row))
        y += 36
    pen.draw.line((right_x, y, right_x + width, y), fill=(40, 40, 40), width=2)
    pen.paragraphs(ENGLISH[6:7], (right_x, y + 24, width), body, 31)
    return pen.page("table_in_column", "en")


def chinese_two_columns() -> LayoutPage:
    """A Chinese textbook page at 614 x 864 pixels, as in the issue: a title across two
    columns of Chinese text (WenQuanYi Micro Hei) on one baseline grid."""
    pen = _Pen((614, 864))
    body, title = _font(CJK, 14), _font(CJK, 24)
    pen.line("港口账本的故事", 220, 40, title)
    top, width = 100, 252
    pen.paragraphs(CHINESE[:3], (40, top, width), body, 22, cjk=True)
    pen.paragraphs(CHINESE[3:], (322, top, width), body, 22, cjk=True)
    return pen.page("chinese_two_columns", "zh")


#: Every builder, by page name.
PAGES: dict[str, Callable[[], LayoutPage]] = {
    "two_columns": two_columns,
    "sidebar": sidebar,
    "table_in_column": table_in_column,
    "chinese_two_columns": chinese_two_columns,
}


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)
