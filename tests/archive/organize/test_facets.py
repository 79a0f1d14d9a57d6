"""archive.organize.facets: the library's filter and facet counts equal the true counts.

On a small archive with known metadata (tests.archive.search.test_fields), for random filters,
each facet value's count equals the number of documents a plain Python evaluation finds under
the filter and that value, and clicking the value (adding it to the filter) lists exactly that
many.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict

import pytest
from django.http import QueryDict

from archive.models import (
    FIRST_RANDOM_ID,
    LAST_RANDOM_ID,
    CustomField,
    Document,
    Tag,
)
from archive.organize.facets import (
    FilterError,
    LibraryFilter,
    facet_counts,
    filter_from_params,
)
from archive.organize.objects import tag_for_path
from tests.archive.search.test_fields import Doc, _archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(alice, bob):
    docs = _archive(alice, random.Random(14), 40)
    _archive(bob, random.Random(15), 10)
    return docs


def _has_tag(doc: Doc, path: str) -> bool:
    return any(p == path or p.startswith(path + "/") for p in doc.tags)


def _matches(doc: Doc, filt: LibraryFilter, paths: dict[int, str], fields: dict[int, str]) -> bool:
    if not all(_has_tag(doc, paths[t]) for t in filt.tags):
        return False
    if filt.correspondents and doc.correspondent not in {
        _name("c", c) for c in filt.correspondents
    }:
        return False
    if filt.types and doc.type not in {_name("t", t) for t in filt.types}:
        return False
    if filt.no_date and doc.date is not None:
        return False
    if filt.year and (doc.date is None or doc.date.year != filt.year):
        return False
    if filt.month and (doc.date is None or doc.date.month != filt.month):
        return False
    for field_id, value in filt.fields:
        name = fields[field_id]
        held = {"Amount": doc.amount, "Paid": doc.paid, "Pay status": doc.status}[name]
        if held is None:
            return False
        if value is not None and str(held).lower() != value:
            return False
    return True


_NAMES: dict[tuple[str, int], str] = {}


def _name(kind: str, pk: int | None) -> str | None:
    return None if pk is None else _NAMES[(kind, pk)]


def _random_filter(rng: random.Random, alice, docs: list[Doc]) -> LibraryFilter:
    tags = list(Tag.objects.filter(owner=alice).values_list("pk", flat=True))
    kinds = rng.sample(["tag", "correspondent", "type", "year", "month", "field", "none"], 3)
    kwargs: dict = {}
    if "tag" in kinds:
        kwargs["tags"] = tuple(rng.sample(tags, rng.randint(1, 2)))
    if "correspondent" in kinds:
        keys = [k for (kind, k) in _NAMES if kind == "c"]
        kwargs["correspondents"] = tuple(rng.sample([*keys, None], 2))
    if "type" in kinds:
        keys = [k for (kind, k) in _NAMES if kind == "t"]
        kwargs["types"] = (rng.choice(keys),)
    if "year" in kinds or "month" in kinds:
        kwargs["year"] = rng.choice([2022, 2023, 2024])
        if "month" in kinds:
            kwargs["month"] = rng.randint(1, 12)
    if "field" in kinds:
        paid = CustomField.objects.get(owner=alice, name="Paid").pk
        amount = CustomField.objects.get(owner=alice, name="Amount").pk
        kwargs["fields"] = (rng.choice([(paid, "true"), (paid, "false"), (amount, None)]),)
    return LibraryFilter(**kwargs)


def test_every_facet_count_is_the_true_count(alice, archive):
    from archive.models import Correspondent, DocumentType

    for c in Correspondent.objects.filter(owner=alice):
        _NAMES[("c", c.pk)] = c.name
    for t in DocumentType.objects.filter(owner=alice):
        _NAMES[("t", t.pk)] = t.name
    paths = dict(Tag.objects.filter(owner=alice).values_list("pk", "path"))
    fields = dict(CustomField.objects.filter(owner=alice).values_list("pk", "name"))
    names = {name: pk for pk, name in fields.items()}
    rng = random.Random(5)
    base = Document.objects.filter(owner=alice)
    for _ in range(25):
        filt = _random_filter(rng, alice, archive)
        kept = [d for d in archive if _matches(d, filt, paths, fields)]
        facets = facet_counts(alice, filt.apply(alice, base))
        assert facets.total == len(kept)
        assert not facets.estimated
        by_name = {n: pk for (kind, pk), n in _NAMES.items() if kind == "c"}
        assert facets.columns["correspondent"] == dict(
            Counter(by_name.get(d.correspondent) for d in kept)
        )
        years = Counter(d.date.year if d.date else None for d in kept)
        assert facets.columns["year"] == dict(years)
        months = Counter((d.date.year, d.date.month) if d.date else (None, None) for d in kept)
        assert facets.columns["month"] == dict(months)
        for tag, path in paths.items():
            assert facets.tags.get(tag, 0) == sum(_has_tag(d, path) for d in kept), path
        assert facets.fields.get((names["Amount"], None), 0) == sum(
            d.amount is not None for d in kept
        )
        for value in (True, False):
            assert facets.fields.get((names["Paid"], str(value).lower()), 0) == sum(
                d.paid is value for d in kept
            )
        # Clicking a value lists exactly its count.
        for tag, count in facets.tags.items():
            narrowed = LibraryFilter(**{**filt.__dict__, "tags": (*filt.tags, tag)})
            assert narrowed.apply(alice, base).count() == count


def test_counts_past_the_limit_are_estimates_from_a_weighted_sample(alice, archive, settings):
    """Past the limit: the random ids in one slice of their range (weighted by the stratum's
    matches over the slice's), and every n-th of the ids from the old counter (weight n)."""
    # Twelve documents from before random ids (small ids), all French: their share must be
    # weighted by their own stratum, not by the random slice's.
    old = Document.objects.bulk_create(
        Document(
            id=1000 + n,
            owner=alice,
            title=f"old {n}",
            original=f"originals/old/{n}",
            original_name=f"{n}.png",
            sha256=f"{n:064d}",
            mime_type="image/png",
            size=1,
            language="fr",
            status=Document.Status.DONE,
        )
        for n in range(12)
    )
    settings.FACET_COUNT_LIMIT = 10
    facets = facet_counts(alice, Document.objects.filter(owner=alice))
    assert facets.total == 52
    assert facets.estimated
    every = facets.sample_every
    assert every == 6
    slice_end = FIRST_RANDOM_ID + math.ceil((LAST_RANDOM_ID - FIRST_RANDOM_ID) * 10 / 52)
    in_slice = [d for d in archive if d.pk < slice_end]
    weight: dict[str, float] = defaultdict(float)
    for d in old:
        if d.pk % every == 0:
            weight["fr"] += every
    languages = dict(
        Document.objects.filter(pk__in=[d.pk for d in in_slice]).values_list("pk", "language")
    )
    for d in in_slice:
        weight[languages[d.pk]] += len(archive) / len(in_slice)
    assert facets.columns["language"] == {k: round(v) for k, v in weight.items() if v}
    # The weights add up to the matches of each stratum (40 random, the old ones sampled).
    shown = sum(facets.columns["status"].values())
    assert abs(shown - (len(archive) * bool(in_slice) + every * (12 // every))) <= 1


def test_another_users_tag_id_matches_nothing(alice, bob, archive):
    bobs_tax = tag_for_path(owner=bob, path="Tax")
    base = Document.objects.filter(owner=alice)
    assert LibraryFilter(tags=(bobs_tax.pk,)).apply(alice, base).count() == 0
    facets = facet_counts(alice, base)
    assert bobs_tax.pk not in facets.tags


def test_the_filter_round_trips_through_url_parameters():
    filt = LibraryFilter(
        tags=(3, 5),
        correspondents=(7, None),
        types=(2,),
        year=2024,
        month=3,
        language="de",
        status="done",
        fields=((4, None), (6, "paid")),
        q='tag:"Tax/2024"',
    )
    params = QueryDict(mutable=True)
    for key, value in filt.to_params():
        params.appendlist(key, value)
    assert filter_from_params(params) == filt


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tag=x", "expected the id"),
        ("year=20x4", "expected a year"),
        ("year=2024&month=13", "from 1 to 12"),
        ("month=3", "needs a year"),
        ("field=abc", "expected a field id"),
        ("q=tag:", "needs a value"),
        ("q=lamp", "field terms only"),
        ("tag=99999999999999999999999", "expected the id"),
    ],
)
def test_malformed_parameters_say_what_is_wrong(query, message):
    with pytest.raises(FilterError, match=message):
        filter_from_params(QueryDict(query))


def test_the_library_page_shows_counts_and_keeps_the_filter_in_the_url(client, alice, archive):
    client.force_login(alice)
    tax = Tag.objects.get(owner=alice, path="Tax")
    response = client.get("/", {"tag": tax.pk})
    body = response.content.decode()
    expected = sum(_has_tag(d, "Tax") for d in archive)
    assert response.status_code == 200
    assert f'id="library-count">({expected})' in body
    assert "tag: Tax ✕" in body
    # A year link narrows further and keeps the tag.
    year = next(d.date.year for d in archive if _has_tag(d, "Tax") and d.date)
    assert f"?tag={tax.pk}&amp;year={year}" in body


def test_the_library_page_says_what_is_wrong_with_a_bad_filter(client, alice, archive):
    client.force_login(alice)
    response = client.get("/", {"year": "2024", "month": "13"})
    assert response.status_code == 200
    assert "from 1 to 12" in response.content.decode()


def test_the_api_filters_the_list_and_counts_facets(alice, archive):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alice)
    tax = Tag.objects.get(owner=alice, path="Tax")
    expected = {d.pk for d in archive if _has_tag(d, "Tax") and d.date and d.date.year == 2023}
    listed = api.get("/api/documents/", {"tag": tax.pk, "year": 2023, "page_size": 100}).json()
    assert {row["id"] for row in listed["results"]} == expected
    facets = api.get("/api/documents/facets/", {"tag": tax.pk, "year": 2023}).json()
    assert facets["total"] == len(expected)
    assert facets["estimated"] is False
    assert sum(row["count"] for row in facets["year"]) == len(expected)
    bad = api.get("/api/documents/facets/", {"month": "3"})
    assert bad.status_code == 400
    assert "needs a year" in str(bad.json())
    assert api.get("/api/documents/", {"tag": "x"}).status_code == 400


def test_search_results_show_facets_counted_over_the_matches(client, alice, archive):
    from archive.search import search_matches, search_page
    from archive.search.results import SearchFilters

    tax = Tag.objects.get(owner=alice, path="Tax")
    lamp = [d for d in archive if "lamp" in d.words]
    matches = search_matches(user=alice, query="lamp")
    assert matches is not None
    facets = facet_counts(alice, matches)
    assert facets.total == len(lamp)
    assert facets.tags.get(tax.pk, 0) == sum(_has_tag(d, "Tax") for d in lamp)
    # The page shows the counts, and the facet parameter narrows the hits to that count.
    client.force_login(alice)
    body = client.get("/search/", {"q": "lamp"}).content.decode()
    assert 'data-facet="tag"' in body
    assert f"?tag={tax.pk}&amp;q=lamp" in body
    narrowed = client.get("/search/", {"q": "lamp", "tag": tax.pk}).content.decode()
    expected = [d for d in lamp if _has_tag(d, "Tax")]
    assert f"{len(expected)} document" in narrowed
    page = search_page(
        user=alice,
        query="lamp",
        limit=100,
        filters=SearchFilters(where=LibraryFilter(tags=(tax.pk,)).condition(alice)),
    )
    assert {hit.pk for hit in page.hits} == {d.pk for d in expected}
