"""Fixtures of the sharing tests: an owner's document, and the people around it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from archive.models import Document
from tests.archive.conftest import document_with_pages


@pytest.fixture
def carol(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("carol", password="carol-password-1")


@pytest.fixture
def office(carol: User) -> Group:
    """A group with carol in it."""
    group = Group.objects.create(name="Office")
    carol.groups.add(group)
    return group


@pytest.fixture
def letter(alice: User) -> Document:
    """Alice's document (rows only: no file, no OCR)."""
    return document_with_pages(alice, "Alice letter", "en", ["dear bob"])


def share(owner: User, document: Document, level: str = "view", **who: Any) -> None:
    from archive.sharing.services import documents_share

    grantee = who.get("user") or who["group"]
    documents_share(owner=owner, documents=[document.pk], grantee=grantee, level=level)
