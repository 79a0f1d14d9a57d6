"""archive.search.highlight: the query's words found on a page, the way search finds them."""

from __future__ import annotations

import pytest

from archive.models import Document, Page
from archive.search.highlight import page_highlights, phrase_positions

pytestmark = pytest.mark.django_db


def _page(alice, words: list[str], language: str = "en") -> Page:
    document = Document.objects.create(
        owner=alice, title="t", sha256="0" * 64, size=1, mime_type="image/png", language=language
    )
    boxes = [
        {"text": w, "box": [i * 10, 0, i * 10 + 8, 8], "confidence": 1.0}
        for i, w in enumerate(words)
    ]
    return Page.objects.create(document=document, number=1, text=" ".join(words), words=boxes)


def _marked(page: Page, query: str) -> list[str]:
    found = page_highlights(page, query, page.document.language)
    return [w["text"] for w in page.words if tuple(w["box"]) in found]


def test_stems_accents_prefixes_and_phrases_are_marked(alice):
    page = _page(alice, ["Invoice", "No.", "42", "für", "Herrn", "Müller,", "payment", "overdue"])
    assert _marked(page, "invoices") == ["Invoice"]
    assert _marked(page, "muller") == ["Müller,"]
    assert _marked(page, "pay*") == ["payment"]
    assert _marked(page, '"payment overdue"') == ["payment", "overdue"]
    assert _marked(page, "invoice OR herrn") == ["Invoice", "Herrn"]


def test_excluded_words_and_empty_queries_mark_nothing(alice):
    page = _page(alice, ["Invoice", "draft"])
    assert _marked(page, "invoice -draft") == ["Invoice"]
    assert _marked(page, "") == []
    assert _marked(page, "-draft") == []


def test_cjk_characters_of_a_searched_run_are_marked(alice):
    page = _page(alice, list("将扫描图像转换为文本"), language="zh")
    assert _marked(page, "图像") == ["图", "像"]
    assert _marked(page, "扫描图像") == ["扫", "描", "图", "像"]


def test_a_word_hyphenated_at_a_line_end_is_boxed_on_both_lines(alice):
    page = _page(alice, ["has", "weath-", "ered", "the", "duck/goose", "Intérieur"])
    # "ered" starts the next line: its box is left of "weath-".
    page.words[2]["box"] = [0, 20, 8, 28]
    page.save()
    assert _marked(page, "weathered") == ["weath-", "ered"]
    assert _marked(page, "weath") == ["weath-"]
    assert _marked(page, "duck") == ["duck/goose"]
    assert _marked(page, "duck/goose") == ["duck/goose"]
    assert _marked(page, "interieur") == ["Intérieur"]


def test_a_capital_after_a_line_end_hyphen_is_a_compound_not_joined(alice):
    page = _page(alice, ["Ost-", "Berlin"])
    page.words[1]["box"] = [0, 20, 8, 28]
    page.save()
    assert _marked(page, "berlin") == ["Berlin"]
    assert _marked(page, "ostberlin") == []


def test_a_phrase_boxes_its_consecutive_occurrences_only():
    q, f = "'quick'", "'fox'"
    terms = [set(), {q}, {f}, set(), set(), {q}, set(), {f}, {q}, {f, q}]
    assert phrase_positions(terms, [[q, f]]) == {1, 2, 8, 9}
    assert phrase_positions(terms, [[f, q]]) == {7, 8}
    assert phrase_positions(terms, [[q, "'dog'"]]) == set()


def test_with_its_phrases_given_a_query_boxes_the_phrase_occurrences_only(alice):
    page = _page(alice, ["the", "quick", "fox", "and", "a", "quick", "dog", "fox"])
    phrase = ["'quick'", "'fox'"]
    found = page_highlights(page, '"quick fox"', "en", phrases=[phrase])
    assert [w["text"] for w in page.words if tuple(w["box"]) in found] == ["quick", "fox"]
    found = page_highlights(page, '"quick fox" dog', "en", phrases=[phrase])
    assert [w["text"] for w in page.words if tuple(w["box"]) in found] == ["quick", "fox", "dog"]


def test_a_quoted_phrase_boxes_only_its_occurrences_by_default(alice):
    page = _page(alice, ["Leitung", "eines", "Betriebs", "und", "eines", "anderen", "Werkes"])
    found = page_highlights(page, '"Leitung eines anderen"', "de")
    assert found == []  # the phrase is not on this page: none of its words boxed
    page.words = [
        {"text": w, "box": [i * 10, 0, i * 10 + 8, 8], "confidence": 1.0}
        for i, w in enumerate(["unter", "der", "Leitung", "eines", "anderen", "Leitung"])
    ]
    found = page_highlights(page, '"Leitung eines anderen"', "de")
    assert [w["text"] for w in page.words if tuple(w["box"]) in found] == [
        "Leitung",
        "eines",
        "anderen",
    ]
