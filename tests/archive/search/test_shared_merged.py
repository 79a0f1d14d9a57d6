"""archive.search.shared as one search over the visible documents (issue 17): the top is the
exact top of every visible match, each scored with its owner's statistics; its cost does not
grow with the number of owners sharing; grants and memberships are read afresh each time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Document, DocumentPermission
from archive.search import shared
from archive.search.bm25 import query_weights, scores
from archive.search.planning import build_tsquery, user_configs
from archive.search.shared import visible_search_page
from archive.sharing import access
from archive.sharing.services import documents_share, permission_delete
from tests.archive.search.test_behaviour import index

pytestmark = pytest.mark.django_db

TEXTS = [
    "Invoice for the roof repair, invoice paid in full.",
    "Invoice of the garden centre.",
    "Garden plan with roses and an invoice.",
    "The invoice invoice invoice of the plumber, urgent invoice.",
    "Receipt, not an invoice at all? It is an invoice.",
]


def _reference(viewer: User, query: str) -> list[tuple[float, int]]:
    """Every visible match (score, id), best first: each owner's matches by that owner's
    tsquery and statistics, from the vectors (the formula the module note defines)."""
    visible = (
        {pk for pk in Document.objects.filter(owner=viewer).values_list("pk", flat=True)}
        | set(DocumentPermission.objects.filter(user=viewer).values_list("document_id", flat=True))
        | set(
            DocumentPermission.objects.filter(group__user=viewer).values_list(
                "document_id", flat=True
            )
        )
    )
    scored: list[tuple[float, int]] = []
    for owner in User.objects.all():
        tsquery = build_tsquery(query, user_configs(owner))
        assert tsquery is not None
        found = list(
            Document.objects.filter(owner=owner, pk__in=visible)
            .extra(where=["search_vector @@ %s::tsquery"], params=[tsquery])
            .values_list("pk", flat=True)
        )
        weights = query_weights(int(owner.pk), tsquery).weights
        scored += [(s, pk) for pk, s in scores(found, weights, from_vectors=True).items()]
    return sorted(scored, reverse=True)


@pytest.fixture
def many(django_user_model: type[User], bob: User) -> dict[str, object]:
    """Twelve owners with five invoices each (and a private one), sharing two with bob
    directly and one with a group of his; bob has three of his own."""
    group = Group.objects.create(name="Readers")
    bob.groups.add(group)
    mine = [index(bob, f"Bob {i}", TEXTS[i]) for i in range(3)]
    owners = []
    for n in range(12):
        owner = django_user_model.objects.create_user(f"owner{n}", password="pw-owner-12345")
        owners.append(owner)
        docs = [index(owner, f"Owner {n} doc {i}", TEXTS[(i + n) % 5]) for i in range(5)]
        index(owner, f"Owner {n} private", "Private invoice invoice invoice, urgent.")
        documents_share(owner=owner, documents=[d.pk for d in docs[:2]], grantee=bob, level="view")
        documents_share(owner=owner, documents=[docs[2].pk], grantee=group, level="view")
    return {"mine": mine, "owners": owners, "group": group}


def test_the_top_is_exact_over_every_visible_match(bob: User, many: dict[str, object]):
    ranked = _reference(bob, "invoice")
    page = visible_search_page(user=bob, query="invoice", limit=20)
    assert (
        page.total
        == len(ranked)
        == 3
        + 12 * 3
        - sum(1 for text in TEXTS[:3] if "invoice" not in text.lower())
        - _missing(many)
    )
    assert not page.estimated
    assert [hit.pk for hit in page.hits] == [pk for _s, pk in ranked[:20]]
    # No private document counted or faceted.
    assert sum(count for _v, count in page.facets["language"]) == page.total
    assert not any(hit.document.title.endswith("private") for hit in page.hits)


def _missing(many: dict[str, object]) -> int:
    """Shared documents of the fixture that do not hold "invoice" (none: every text does)."""
    return 0


def test_pages_by_offset_walk_the_same_order(bob: User, many: dict[str, object]):
    ranked = [pk for _s, pk in _reference(bob, "invoice")]
    seen: list[int] = []
    cursor = None
    while True:
        page = visible_search_page(user=bob, query="invoice", limit=7, cursor=cursor)
        seen += [hit.pk for hit in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ranked


def test_past_shared_scored_each_owner_is_ranked_through_its_lists(
    bob: User, many: dict[str, object], monkeypatch: pytest.MonkeyPatch
):
    """More shared matches than ``SHARED_SCORED``: each sharing owner's top (``top_k``)
    merged; the same exact order."""
    expected = [pk for _s, pk in _reference(bob, "invoice")[:20]]
    monkeypatch.setattr(shared, "SHARED_SCORED", 3)
    page = visible_search_page(user=bob, query="invoice", limit=20)
    assert [hit.pk for hit in page.hits] == expected


def test_date_sorts_list_every_visible_match_in_order(bob: User, many: dict[str, object]):
    newest = visible_search_page(user=bob, query="invoice", sort="newest", limit=100)
    assert len(newest.hits) == newest.total == len(_reference(bob, "invoice"))
    keys = [(hit.document.created, hit.pk) for hit in newest.hits]
    assert keys == sorted(keys, reverse=True)
    oldest = visible_search_page(user=bob, query="invoice", sort="oldest", limit=5)
    assert [hit.pk for hit in oldest.hits] == [pk for _c, pk in sorted(keys)[:5]]


def test_a_phrase_is_checked_on_shared_documents_too(bob: User, many: dict[str, object]):
    page = visible_search_page(user=bob, query='"garden centre"')
    titles = sorted(hit.document.title for hit in page.hits)
    assert titles
    assert all("private" not in title for title in titles)
    for hit in page.hits:
        assert "garden centre" in hit.document.pages.get().text.lower()


def test_the_cost_does_not_grow_with_the_sharing_owners(
    django_user_model: type[User], bob: User, many: dict[str, object]
):
    """The statements of one search for bob (12 sharing owners) and for carol, who has one:
    the same number (it was about 20 per sharing owner)."""
    carol = django_user_model.objects.create_user("carol", password="carol-password-1")
    owner = many["owners"][0]  # type: ignore[index]
    index(carol, "Carol", TEXTS[0])
    theirs = Document.objects.filter(owner=owner).order_by("pk")[:1]
    documents_share(owner=owner, documents=[theirs[0].pk], grantee=carol, level="view")
    counts = []
    for user in (carol, bob):
        visible_search_page(user=user, query="invoice")  # warm
        with CaptureQueriesContext(connection) as queries:
            visible_search_page(user=user, query="invoice")
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_grant_taken_back_or_a_group_left_between_searches(bob: User, many: dict[str, object]):
    before = {hit.pk for hit in visible_search_page(user=bob, query="invoice", limit=100).hits}
    grant = DocumentPermission.objects.filter(user=bob).order_by("pk").first()
    assert grant is not None
    assert grant.document_id in before
    permission_delete(owner=grant.document.owner, permission_id=grant.pk)
    after = visible_search_page(user=bob, query="invoice", limit=100)
    assert grant.document_id not in {hit.pk for hit in after.hits}
    assert after.total == len(before) - 1
    bob.groups.remove(many["group"])  # type: ignore[arg-type]
    left = visible_search_page(user=bob, query="invoice", limit=100)
    assert left.total == len(before) - 1 - 12
    assert [hit.pk for hit in left.hits] == [pk for _s, pk in _reference(bob, "invoice")]


def test_field_terms_alone_list_the_visible_documents(bob: User, many: dict[str, object]):
    """A query of field terms only: a listing of the visible documents, newest first."""
    page = visible_search_page(user=bob, query="added:2000..", limit=100)
    visible = 3 + 12 * 3
    assert page.total == visible
    keys = [(hit.document.created, hit.pk) for hit in page.hits]
    assert keys == sorted(keys, reverse=True)


def test_past_inline_grants_the_subquery_form_finds_the_same(
    bob: User, many: dict[str, object], monkeypatch: pytest.MonkeyPatch
):
    """More grants than ``INLINE_GRANTS``: the grants stay a subquery; the same answers."""
    expected = visible_search_page(user=bob, query="invoice", limit=50)
    monkeypatch.setattr(access, "INLINE_GRANTS", 2)
    page = visible_search_page(user=bob, query="invoice", limit=50)
    assert [hit.pk for hit in page.hits] == [hit.pk for hit in expected.hits]
    assert page.total == expected.total
    assert page.facets == expected.facets
