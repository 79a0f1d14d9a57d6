"""Share links: a token for one file of one document, with expiry, revocation, scope and a
rate limit per client address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from archive.errors import UserError
from archive.ingest import document_create
from archive.models import Document, ShareLink
from archive.sharing.links import share_link_create, share_link_open, share_link_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan(alice: User, make_upload: Any) -> Document:
    return document_create(
        owner=alice, upload=make_upload("scan.png", lines=["Link me"]), name="scan.png"
    ).document


def test_only_the_hash_of_the_token_is_kept(alice: User, scan: Document):
    made = share_link_create(owner=alice, document=scan, kind="original", expires="1w")
    assert len(made.token) >= 43  # 32 random bytes
    row = ShareLink.objects.get()
    assert made.token not in {row.token_hash, row.prefix}
    assert share_link_open(made.token) == row
    assert share_link_open(made.token[:-1] + ("A" if made.token[-1] != "A" else "B")) is None


def test_only_the_owner_makes_and_revokes_links(alice: User, bob: User, scan: Document):
    with pytest.raises(UserError):
        share_link_create(owner=bob, document=scan, kind="original", expires="1d")
    made = share_link_create(owner=alice, document=scan, kind="original", expires="1d")
    with pytest.raises(UserError):
        share_link_revoke(owner=bob, pk=made.link.pk)
    assert share_link_open(made.token) is not None


def test_the_public_page_gives_the_file_and_nothing_else(
    client: Client, alice: User, scan: Document
):
    made = share_link_create(owner=alice, document=scan, kind="original", expires="never")
    page = client.get(f"/s/{made.token}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert scan.title in body
    assert f"/documents/{scan.pk}/" not in body  # no way into the archive
    assert page["Referrer-Policy"] == "no-referrer"
    download = client.get(f"/s/{made.token}/file/")
    assert download.status_code == 200
    content: Any = download
    assert b"".join(content.streaming_content)[:4] == b"\x89PNG"
    # The link opens no session: the document itself stays closed.
    assert client.get(f"/documents/{scan.pk}/").status_code == 302
    assert client.get(f"/documents/{scan.pk}/pages/1/thumbnail/").status_code == 302
    assert client.get(f"/api/documents/{scan.pk}/").status_code in (401, 403)
    assert ShareLink.objects.get().uses == 2


def test_a_searchable_pdf_link_does_not_give_the_original(
    client: Client, alice: User, scan: Document
):
    made = share_link_create(owner=alice, document=scan, kind="searchable_pdf", expires="1d")
    response = client.get(f"/s/{made.token}/file/")
    # Not read yet (no worker ran): no PDF to give, and never the original instead.
    assert response.status_code == 409
    assert b"PNG" not in response.content


def test_an_expired_link_is_gone(client: Client, alice: User, scan: Document):
    made = share_link_create(owner=alice, document=scan, kind="original", expires="1d")
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/s/{made.token}/").status_code == 404
    assert client.get(f"/s/{made.token}/file/").status_code == 404


def test_a_link_made_for_a_day_expires_in_a_day(alice: User, scan: Document):
    made = share_link_create(owner=alice, document=scan, kind="original", expires="1d")
    assert made.link.expires_at is not None
    left = made.link.expires_at - timezone.now()
    assert timedelta(hours=23) < left <= timedelta(days=1)
    forever = share_link_create(owner=alice, document=scan, kind="original", expires="never")
    assert forever.link.expires_at is None


def test_a_revoked_link_is_gone_at_once(client: Client, alice: User, scan: Document):
    made = share_link_create(owner=alice, document=scan, kind="original", expires="never")
    assert client.get(f"/s/{made.token}/").status_code == 200
    client.force_login(alice)
    response = client.post(f"/documents/{scan.pk}/links/{made.link.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    assert client.get(f"/s/{made.token}/").status_code == 404
    assert client.get(f"/s/{made.token}/file/").status_code == 404


def test_a_deleted_document_takes_its_links_with_it(client: Client, alice: User, scan: Document):
    made = share_link_create(owner=alice, document=scan, kind="original", expires="never")
    client.force_login(alice)
    client.post(f"/documents/{scan.pk}/delete/")
    client.logout()
    assert not Document.objects.filter(pk=scan.pk).exists()
    assert client.get(f"/s/{made.token}/").status_code == 404


def test_link_pages_are_rate_limited_per_address(
    client: Client, settings: Any, alice: User, scan: Document
):
    settings.SHARE_LINK_RATE = 3
    made = share_link_create(owner=alice, document=scan, kind="original", expires="never")
    # Wrong tokens count too: guessing costs the same as using.
    assert client.get("/s/not-a-token/").status_code == 404
    assert client.get(f"/s/{made.token}/").status_code == 200
    assert client.get(f"/s/{made.token}/file/").status_code == 200
    refused = client.get(f"/s/{made.token}/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    # Another address has its own count.
    assert client.get(f"/s/{made.token}/", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_owner_makes_a_link_on_the_document_page(
    client: Client, alice: User, bob: User, scan: Document
):
    client.force_login(alice)
    response = client.post(f"/documents/{scan.pk}/links/", {"kind": "original", "expires": "1w"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    url = response.context["url"]
    assert "/s/" in url
    client.force_login(bob)
    assert (
        client.post(
            f"/documents/{scan.pk}/links/", {"kind": "original", "expires": "1w"}
        ).status_code
        == 404
    )
    assert ShareLink.objects.count() == 1
