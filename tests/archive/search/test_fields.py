"""archive.search.fields: field terms of the search box, with words, OR and exclusions.

A small archive with known metadata; each query's documents are compared with a plain Python
evaluation of the same meaning over that metadata (random combinations too), and another
user's identically named tags, correspondents and notes never reach the results.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from archive.models import Document
from archive.organize.assign import (
    documents_add_tags,
    documents_set_correspondent,
    documents_set_date,
    documents_set_document_type,
    documents_set_field,
)
from archive.organize.fields import custom_field_create
from archive.organize.notes import note_create
from archive.organize.objects import correspondent_create, document_type_create, tag_for_path
from archive.search import QueryError, document_search, search_page, split_fields
from tests.archive.search.test_readings import index

pytestmark = pytest.mark.django_db

TAGS = ["Tax", "Tax/2024", "Tax/2023", "Home", "Home/Garden", "Taxi"]
CORRESPONDENTS = ["IKEA Deutschland", "Stadtwerke", "Deutsche Bahn"]
TYPES = ["Invoice", "Receipt", "Proforma invoice", "Letter"]
WORDS = ["lamp", "garden", "electricity", "ticket", "warranty"]


@dataclass
class Doc:
    """One test document's metadata, as the Python evaluation reads it."""

    pk: int
    words: set[str]
    tags: set[str] = field(default_factory=set)
    correspondent: str | None = None
    type: str | None = None
    date: datetime.date | None = None
    amount: Decimal | None = None
    paid: bool | None = None
    status: str | None = None
    notes: list[str] = field(default_factory=list)


def _archive(owner, rng: random.Random, count: int) -> list[Doc]:
    tags = {path: tag_for_path(owner=owner, path=path) for path in TAGS}
    correspondents = {n: correspondent_create(owner=owner, name=n) for n in CORRESPONDENTS}
    types = {n: document_type_create(owner=owner, name=n) for n in TYPES}
    amount = custom_field_create(owner=owner, name="Amount", data_type="monetary", currency="EUR")
    paid = custom_field_create(owner=owner, name="Paid", data_type="boolean")
    status = custom_field_create(owner=owner, name="Pay status", data_type="text")
    docs = []
    for number in range(count):
        words = set(rng.sample(WORDS, rng.randint(1, 3)))
        document = index(owner, f"{owner.username} {number}", [" ".join(sorted(words))])
        doc = Doc(pk=document.pk, words=words)
        for path in rng.sample(TAGS, rng.randint(0, 2)):
            documents_add_tags(owner=owner, documents=[doc.pk], tags=[tags[path]])
            doc.tags.add(path)
        if rng.random() < 0.7:
            doc.correspondent = rng.choice(CORRESPONDENTS)
            documents_set_correspondent(
                owner=owner, documents=[doc.pk], correspondent=correspondents[doc.correspondent]
            )
        if rng.random() < 0.7:
            doc.type = rng.choice(TYPES)
            documents_set_document_type(
                owner=owner, documents=[doc.pk], document_type=types[doc.type]
            )
        if rng.random() < 0.8:
            doc.date = datetime.date(2022, 11, 1) + datetime.timedelta(days=rng.randint(0, 800))
            documents_set_date(owner=owner, documents=[doc.pk], value=doc.date)
        if rng.random() < 0.6:
            doc.amount = Decimal(rng.choice(["9.99", "100", "100.01", "250", "1200"]))
            documents_set_field(owner=owner, documents=[doc.pk], field=amount, value=doc.amount)
        if rng.random() < 0.5:
            doc.paid = rng.random() < 0.5
            documents_set_field(owner=owner, documents=[doc.pk], field=paid, value=doc.paid)
        if rng.random() < 0.4:
            doc.status = rng.choice(["open", "settled"])
            documents_set_field(owner=owner, documents=[doc.pk], field=status, value=doc.status)
        if rng.random() < 0.3:
            text = rng.choice(["Warranty until 2027", "Returned the lamp", "ask about warranty"])
            note_create(owner=owner, document_id=doc.pk, text=text)
            doc.notes.append(text)
        docs.append(doc)
    return docs


def _tag_matches(doc: Doc, value: str) -> bool:
    v = value.lower()
    return any(
        path.lower() == v
        or path.lower().startswith(v + "/")
        or path.lower().endswith("/" + v)
        or ("/" + v + "/") in path.lower()
        for path in doc.tags
    )


def _in(day: datetime.date | None, first: datetime.date, last: datetime.date) -> bool:
    return day is not None and first <= day <= last


# Field terms with their meaning in plain Python (None: not a field term).
_ALL_TERMS: dict[str, Callable[[Doc], bool] | None] = {
    "tag:tax": lambda d: _tag_matches(d, "tax"),
    'tag:"Tax/2024"': lambda d: _tag_matches(d, "tax/2024"),
    "tag:2024": lambda d: _tag_matches(d, "2024"),
    "tag:home": lambda d: _tag_matches(d, "home"),
    "correspondent:ikea": lambda d: d.correspondent == "IKEA Deutschland",
    "correspondent:DEUTSCH": lambda d: d.correspondent in ("IKEA Deutschland", "Deutsche Bahn"),
    "type:invoice": lambda d: d.type in ("Invoice", "Proforma invoice"),
    "type:receipt": lambda d: d.type == "Receipt",
    "date:2023": lambda d: _in(d.date, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)),
    "date:2024-03": lambda d: _in(d.date, datetime.date(2024, 3, 1), datetime.date(2024, 3, 31)),
    "date:2023-01..2023-06": lambda d: _in(
        d.date, datetime.date(2023, 1, 1), datetime.date(2023, 6, 30)
    ),
    "date:2024..": lambda d: _in(d.date, datetime.date(2024, 1, 1), datetime.date.max),
    "date:>2023-05-10": lambda d: _in(d.date, datetime.date(2023, 5, 11), datetime.date.max),
    "date:<=2023-05": lambda d: _in(d.date, datetime.date.min, datetime.date(2023, 5, 31)),
    "field:amount>100": lambda d: d.amount is not None and d.amount > 100,
    "field:Amount<=100": lambda d: d.amount is not None and d.amount <= 100,
    "field:amount=250": lambda d: d.amount == Decimal(250),
    "field:amount": lambda d: d.amount is not None,
    "field:paid=yes": lambda d: d.paid is True,
    "field:paid=no": lambda d: d.paid is False,
    '"field:pay status=open"': None,  # not a field term: a phrase (checked apart)
    'field:"pay status"=open': lambda d: d.status == "open",
    'field:"pay status":SETT': lambda d: d.status == "settled",
    "note:warranty": lambda d: any("warranty" in n.lower() for n in d.notes),
}
TERMS: dict[str, Callable[[Doc], bool]] = {k: v for k, v in _ALL_TERMS.items() if v is not None}


@pytest.fixture
def archive(alice, bob):
    rng = random.Random(14)
    docs = _archive(alice, rng, 40)
    # Bob has the same names on his own documents: none of them may show up for alice.
    _archive(bob, random.Random(15), 10)
    return docs


def found(user, query: str) -> set[int]:
    page = search_page(user=user, query=query, limit=1000)
    return {hit.pk for hit in page.hits}


def test_each_field_term_alone_lists_exactly_its_documents(alice, archive):
    for term, meaning in TERMS.items():
        expected = {d.pk for d in archive if meaning(d)}
        assert found(alice, term) == expected, term
        page = search_page(user=alice, query=term, limit=5)
        assert page.total == len(expected), term
        assert not page.estimated


def test_exclusion_of_a_field_term_keeps_documents_without_the_value(alice, archive):
    for term, meaning in TERMS.items():
        expected = {d.pk for d in archive if not meaning(d) and "lamp" in d.words}
        assert found(alice, f"lamp -{term}") == expected, term


def _combination(shape: int, word: str, other: str, a: str, b: str, c: str):
    """A query of one of four shapes, and its meaning as a predicate on ``Doc``."""
    if shape == 0:
        return f"{word} {a}", lambda d: word in d.words and TERMS[a](d)
    if shape == 1:
        return f"{a} OR {b} {word}", lambda d: (TERMS[a](d) or TERMS[b](d)) and word in d.words
    if shape == 2:
        return f"{a} -{b} {c}", lambda d: TERMS[a](d) and not TERMS[b](d) and TERMS[c](d)
    return (
        f"{word} OR {other} {a} -{b}",
        lambda d: (word in d.words or other in d.words) and TERMS[a](d) and not TERMS[b](d),
    )


def test_random_combinations_with_words_or_and_exclusion(alice, archive):
    rng = random.Random(3)
    names = list(TERMS)
    for _ in range(60):
        a, b, c = rng.sample(names, 3)
        word = rng.choice(WORDS)
        other = rng.choice([w for w in WORDS if w != word])
        query, meaning = _combination(rng.randrange(4), word, other, a, b, c)
        assert found(alice, query) == {d.pk for d in archive if meaning(d)}, query


def test_field_terms_never_see_another_users_metadata(alice, bob, archive):
    bobs = set(Document.objects.filter(owner=bob).values_list("pk", flat=True))
    for term in TERMS:
        assert not found(alice, term) & bobs, term
        assert found(bob, term) <= bobs, term


def test_words_keep_their_ranking_when_a_field_term_narrows(alice, archive):
    plain = document_search(user=alice, query="warranty lamp", limit=100)
    narrowed = document_search(user=alice, query="warranty lamp tag:tax", limit=100)
    wanted = {d.pk for d in archive if _tag_matches(d, "tax")}
    assert [h.pk for h in narrowed] == [h.pk for h in plain if h.pk in wanted]


def test_a_field_only_listing_pages_by_cursor(alice, archive):
    expected = {d.pk for d in archive if d.date is not None}
    seen: list[int] = []
    cursor = None
    while True:
        page = search_page(user=alice, query="date:2000..", limit=7, cursor=cursor)
        seen.extend(hit.pk for hit in page.hits)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


def test_a_quoted_field_value_is_not_split_into_words():
    split = split_fields('lamp tag:"Tax / 2024" "exact words" OR other')
    assert split.text == 'lamp "exact words" OR other'
    assert [term.text for group in split.groups for term in group] == ['tag:"Tax / 2024"']


def test_words_that_look_like_fields_stay_words():
    split = split_fields("mytag:x http://example.org 12:30 notes:a")
    assert split.text == "mytag:x http://example.org 12:30 notes:a"
    assert split.groups == ()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tag:", "needs a value"),
        ("lamp tag:", "needs a value"),
        ('tag:""', "needs a value"),
        ("date:2024-13", "13 is not a month"),
        ("date:2023-02-29", "has no day 29"),
        ("date:yesterday", "is not a date"),
        ("date:2024..2023", "ends before it starts"),
        ("date:..", "at least one end"),
        ("added:>soon", "is not a date"),
        ('tag:"Tax/2024', "never closed"),
        ('correspondent:"ikea lamp', "never closed"),
        ("field:", "needs a value"),
        ("field:amount>", "needs a value"),
        ("field:amount>lots", "compares a number or a date"),
        ("field:>5", "field:NAME"),
        ("tag:tax OR lamp", "OR joins two words or two field terms"),
        ("lamp OR date:2024", "OR joins two words or two field terms"),
        ("tag://", "is not a tag name"),
    ],
)
def test_malformed_field_terms_say_what_is_wrong(alice, query, message):
    with pytest.raises(QueryError, match=message):
        search_page(user=alice, query=query)


def test_an_unclosed_phrase_of_words_is_still_searched(alice):
    document = index(alice, "d", ["the lamp was broken"])
    assert found(alice, '"lamp was') == {document.pk}


def test_numbers_out_of_any_column_range_are_no_error(alice, archive):
    assert found(alice, "field:amount>99999999999999999999999999999") == set()
    assert found(alice, "field:amount<-99999999999999999999999999999") == set()
    assert found(alice, "date:9999-12-31") == set()


@pytest.mark.parametrize(
    ("query", "message"),
    [("tag:", "needs a value"), ("date:2024-13", "13 is not a month"), ('tag:"Tax', "closed")],
)
def test_the_search_page_and_api_show_the_message(client, alice, query, message):
    client.force_login(alice)
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    assert message in response.content.decode()
    api = APIClient()
    api.force_authenticate(alice)
    answer = api.get("/api/search/", {"q": query})
    assert answer.status_code == 400
    assert message in str(answer.json())


def test_the_search_page_lists_a_field_only_query(client, alice, archive):
    client.force_login(alice)
    response = client.get(reverse("search"), {"q": "correspondent:ikea"})
    expected = [d for d in archive if d.correspondent == "IKEA Deutschland"]
    assert response.status_code == 200
    body = response.content.decode()
    for doc in expected[:20]:
        assert reverse("document", args=[doc.pk]) in body
    api = APIClient()
    api.force_authenticate(alice)
    answer = api.get("/api/search/", {"q": "correspondent:ikea", "page_size": "100"})
    assert answer.status_code == 200
    assert {row["document"]["id"] for row in answer.json()["results"]} == {d.pk for d in expected}
