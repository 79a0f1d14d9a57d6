from __future__ import annotations

from ocr.engines.wordboxes import Piece, line_words, polygon_box, tokens


def rect(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


LINE_BOX = rect(0, 0, 300, 30)


def test_tokens_split_on_space_and_every_cjk_character() -> None:
    assert [token for token, _start, _end in tokens("扫描 PDF文件, ok")] == [
        "扫",
        "描",
        "PDF",
        "文",
        "件",
        ",",
        "ok",
    ]


def test_whole_word_pieces_are_kept() -> None:
    pieces: list[Piece] = [("The", 0.1, rect(0, 0, 40, 30)), ("fox.", 0.2, rect(50, 0, 100, 30))]
    words = line_words("The fox.", 0.9, LINE_BOX, pieces, width=640, height=480)
    assert [(w.text, w.box, w.confidence) for w in words] == [
        ("The", (0, 0, 40, 30), 0.9),
        ("fox.", (50, 0, 100, 30), 0.9),
    ]


def test_character_pieces_of_a_mixed_line_are_regrouped() -> None:
    # RapidOCR splits a line mixing CJK and Latin into single characters.
    chars = "扫描PDF"
    pieces: list[Piece] = [(c, 0.5, rect(20 * i, 0, 20 * i + 18, 30)) for i, c in enumerate(chars)]
    words = line_words("扫描 PDF", 0.8, LINE_BOX, pieces, width=640, height=480)
    assert [(w.text, w.box) for w in words] == [
        ("扫", (0, 0, 18, 30)),
        ("描", (20, 0, 38, 30)),
        ("PDF", (40, 0, 98, 30)),
    ]


def test_a_word_cut_in_two_is_joined() -> None:
    pieces: list[Piece] = [("over", 1, rect(0, 0, 40, 30)), ("fl", 1, rect(50, 0, 60, 30))]
    pieces.append(("ow", 1, rect(64, 0, 80, 30)))
    words = line_words("over flow", 0.7, LINE_BOX, pieces, width=640, height=480)
    assert [(w.text, w.box) for w in words] == [("over", (0, 0, 40, 30)), ("flow", (50, 0, 80, 30))]


def test_pieces_that_do_not_spell_the_line_fall_back_to_the_line_box() -> None:
    pieces: list[Piece] = [("something", 1, rect(0, 0, 10, 10))]
    words = line_words("ab cd", 0.6, rect(100, 10, 150, 30), pieces, width=640, height=480)
    assert [(w.text, w.box) for w in words] == [
        ("ab", (100, 10, 120, 30)),
        ("cd", (130, 10, 150, 30)),
    ]


def test_vertical_line_without_pieces_is_split_top_to_bottom() -> None:
    words = line_words("文件", 0.6, rect(10, 0, 30, 100), None, width=640, height=480)
    assert [(w.text, w.box) for w in words] == [("文", (10, 0, 30, 50)), ("件", (10, 50, 30, 100))]


def test_polygon_box_is_clipped_to_the_image() -> None:
    assert polygon_box([[-3.2, 5.5], [650.1, 4.0], [640, 490], [0, 470]], 640, 480) == (
        0,
        4,
        640,
        480,
    )
