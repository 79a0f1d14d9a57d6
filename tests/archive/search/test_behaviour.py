"""Search behaviour on indexed text (no OCR): languages, accents, CJK, prefixes, relevance.

Documents are indexed through the same functions the worker uses (``archive.search``).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest

from archive.models import Document
from archive.search import document_search, document_vector_rebuild, page_vector_write
from archive.search.textnorm import fold
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db


def index(owner, title: str, text: str, language: str = "en") -> Document:
    document = document_with_pages(owner, title, language, [text])
    page_vector_write(document.pages.get(), language)
    document_vector_rebuild(document)
    return document


def ids(user, query: str) -> list[int]:
    return [hit.document.pk for hit in document_search(user=user, query=query)]


def test_stemming_in_the_documents_language_and_exact_words_in_any(alice):
    english = index(alice, "english", "The invoices were paid in full.")
    french = index(alice, "french", "Les factures sont payées.", language="fr")
    german = index(alice, "german", "Die Rechnungen wurden bezahlt.", language="de")
    assert ids(alice, "invoice") == [english.pk]
    assert ids(alice, "facture") == [french.pk]  # French stemming
    assert ids(alice, "Rechnung") == [german.pk]  # German stemming
    # A French word in a document filed as English still matches as an exact word.
    mixed = index(alice, "mixed", "Receipt: boulangerie croissants")
    assert ids(alice, "croissants") == [mixed.pk]


def test_accents_are_folded_both_ways(alice):
    doc = index(alice, "letter", "Cher Monsieur Müller, voici le dossier en français.", "fr")
    assert ids(alice, "francais") == [doc.pk]
    assert ids(alice, "Muller") == [doc.pk]
    assert ids(alice, "Müller") == [doc.pk]
    plain = index(alice, "plain", "Mr Muller called about the francais course.")
    assert set(ids(alice, "müller")) == {doc.pk, plain.pk}


def test_cjk_bigrams_single_characters_and_mixed_text(alice):
    doc = index(alice, "zh", "本软件将扫描图像转换为文本。OCR engine report", "zh")
    other = index(alice, "zh2", "图书馆的开放时间", "zh")
    assert ids(alice, "扫描图像") == [doc.pk]
    assert ids(alice, "图像") == [doc.pk]
    assert ids(alice, "像转") == [doc.pk]
    assert set(ids(alice, "图")) == {doc.pk, other.pk}
    assert ids(alice, "扫描 report") == [doc.pk]
    assert ids(alice, "图像扫描") == []  # the characters, but not in that order
    hit = document_search(user=alice, query="扫描图像")[0]
    assert "<mark>扫描图像</mark>" in hit.snippet


def test_prefix_phrase_or_and_exclusion(alice):
    invoice = index(alice, "a", "Invoice number 42 for garden tools")
    involved = index(alice, "b", "Everyone involved in the garden party")
    assert set(ids(alice, "invo*")) == {invoice.pk, involved.pk}
    assert ids(alice, '"garden tools"') == [invoice.pk]
    assert ids(alice, "garden -party") == [invoice.pk]
    assert set(ids(alice, "tools OR party")) == {invoice.pk, involved.pk}


def test_title_ranks_above_text(alice):
    in_text = index(alice, "Notes", "A short note mentioning the lease once.")
    in_title = index(alice, "Lease agreement", "Terms and conditions of renting.")
    assert ids(alice, "lease") == [in_title.pk, in_text.pk]


def _ground_truths(testdata: Path) -> list[Path]:
    return sorted(p for p in testdata.rglob("*.gt.txt") if p.stat().st_size > 40)


def _phrases(text: str) -> list[tuple[str, ...]]:
    """Every run of three consecutive alphabetic words of 3+ letters in ``text`` (folded,
    lower case) separated only by spaces or simple punctuation, i.e. a real phrase of it."""
    folded = fold(text).lower()
    tokens = list(re.finditer(r"[^\W_]+", folded))
    phrases = []
    for i in range(len(tokens) - 2):
        window = tokens[i : i + 3]
        if not all(t.group().isalpha() and len(t.group()) >= 3 for t in window):
            continue
        gaps = [folded[a.end() : b.start()] for a, b in itertools.pairwise(window)]
        if all(re.fullmatch(r"[\s,.;:!?]*\s[\s,.;:!?]*|\s+", gap) for gap in gaps):
            phrases.append(tuple(t.group() for t in window))
    return phrases


def test_every_ground_truth_is_found_first_by_a_distinctive_phrase(alice, testdata: Path):
    """Index every .gt.txt of the test data; a three-word phrase found in one text only finds
    that text's document first."""
    texts = {path: path.read_text(encoding="utf-8") for path in _ground_truths(testdata)}
    phrases_of = {path: _phrases(text) for path, text in texts.items()}
    counts: Counter[tuple[str, ...]] = Counter()
    for phrases in phrases_of.values():
        counts.update(set(phrases))
    documents = {path: index(alice, path.stem, text, "en") for path, text in texts.items()}

    checked = 0
    for path, phrases in phrases_of.items():
        unique = [phrase for phrase in phrases if counts[phrase] == 1]
        if not unique:
            continue
        phrase = " ".join(unique[len(unique) // 2])
        found = ids(alice, f'"{phrase}"')
        assert found, f"{path.name}: nothing found for {phrase!r}"
        assert found[0] == documents[path].pk, f"{path.name}: {phrase!r} ranked another first"
        checked += 1
    assert checked >= 0.8 * len(texts)


def test_filters_and_sort(alice):
    from datetime import timedelta

    from django.utils import timezone

    from archive.search import SearchFilters

    old = index(alice, "old", "Water bill for the cottage")
    new = index(alice, "new", "Water bill, water meter reading, water usage", "de")
    Document.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=30))
    Document.objects.filter(pk=new.pk).update(mime_type="image/tiff")

    def search(**kwargs):
        return [h.document.pk for h in document_search(user=alice, query="water", **kwargs)]

    assert search(sort="newest") == [new.pk, old.pk]
    assert search(sort="oldest") == [old.pk, new.pk]
    assert search(filters=SearchFilters(language="de")) == [new.pk]
    assert search(filters=SearchFilters(mime_type="image/png")) == [old.pk]
    week_ago = (timezone.now() - timedelta(days=7)).date()
    assert search(filters=SearchFilters(uploaded_from=week_ago)) == [new.pk]
    assert search(filters=SearchFilters(uploaded_to=week_ago)) == [old.pk]
    assert search(filters=SearchFilters(status="failed")) == []


def test_search_view_applies_filters_and_rejects_nonsense(client, alice):
    index(alice, "Cottage", "Water bill for the cottage")
    client.force_login(alice)
    found = client.get("/search/", {"q": "water", "language": "en", "sort": "newest"})
    assert b"Cottage" in found.content
    none = client.get("/search/", {"q": "water", "language": "de"})
    assert b"Cottage" not in none.content
    assert b"with these filters" in none.content
    bad = client.get("/search/", {"q": "water", "uploaded_from": "not-a-date", "sort": "x"})
    assert bad.status_code == 200
    assert b"not understood" in bad.content


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_words_hyphenated_at_a_line_end_are_found_whole_and_in_parts(alice, language):
    doc = index(alice, "t", "Dubrovnik has weath-\nered the storms, igno-\nrant of it.", language)
    other = index(alice, "o", "A weathered e-mail about ered.", language)
    assert set(ids(alice, "weathered")) == {doc.pk, other.pk}
    assert ids(alice, "ignorant") == [doc.pk]
    assert ids(alice, "weath") == [doc.pk]
    assert ids(alice, '"has weathered the storms"') == [doc.pk]
    assert ids(alice, "weath-ered") == [doc.pk]
    assert ids(alice, "mail") == [other.pk]  # a mid-line compound keeps its parts
    assert ids(alice, "e-mail") == [other.pk]


def test_hyphenated_words_of_a_real_page_are_found(alice, testdata: Path):
    text = (testdata / "tesseract_test" / "8087_054.3B.gt.txt").read_text(encoding="utf-8")
    doc = index(alice, "Dubrovnik", text)
    for word in ("weathered", "ignorant", "believe"):
        assert ids(alice, word) == [doc.pk], word


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_parts_of_compound_tokens_are_found(alice, language):
    doc = index(
        alice,
        "t",
        "The quick fox & duck/goose, mail invoice@shop.com or see www.shop.com/orders, "
        "due 12/2024 on 3.11.2024 for 12.50 EUR. IBAN DE89 3704 0044 0532 0130 00",
        language,
    )
    fox = index(alice, "f", "The quick brown fox", language)
    for query in (
        "duck",
        "goose",
        "duck/goose",
        "shop",
        "invoice",
        "invoice@shop.com",
        "shop.com",
        "orders",
        "www.shop.com/orders",
        "12/2024",
        "2024",
        "3.11.2024",
        "12.50",
        "DE89370400440532013000",
        '"fox duck/goose mail"',
        '"due 12/2024 on"',
    ):
        assert ids(alice, query) == [doc.pk], query
    assert ids(alice, "fox -duck") == [fox.pk]
    assert ids(alice, '"duck goose mail"') == [doc.pk]


def test_compound_tokens_of_a_real_page_are_found(alice, testdata: Path):
    text = (testdata / "tesseract_test" / "eurotext.gt.txt").read_text(encoding="utf-8")
    doc = index(alice, "eurotext", text)
    fox = index(alice, "fox", "The quick brown fox")
    for query in ("duck", "goose", "duck/goose", "aspammer", "website.com", "43,456.78", "12.5%"):
        assert ids(alice, query) == [doc.pk], query
    assert ids(alice, "fox -duck") == [fox.pk]
