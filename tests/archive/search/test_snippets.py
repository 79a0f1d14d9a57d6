"""archive.search.snippets: escaped ts_headline snippets; OCR'd markup is shown, never run."""

from __future__ import annotations

import pytest

from archive.search import document_search
from tests.archive.search.test_behaviour import index

pytestmark = pytest.mark.django_db


def test_markup_in_the_text_is_shown_escaped_in_the_snippet(alice):
    index(alice, "Page", "Report: <script>alert(1)</script> the invoice was <b>paid</b> late.")
    snippet = str(document_search(user=alice, query="invoice")[0].snippet)
    assert "<mark>invoice</mark>" in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "&lt;b&gt;paid&lt;/b&gt;" in snippet
    assert "<script" not in snippet
    assert "<b>" not in snippet
