from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocr.engines import Engine
from ocr.orientation import detect_orientation
from ocr.prepare import prepare, to_rgb
from ocr.scoring import cer
from tests.ocr.degrade import (
    DEGRADATIONS,
    all_degradations,
    cjk_page,
    degrade,
    form_page,
    receipt_page,
)
from tests.testdata import require_file

# Upright pages of several kinds (clean print, typewriter, carbon copy, magazine, Fraktur):
# none may be turned, and each turned copy must be turned back.
UPRIGHT = [
    "tesseract_test/phototest.tif",
    "tesseract_test/eurotext.tif",
    "tesseract_test/8087_054.3B.tif",
    "tapuscorpus_fr/AN_96AP_FRAN_0150_0159.jpg",
    "tapuscorpus_fr/btv1b10581912k_16.jpg",
    "tapuscorpus_fr/btv1b53097347b_27.jpg",
    "tapuscorpus_fr/europeana_giono_colline_II_btv1b10515736n_305.jpeg",
    "ocrd_de/dinglehopper_462875_0008.jpg",
]


def load(testdata: Path, name: str) -> Image.Image:
    path = require_file(testdata / name)
    with Image.open(path) as image:
        return image.convert("RGB")


# A title page: two lines of letter-spaced capitals and faint show-through from the back.
# Lying sideways, the line classifier's votes on it are split (2 against 1) and the page is
# left sideways: a missed turn, which the orientation step prefers to risking a wrong one.
SPARSE_TITLE = "tapuscorpus_fr/btv1b10581912k_16.jpg"


@pytest.mark.parametrize("name", UPRIGHT)
def test_upright_pages_are_not_turned_and_turned_copies_are(testdata: Path, name: str) -> None:
    page = load(testdata, name)
    assert detect_orientation(page) == 0
    # A copy turned counterclockwise by t needs 360 - t more to be upright.
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_180)) == 180
    if name == SPARSE_TITLE:
        return  # see test_sparse_title_page_lying_sideways_is_left_alone
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_90)) == 270
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_270)) == 90


@pytest.mark.xfail(strict=True, reason="split classifier votes on a sparse title page: no turn")
def test_sparse_title_page_lying_sideways_is_left_alone(testdata: Path) -> None:
    page = load(testdata, SPARSE_TITLE)
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_90)) == 270


def test_sideways_typescript_with_split_votes_follows_a_clear_ink_profile(testdata: Path) -> None:
    # A carbon-copy typescript lying sideways: the classifier is sure it is sideways but split
    # between 90 and 270 (4 votes against 3), while its ink profile is clear (ascender ratio
    # 0.41 over 37 lines, leaning the same way): it was left sideways.
    page = load(testdata, "tapuscorpus_fr/btv1b10583038c_34.jpg")
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_90)) == 270


def test_pages_without_text_are_left_alone() -> None:
    assert detect_orientation(Image.new("RGB", (600, 800), "white")) == 0
    assert detect_orientation(Image.new("RGB", (600, 800), "black")) == 0


def test_upside_down_phototest_reads_like_the_upright_one(testdata: Path, engine: Engine) -> None:
    reference = (testdata / "tesseract_test" / "phototest.gt.txt").read_text()
    page = load(testdata, "tesseract_test/phototest-rotated-180.png")
    assert detect_orientation(page) == 180
    assert cer(engine.recognize(prepare(page)).text, reference) <= 0.02


@pytest.mark.parametrize("folder", ["ocrd_dta_lines_de", "uw3_lines_en"])
def test_single_text_lines_are_never_turned(testdata: Path, folder: str) -> None:
    """Line images have too little text for a verdict; turning one garbles it completely."""
    from ocr.prepare import to_rgb

    images = sorted(p for p in (testdata / folder).iterdir() if p.suffix in {".tif", ".png"})
    assert images, f"no line images in {folder}"
    turned = [p.name for p in images if detect_orientation(to_rgb(Image.open(p))) != 0]
    assert turned == []


def whole_pages(testdata: Path) -> list[Path]:
    """Every whole upright page of the test data with ground truth (no line crops)."""
    folders = ("tesseract_test", "tapuscorpus_fr", "ocrd_de")
    pages = [
        path
        for folder in folders
        for path in sorted((testdata / folder).iterdir())
        if path.suffix in {".tif", ".jpg", ".jpeg"} and "rotated" not in path.name
    ]
    assert pages, "no whole pages in the test data"
    return pages


@pytest.mark.slow
@pytest.mark.parametrize("damage", [*DEGRADATIONS, "all"])
def test_degraded_upright_pages_are_never_turned(testdata: Path, damage: str) -> None:
    """Speckle, fax noise, stamps, numbers printed sideways in the margin and pen strokes
    fooled the ink profile alone into turning upright pages (11 of these 138 copies)."""
    turned = []
    for path in whole_pages(testdata):
        page = to_rgb(Image.open(path))
        damaged = all_degradations(page) if damage == "all" else degrade(page, damage)
        rotation = detect_orientation(damaged)
        if rotation:
            turned.append((path.name, rotation))
    assert turned == []


# A Chinese text (the Thousand Character Classic), rendered in a real CJK font.
CHINESE = (
    "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜金生丽水"
    "玉出昆冈剑号巨阙珠称夜光果珍李柰菜重芥姜海咸河淡鳞潜羽翔龙师火帝鸟官人皇始制文字乃服衣裳"
    "推位让国有虞陶唐吊民伐罪周发殷汤坐朝问道垂拱平章爱育黎首臣伏戎羌遐迩一体率宾归王鸣凤在竹"
)


@pytest.mark.parametrize("damage", ["clean", "stamps", "handwriting", "margin_numbers"])
def test_chinese_pages_are_turned_back_and_upright_ones_kept(damage: str) -> None:
    """Chinese has no ascenders, so the ink profile gives no verdict: the line classifier
    decides alone (before it, CJK pages were never turned)."""
    page = cjk_page(CHINESE * 3)
    if damage != "clean":
        page = degrade(page, damage)
    assert detect_orientation(page) == 0
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_180)) == 180
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_90)) == 270
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_270)) == 90


@pytest.mark.parametrize(
    ("kind", "damages"),
    [
        ("receipt", ("speckle", "handwriting")),
        ("form", ("fax", "margin_numbers")),
        ("form", ("margin_numbers", "fax")),
    ],
)
def test_the_issues_pages_are_not_turned(kind: str, damages: tuple[str, ...]) -> None:
    """The two upright pages issue 19 found turned upside down, rebuilt: a speckled thermal
    receipt with handwritten marks, and a fax-copied form with a number printed sideways in
    the margin. Turned by 180 they are still turned back. (Rebuilt this way they do not fool
    the ink profile alone either: a guard for the rule, not a reproduction of the real pages,
    which are not in the test data.)"""
    page = receipt_page() if kind == "receipt" else form_page()
    for damage in damages:
        page = degrade(page, damage)
    assert detect_orientation(page) == 0
    upside_down = detect_orientation(page.transpose(Image.Transpose.ROTATE_180))
    assert upside_down == 180
