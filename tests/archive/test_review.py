"""archive.review and the staff selectors: corrections searchable at once, their history,
reverts, reviewed marks, the "Needs review" reads, on real OCR of real scans."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.http import Http404

from archive import selectors
from archive.documents import document_rerun
from archive.models import Document, Page, PageCorrection
from archive.review import (
    documents_mark_reviewed,
    page_correct,
    page_original_text,
    page_revert,
)
from archive.search import document_search
from tests.archive.scans import ENGLISH_LINE, FRAKTUR_LINES, scanned

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def english(alice, testdata) -> Document:
    return scanned(alice, testdata, ENGLISH_LINE, language="en", title="Grid notes")


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("rita", password="rita-password-1", is_staff=True)


def _found(user, query: str) -> list[tuple[int, list[int]]]:
    return [(hit.document.pk, hit.pages) for hit in document_search(user=user, query=query)]


def test_correction_is_searchable_at_once_and_recorded(alice, staff, english):
    page = english.pages.get()
    original = page.text
    assert "center" in original.lower(), original  # what OCR read on this line
    assert _found(alice, "center") == [(english.pk, [1])]

    corrected = original.replace("center", "centre").replace("Center", "Centre")
    corrected += "\nReviewed by Rita: zanzibar"
    row = page_correct(page, user=staff, text=corrected)

    assert row is not None
    assert (row.user, row.action) == (staff, PageCorrection.Action.EDIT)
    assert (row.text_before, row.text_after) == (original, corrected)
    page.refresh_from_db()
    assert page.text == corrected
    # The page's and the document's vectors changed in the same transaction as the text.
    assert _found(alice, "zanzibar") == [(english.pk, [1])]
    assert _found(alice, "centre") == [(english.pk, [1])]
    assert _found(alice, "center") == []
    assert page_original_text(page) == original


def test_unchanged_text_records_nothing(staff, english):
    page = english.pages.get()
    # A browser sends the textarea back with \r\n line ends: still unchanged.
    assert page_correct(page, user=staff, text=page.text.replace("\n", "\r\n")) is None
    assert not PageCorrection.objects.exists()


def test_revert_to_an_earlier_version_and_to_the_ocr_text(alice, staff, english):
    page = english.pages.get()
    original = page.text
    first = page_correct(page, user=staff, text=original + "\nfirstword")
    second = page_correct(page, user=staff, text=original + "\nsecondword")
    assert first is not None
    assert second is not None

    back = page_revert(page, user=staff, to=first)
    assert back is not None
    assert (back.action, back.reverted_to, back.text_before) == (
        PageCorrection.Action.REVERT,
        first,
        original + "\nsecondword",
    )
    page.refresh_from_db()
    assert page.text == original + "\nfirstword"
    assert _found(alice, "firstword") == [(english.pk, [1])]
    assert _found(alice, "secondword") == []

    assert page_revert(page, user=staff, to=first) is None  # already that text: nothing recorded
    to_ocr = page_revert(page, user=staff, to=None)
    assert to_ocr is not None
    assert to_ocr.reverted_to is None
    page.refresh_from_db()
    assert page.text == original
    assert _found(alice, "firstword") == []

    versions = selectors.page_versions(page)
    assert [v.number for v in versions] == [0, 1, 2, 3, 4]
    assert [v.text for v in versions] == [
        original,
        original + "\nfirstword",
        original + "\nsecondword",
        original + "\nfirstword",
        original,
    ]
    assert [v.restored for v in versions] == [None, None, None, 1, 0]
    assert [v.current for v in versions] == [False, False, False, False, True]
    assert [v.author for v in versions] == ["OCR", "rita", "rita", "rita", "rita"]


def test_revert_refuses_a_version_of_another_page(alice, staff, testdata, english):
    other = scanned(alice, testdata, FRAKTUR_LINES[0], language="de").pages.get()
    foreign = page_correct(other, user=staff, text="anderer Text")
    page = english.pages.get()
    with pytest.raises(ValueError, match="another page"):
        page_revert(page, user=staff, to=foreign)
    assert not page.corrections.exists()


def test_mark_reviewed_is_cleared_by_a_rerun(staff, english):
    assert documents_mark_reviewed(Document.objects.filter(pk=english.pk), user=staff) == 1
    english.refresh_from_db()
    assert english.reviewed_by == staff
    assert english.reviewed_at is not None
    document_rerun(english, from_scratch=True)
    english.refresh_from_db()
    assert english.reviewed_at is None
    assert english.reviewed_by is None


def test_low_confidence_pages_worst_first(alice, bob, testdata, settings):
    documents = [
        scanned(alice, testdata, FRAKTUR_LINES[0], language="de"),
        scanned(bob, testdata, FRAKTUR_LINES[1], language="de"),
        scanned(alice, testdata, ENGLISH_LINE, language="en"),
    ]
    confidences = {d.pk: float(d.pages.get().confidence or 0) for d in documents}
    assert len(set(confidences.values())) == 3, confidences  # a real order to check
    everything = max(confidences.values()) + 0.001

    listed = list(selectors.low_confidence_pages(threshold=everything))
    assert [p.confidence for p in listed] == sorted(confidences.values())
    assert {p.document_id for p in listed} == set(confidences)  # every owner's pages

    middle = sorted(confidences.values())[1]
    assert [p.confidence for p in selectors.low_confidence_pages(threshold=middle)] == [
        min(confidences.values())
    ]
    worst = listed[0].document
    documents_mark_reviewed([worst], user=alice)
    assert worst.pk not in {
        p.document_id for p in selectors.low_confidence_pages(threshold=everything)
    }


def test_low_confidence_words_are_the_words_under_the_threshold(alice, testdata):
    page = scanned(alice, testdata, FRAKTUR_LINES[0], language="de").pages.get()
    confidences = sorted(float(w["confidence"]) for w in page.words)
    threshold = confidences[len(confidences) // 2]  # about half the words are below
    low = selectors.low_confidence_words(page, threshold=threshold)
    expected = [w for w in page.words if w["confidence"] < threshold]
    assert 0 < len(low) == len(expected) < len(page.words)
    for word, raw in zip(low, expected, strict=True):
        x0, y0, x1, y1 = raw["box"]
        assert (word.text, word.confidence) == (raw["text"], raw["confidence"])
        assert word.box == (int(x0), int(y0), int(x1) - int(x0), int(y1) - int(y0))
        x, y, width, height = word.box
        assert 0 <= x < x + width <= page.width
        assert 0 <= y < y + height <= page.height


def test_staff_page_get_needs_staff_and_the_view_permission(alice, staff, english, admin_user):
    page = english.pages.get()
    for user in (alice, staff):  # the owner outside the admin, staff without the permission
        with pytest.raises(Http404):
            selectors.staff_page_get(user=user, pk=page.pk)
    assert selectors.staff_page_get(user=admin_user, pk=page.pk) == page
    staff.user_permissions.add(Permission.objects.get(codename="view_page"))
    staff = type(staff).objects.get(pk=staff.pk)  # permissions are cached per instance
    assert selectors.staff_page_get(user=staff, pk=page.pk) == page
    staff.is_active = False
    with pytest.raises(Http404):
        selectors.staff_page_get(user=staff, pk=page.pk)


def test_staff_document_search_by_title_owner_and_text(alice, bob, testdata, english):
    fraktur = scanned(bob, testdata, FRAKTUR_LINES[0], language="de", title="Ruhe")
    everyone = Document.objects.all()

    def found(text: str) -> set[int]:
        return set(selectors.staff_document_search(everyone, text).values_list("pk", flat=True))

    assert found("center") == {english.pk}  # a word of the OCR text only
    german = _a_word(fraktur.pages.get().text)
    assert found(german) == {fraktur.pk}  # German text, every owner's documents
    assert found("Grid no") == {english.pk}  # title contains
    assert found("bob") == {fraktur.pk}  # owner's user name
    assert found("") == {english.pk, fraktur.pk}
    assert found('"') == set()  # nothing to search for in the text, no title contains it


def _a_word(text: str) -> str:
    """The longest word of letters only in ``text`` (a word OCR read, whatever the engine)."""
    return max(re.findall(r"[^\W\d_]{4,}", text), key=len)


def test_staff_text_search_runs_on_the_full_text_index(english):
    query = selectors.staff_document_search(Document.objects.all(), "center")
    with connection.cursor() as cursor:
        # With so few rows PostgreSQL would scan the table; forbid that to see the plan it
        # has for a large table: the text match must be able to use the GIN index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "document_search_gin" in plan, plan
    assert "archive_page" not in plan, plan  # never a scan of the pages' text


def test_pages_without_confidence_are_never_listed(english):
    Page.objects.filter(document=english).update(confidence=None)  # as a PDF text-layer page
    assert list(selectors.low_confidence_pages(threshold=1.0)) == []
