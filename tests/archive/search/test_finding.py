"""archive.search: websearch syntax, ranking, escaped snippets, owner isolation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.documents import document_rename, page_text_update
from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from archive.search import document_search
from archive.search.snippets import render_snippet

pytestmark = pytest.mark.django_db


def _ingest(owner, make_upload, lines, name="scan.png"):
    upload = make_upload(name, lines=lines)
    document = document_create(owner=owner, upload=upload, name=name).document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    return document


@pytest.mark.slow
def test_phototest_is_found_by_its_words_and_not_by_others(alice, testdata: Path):
    path = testdata / "tesseract_test" / "phototest.tif"
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    document = document_create(owner=alice, upload=upload, name=path.name).document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error

    truth = (testdata / "tesseract_test" / "phototest.gt.txt").read_text()
    words = {w.lower() for w in re.findall(r"[A-Za-z]{5,}", truth)}
    found = [w for w in sorted(words) if document_search(user=alice, query=w)]
    assert len(found) >= 0.9 * len(words), f"only {found} of {sorted(words)} found"

    hits = document_search(user=alice, query="quick brown")
    assert [h.document.pk for h in hits] == [document.pk]
    assert hits[0].pages == [1]
    assert "<mark>" in hits[0].snippet
    assert document_search(user=alice, query="elephant") == []


@pytest.mark.slow
def test_query_syntax_ranking_and_snippets(alice, make_upload):
    invoice = _ingest(alice, make_upload, ["Invoice for garden tools", "Total due in March"])
    letter = _ingest(alice, make_upload, ["Letter about the garden party", "Tools were returned"])

    assert {h.document.pk for h in document_search(user=alice, query="garden")} == {
        invoice.pk,
        letter.pk,
    }
    # Phrase, exclusion and OR.
    assert [h.document.pk for h in document_search(user=alice, query='"garden tools"')] == [
        invoice.pk
    ]
    assert [h.document.pk for h in document_search(user=alice, query="garden -invoice")] == [
        letter.pk
    ]
    assert {h.document.pk for h in document_search(user=alice, query="march OR returned")} == {
        invoice.pk,
        letter.pk,
    }
    # Stemming in the document's language: "invoices" finds "Invoice".
    assert [h.document.pk for h in document_search(user=alice, query="invoices")] == [invoice.pk]
    # A word in the title ranks above the same word in the text only.
    document_rename(letter, "Returned tools")
    hits = document_search(user=alice, query="returned")
    assert hits[0].document.pk == letter.pk
    # Empty and punctuation-only queries find nothing rather than failing.
    assert document_search(user=alice, query="   ") == []
    assert document_search(user=alice, query="!!! & |") == []


@pytest.mark.slow
def test_snippet_escapes_ocr_text_and_corrections_are_searchable(alice, make_upload):
    document = _ingest(alice, make_upload, ["Harmless page"])
    page = document.pages.get()
    page_text_update(page, 'Note <script>alert("x")</script> about parcels')
    hits = document_search(user=alice, query="parcels")
    assert [h.document.pk for h in hits] == [document.pk]
    snippet = str(hits[0].snippet)
    # PostgreSQL's parser reads "<script>" as a tag token, which ts_headline leaves out; the
    # rest of the text is escaped (the detail page shows the full text, escaped).
    assert "<script" not in snippet
    assert "alert(&quot;x&quot;)" in snippet
    assert "<mark>parcels</mark>" in snippet
    # The text it replaced is no longer found.
    assert document_search(user=alice, query="harmless") == []


@pytest.mark.slow
def test_other_users_documents_are_never_hits(alice, bob, make_upload):
    _ingest(alice, make_upload, ["Confidential salary review"])
    assert document_search(user=alice, query="salary")
    assert document_search(user=bob, query="salary") == []


def test_render_snippet_escapes_and_marks():
    assert render_snippet("a <b> \x02word\x03  &\nend") == "a &lt;b&gt; <mark>word</mark> &amp; end"


def _many(owner, count: int):
    """``count`` documents about a harbour, the word repeated i+1 times, some in German."""
    from tests.archive.search.test_behaviour import index

    documents = []
    for i in range(count):
        language = "de" if i % 3 == 0 else "en"
        text = " ".join(["harbour"] * (i + 1) + ["filler words here"] * (count - i))
        documents.append(index(owner, f"doc {i}", text, language))
    return documents


def test_count_is_exact_up_to_the_limit_then_an_estimate(alice, settings):
    from archive.search import search_page

    _many(alice, 12)
    settings.SEARCH_COUNT_LIMIT = 100
    full = search_page(user=alice, query="harbour", limit=5)
    assert (full.total, full.estimated) == (12, False)
    assert dict(full.facets["language"]) == {"en": 8, "de": 4}
    assert dict(full.facets["mime_type"]) == {"image/png": 12}
    settings.SEARCH_COUNT_LIMIT = 5
    estimated = search_page(user=alice, query="harbour", limit=5)
    assert estimated.estimated
    assert estimated.capped
    assert estimated.total > 5
    # Facets over a sample of the matches (the first ones counted).
    assert 5 <= sum(count for _value, count in estimated.facets["language"]) <= 6
    # The ranking stays exact: the same hits as when everything was counted.
    assert [hit.pk for hit in estimated.hits] == [hit.pk for hit in full.hits]


def test_cursor_pages_walk_every_match_once_in_order(alice, settings):
    from archive.search import search_page

    settings.SEARCH_CANDIDATES = 100
    documents = _many(alice, 12)
    for sort in ("relevance", "newest", "oldest"):
        seen, ranks, cursor, pages = [], [], None, 0
        while True:
            page = search_page(user=alice, query="harbour", limit=5, sort=sort, cursor=cursor)
            seen += [hit.document.pk for hit in page.hits]
            ranks += [hit.rank for hit in page.hits]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert pages == 3, sort
        assert sorted(seen) == sorted(d.pk for d in documents), sort
        if sort == "relevance":
            assert ranks == sorted(ranks, reverse=True)
            assert seen[0] == documents[-1].pk  # the word most often, best rank
        else:
            newest = [d.pk for d in sorted(documents, key=lambda d: (d.created, d.pk))]
            assert seen == (newest[::-1] if sort == "newest" else newest)
    # Offsets still work for API clients, and agree with the cursor order.
    by_offset = [
        h.document.pk for h in document_search(user=alice, query="harbour", offset=5, limit=5)
    ]
    first = search_page(user=alice, query="harbour", limit=5)
    second = search_page(user=alice, query="harbour", limit=5, cursor=first.next_cursor)
    assert by_offset == [hit.document.pk for hit in second.hits]


def test_a_cursor_not_handed_out_is_refused_in_plain_words(alice, client):
    from archive.search import BadCursor, search_page

    _many(alice, 3)
    first = search_page(user=alice, query="harbour", limit=1)
    with pytest.raises(BadCursor):
        search_page(user=alice, query="harbour", cursor="not-a-cursor")
    with pytest.raises(BadCursor):  # a relevance cursor used for a date sort
        search_page(user=alice, query="harbour", cursor=first.next_cursor, sort="newest")
    client.force_login(alice)
    response = client.get("/search/", {"q": "harbour", "after": "garbage"})
    assert response.status_code == 200
    assert b"out of date" in response.content
    assert b"3 documents match" in response.content


def test_search_view_has_next_page_link_count_and_facets(alice, client, settings):
    settings.SEARCH_CANDIDATES = 100
    _many(alice, 25)
    client.force_login(alice)
    first = client.get("/search/", {"q": "harbour"})
    content = first.content.decode()
    assert "25 documents match" in content
    assert 'rel="next"' in content
    assert "after=" in content
    assert 'German</a> <span class="count">9</span>' in content
    link = re.search(r'rel="next" href="\?([^"]+)"', content)
    assert link is not None
    next_href = link.group(1).replace("&amp;", "&")
    second = client.get(f"/search/?{next_href}")
    assert second.status_code == 200
    assert second.content.count(b'class="hit"') == 5
    assert b'rel="next"' not in second.content
    assert b'rel="first"' in second.content
    settings.SEARCH_COUNT_LIMIT = 20
    estimated = client.get("/search/", {"q": "harbour"}).content.decode()
    # The planner's estimate: its number depends on the table's statistics.
    assert re.search(r"About [\d,]+ documents match", estimated)


def test_query_configurations_are_those_in_use(alice, bob):
    from archive.search import user_configs
    from tests.archive.search.test_behaviour import index

    assert user_configs(alice) == {"simple"}
    index(alice, "a", "text", "de")
    index(alice, "b", "text", "en")
    index(alice, "c", "text", "en")
    index(bob, "d", "texte", "fr")
    assert user_configs(alice) == {"german", "english", "simple"}


def test_planner_settings_are_restored_in_the_callers_transaction(alice):
    from django.db import connection

    from archive.search import search_page

    _many(alice, 2)
    read = "SELECT current_setting('enable_seqscan'), current_setting('work_mem')"
    with connection.cursor() as cursor:
        cursor.execute(read)
        before = cursor.fetchone()
        assert search_page(user=alice, query="harbour").total == 2
        cursor.execute(read)
        assert cursor.fetchone() == before


def test_a_word_on_most_documents_is_read_in_table_order_with_the_same_results(alice, settings):
    from django.db import connection

    from archive.search import build_tsquery, search_page, user_configs
    from archive.search.planning import dense as _dense
    from archive.search.planning import matching_documents as _matching

    settings.SEARCH_CANDIDATES = 100
    documents = _many(alice, 6)
    forced = [hit.document.pk for hit in search_page(user=alice, query="harbour").hits]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE archive_document")
    tsquery = build_tsquery("harbour", user_configs(alice))
    assert tsquery is not None
    assert _dense(_matching(alice, tsquery, None))  # on every document: read in table order
    dense = [hit.document.pk for hit in search_page(user=alice, query="harbour").hits]
    assert dense == forced
    assert sorted(dense) == sorted(d.pk for d in documents)
