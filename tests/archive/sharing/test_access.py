"""The one visibility selector: who may view, edit, delete a document."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from archive.models import Document
from archive.sharing.access import (
    Access,
    access_of,
    editable_documents,
    owned_documents,
    scoped_documents,
    shared_with,
    visible_documents,
)
from tests.archive.conftest import document_with_pages
from tests.archive.sharing.conftest import share

pytestmark = pytest.mark.django_db


def ids(documents: object) -> set[int]:
    return set(documents.values_list("pk", flat=True))  # type: ignore[attr-defined]


def test_a_document_is_its_owners_alone_until_shared(alice: User, bob: User, letter: Document):
    assert ids(visible_documents(alice)) == {letter.pk}
    assert ids(visible_documents(bob)) == set()
    assert access_of(bob, letter) is Access.NONE
    assert access_of(alice, letter) is Access.OWNER
    assert ids(visible_documents(AnonymousUser())) == set()


def test_view_lets_see_not_edit(alice: User, bob: User, letter: Document):
    share(alice, letter, "view", user=bob)
    assert ids(visible_documents(bob)) == {letter.pk}
    assert ids(editable_documents(bob)) == set()
    assert ids(owned_documents(bob)) == set()
    assert access_of(bob, letter) is Access.VIEW


def test_edit_lets_see_and_edit_never_own(alice: User, bob: User, letter: Document):
    share(alice, letter, "edit", user=bob)
    assert ids(visible_documents(bob)) == {letter.pk}
    assert ids(editable_documents(bob)) == {letter.pk}
    assert ids(owned_documents(bob)) == set()
    assert access_of(bob, letter) is Access.EDIT


def test_a_group_grant_reaches_its_members_only(
    alice: User, bob: User, carol: User, office: Group, letter: Document
):
    share(alice, letter, "view", group=office)
    assert ids(visible_documents(carol)) == {letter.pk}
    assert ids(visible_documents(bob)) == set()
    carol.groups.remove(office)
    assert ids(visible_documents(carol)) == set()


def test_the_higher_of_a_user_and_a_group_grant_wins(
    alice: User, carol: User, office: Group, letter: Document
):
    share(alice, letter, "view", user=carol)
    share(alice, letter, "edit", group=office)
    assert access_of(carol, letter) is Access.EDIT
    assert ids(editable_documents(carol)) == {letter.pk}


def test_an_inactive_user_sees_nothing(alice: User, bob: User, letter: Document):
    share(alice, letter, "view", user=bob)
    bob.is_active = False
    assert ids(visible_documents(bob)) == set()
    assert access_of(bob, letter) is Access.NONE


def test_scopes(alice: User, bob: User, letter: Document):
    own = document_with_pages(bob, "Bob note", "en", ["hello"])
    share(alice, letter, "view", user=bob)
    assert ids(scoped_documents(bob, "")) == {own.pk, letter.pk}
    assert ids(scoped_documents(bob, "mine")) == {own.pk}
    assert ids(scoped_documents(bob, "shared")) == {letter.pk}
    assert ids(shared_with(alice)) == set()
