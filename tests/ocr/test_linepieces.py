from __future__ import annotations

from pathlib import Path

from PIL import Image

from ocr.linepieces import MAX_PIECES, PIECE_ASPECT, line_pieces


def test_pieces_of_a_page_are_line_high_and_about_four_times_as_wide(phototest: Path) -> None:
    page = Image.open(phototest).convert("RGB")
    pieces = line_pieces(page, quarter_turns=0, skew=0.0)
    assert 3 <= len(pieces) <= MAX_PIECES
    for piece in pieces:
        height, width = piece.shape
        assert width <= PIECE_ASPECT * height
        assert height < page.height / 5
        assert piece.min() < 100 < piece.max()  # dark text on light paper


def test_a_blank_page_has_no_pieces() -> None:
    assert line_pieces(Image.new("RGB", (600, 800), "white"), quarter_turns=0, skew=0.0) == []


def test_pieces_come_from_the_turned_page(phototest: Path) -> None:
    """A page lying sideways has its line pieces when turned back, and few the other way."""
    page = Image.open(phototest).convert("RGB").transpose(Image.Transpose.ROTATE_90)
    assert len(line_pieces(page, quarter_turns=3, skew=0.0)) >= 3
