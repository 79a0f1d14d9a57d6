"""``visible_documents`` at its one mechanism: index-driven plans, and answers that stay right
as grants and group memberships change between queries (issue 17's speed at scale)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from archive.models import Document, Page
from archive.sharing import access
from archive.sharing.access import (
    scoped_documents,
    shared_with,
    visible_documents,
)
from archive.sharing.models import DocumentPermission
from archive.sharing.services import permission_delete
from tests.archive.conftest import document_with_pages
from tests.archive.sharing.conftest import share

pytestmark = pytest.mark.django_db


def ids(documents: object) -> set[int]:
    return set(documents.values_list("pk", flat=True))  # type: ignore[attr-defined]


def _plan(sql: str, params: Any) -> Any:
    """The JSON plan of a statement with sequential scans discouraged (the test tables are
    tiny: without this every plan is a scan, whatever the query allows)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return json.loads(plan) if isinstance(plan, str) else plan


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("Plans", []):
        out += _nodes(child)
    return out


@pytest.fixture
def world(alice: User, bob: User, carol: User, office: Group) -> dict[str, object]:
    """Three owners: alice shares one document with bob and one with the office (carol), bob
    owns one; each has a document nobody else sees."""
    to_bob = document_with_pages(alice, "To bob", "en", ["one"])
    to_office = document_with_pages(alice, "To office", "en", ["two"])
    alices = document_with_pages(alice, "Alice only", "en", ["three"])
    bobs = document_with_pages(bob, "Bob own", "en", ["four"])
    carols = document_with_pages(carol, "Carol own", "en", ["five"])
    share(alice, to_bob, "view", user=bob)
    share(alice, to_office, "edit", group=office)
    return {
        "to_bob": to_bob,
        "to_office": to_office,
        "alices": alices,
        "bobs": bobs,
        "carols": carols,
    }


def test_the_visible_set_is_read_through_the_indexes(world: dict[str, Document], bob: User):
    """Own documents through the owner index, granted ones by id through the primary key: no
    subquery re-run for each document, no filter over every row (the planner cannot use an
    index for ``owner = X OR id IN (subquery)``)."""
    sql, params = visible_documents(bob).order_by().values("pk").query.sql_with_params()
    plan = _plan(f"SELECT count(*) FROM ({sql}) v", params)
    nodes = _nodes(plan[0]["Plan"])
    text = json.dumps(plan)
    assert "SubPlan" not in text
    assert any(node["Node Type"] == "BitmapOr" for node in nodes)
    scans = [n for n in nodes if n.get("Relation Name") == "archive_document"]
    assert scans
    assert all("Filter" not in n for n in scans)


def test_granted_ids_are_the_users_and_their_groups(
    world: dict[str, Document], bob: User, carol: User, alice: User
):
    assert access.granted_ids(bob) == [world["to_bob"].pk]
    assert access.granted_ids(carol) == [world["to_office"].pk]
    assert access.granted_ids(alice) == []


def test_a_grant_removed_between_queries_is_gone_from_the_next(
    world: dict[str, Document], alice: User, bob: User
):
    assert ids(visible_documents(bob)) == {world["to_bob"].pk, world["bobs"].pk}
    grant = DocumentPermission.objects.get(document=world["to_bob"], user=bob)
    permission_delete(owner=alice, permission_id=grant.pk)
    assert ids(visible_documents(bob)) == {world["bobs"].pk}
    assert ids(shared_with(bob)) == set()


def test_a_membership_ended_between_queries_is_gone_from_the_next(
    world: dict[str, Document], carol: User, office: Group, bob: User
):
    assert ids(visible_documents(carol)) == {world["to_office"].pk, world["carols"].pk}
    carol.groups.remove(office)
    assert ids(visible_documents(carol)) == {world["carols"].pk}
    bob.groups.add(office)
    assert ids(visible_documents(bob)) == {
        world["to_bob"].pk,
        world["to_office"].pk,
        world["bobs"].pk,
    }


def test_the_queryset_composes(world: dict[str, Document], bob: User, alice: User):
    """Filtered, ordered, counted, sliced, and as a subquery under another table's alias."""
    visible = visible_documents(bob)
    assert visible.count() == 2
    assert visible.filter(title__startswith="To").count() == 1
    assert list(visible.order_by("title").values_list("title", flat=True)) == [
        "Bob own",
        "To bob",
    ]
    assert visible.exclude(owner_id=bob.pk).get().pk == world["to_bob"].pk
    pages = Page.objects.filter(document__in=visible.values("pk"))
    assert set(pages.values_list("document_id", flat=True)) == {
        world["to_bob"].pk,
        world["bobs"].pk,
    }
    # The same queryset OR-ed and AND-ed with another's conditions.
    either = visible | Document.objects.filter(pk=world["alices"].pk)
    assert ids(either) == {world["to_bob"].pk, world["bobs"].pk, world["alices"].pk}
    assert ids(visible & Document.objects.filter(owner_id=alice.pk)) == {world["to_bob"].pk}
    assert ids(scoped_documents(bob, "shared")) == {world["to_bob"].pk}
    assert ids(scoped_documents(bob, "mine")) == {world["bobs"].pk}


def test_a_user_with_grants_from_many_owners(django_user_model: type[User], bob: User):
    """Forty owners each sharing two of their three documents with bob (one directly, one
    through a group of his), and a document of bob's own: bob sees exactly his and theirs."""
    group = Group.objects.create(name="Many")
    bob.groups.add(group)
    expected = {document_with_pages(bob, "Mine", "en", ["x"]).pk}
    for i in range(40):
        owner = django_user_model.objects.create_user(f"owner{i}", password="pw-owner-12345")
        direct = document_with_pages(owner, f"Direct {i}", "en", ["a"])
        grouped = document_with_pages(owner, f"Grouped {i}", "en", ["b"])
        document_with_pages(owner, f"Private {i}", "en", ["c"])
        share(owner, direct, "view", user=bob)
        share(owner, grouped, "view", group=group)
        expected |= {direct.pk, grouped.pk}
    assert ids(visible_documents(bob)) == expected
    assert visible_documents(bob).count() == 81
    assert len(access.granted_ids(bob)) == 80
    assert ids(shared_with(bob)) == expected - set(
        Document.objects.filter(owner=bob).values_list("pk", flat=True)
    )


def test_a_document_shared_twice_and_an_own_document_shared_back(
    world: dict[str, Document], alice: User, bob: User, office: Group
):
    """A grant to the user and to their group on one document lists it once; a grant on the
    user's own document (shared back to them through a group) does not make it "shared"."""
    bob.groups.add(office)
    share(alice, world["to_bob"], "edit", group=office)
    assert visible_documents(bob).count() == 3
    assert access.granted_ids(bob) == sorted({world["to_bob"].pk, world["to_office"].pk})
    assert ids(shared_with(alice)) == set()


def test_shared_with_nobody_is_still_a_queryset_that_renders(alice: User, bob: User):
    """Callers embed ``shared_with`` as SQL (``shared_terms.visible_held``): a user nobody
    shares with gets an empty set, not an unrenderable ``none()``."""
    from archive.search.shared_terms import visible_held

    assert ids(shared_with(bob)) == set()
    assert visible_held(bob, ["invoice"]) == {}
    sql, _params = shared_with(bob).values("pk").query.sql_with_params()
    assert "ANY" in sql


def test_past_inline_grants_the_grants_stay_a_subquery(
    world: dict[str, Document],
    bob: User,
    carol: User,
    office: Group,
    monkeypatch: pytest.MonkeyPatch,
):
    """More grants than ``INLINE_GRANTS``: the same sets, through the grants subquery."""
    bob.groups.add(office)
    small = {name: ids(f(bob)) for name, f in FUNCTIONS.items()}
    monkeypatch.setattr(access, "INLINE_GRANTS", 1)
    sql, _params = visible_documents(bob).query.sql_with_params()
    assert "archive_documentpermission" in sql
    assert {name: ids(f(bob)) for name, f in FUNCTIONS.items()} == small
    assert small["visible"] == {world["to_bob"].pk, world["to_office"].pk, world["bobs"].pk}
    assert small["editable"] == {world["to_office"].pk, world["bobs"].pk}
    assert ids(Page.objects.filter(document__in=visible_documents(bob).values("pk"))) >= set()


FUNCTIONS = {
    "visible": visible_documents,
    "editable": access.editable_documents,
    "shared": shared_with,
}
