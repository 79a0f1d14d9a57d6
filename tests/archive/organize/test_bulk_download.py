"""archive.organize.bulk_download (and its web view and API): the selected documents' files as
one streamed zip, only the owner's documents, bounded in count and size."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.test import APIClient

from archive.models import Document
from archive.organize.assign import documents_add_tags
from archive.organize.bulk_download import bulk_download_plan, zip_stream
from archive.organize.errors import OrganizeError
from archive.organize.objects import tag_for_path

pytestmark = pytest.mark.django_db


def stored_document(owner, n: int, *, name: str = "", pdf: bool = False) -> Document:
    """A done document of ``owner`` whose original (and searchable PDF, with ``pdf``) is a
    real stored file holding recognisable bytes."""
    body = f"original {owner.username} {n} ".encode() * 50
    stored = default_storage.save(f"originals/dl/{owner.pk}/{n}.bin", ContentFile(body))
    document = Document.objects.create(
        owner=owner,
        title=f"Letter {n}",
        original=stored,
        original_name=name or f"scan-{n}.png",
        sha256=f"{owner.pk:032d}{n:032d}",
        mime_type="image/png",
        size=len(body),
        status=Document.Status.DONE,
        page_count=1,
    )
    if pdf:
        document.searchable_pdf = default_storage.save(
            f"exports/dl/{owner.pk}/{n}.pdf", ContentFile(f"%PDF searchable {n}".encode())
        )
        document.save(update_fields=["searchable_pdf"])
    return document


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def streamed(response) -> bytes:
    assert response.streaming, "the zip must be streamed, not built in memory"
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def test_originals_under_their_names_made_unique(alice):
    a = stored_document(alice, 1, name="scan.png")
    b = stored_document(alice, 2, name="scan.png")
    c = stored_document(alice, 3, name="../../etc/passwd")
    files = unzip(
        b"".join(zip_stream(bulk_download_plan(owner=alice, documents=[a.pk, b.pk, c.pk])))
    )
    assert set(files) == {"scan.png", "scan (2).png", "passwd"}
    assert files["scan.png"] == default_storage.open(str(a.original.name)).read()
    assert files["scan (2).png"] == default_storage.open(str(b.original.name)).read()


def test_searchable_pdfs_where_built_and_originals_for_the_rest(alice):
    built = stored_document(alice, 1, pdf=True)
    plain = stored_document(alice, 2)
    plan = bulk_download_plan(owner=alice, documents=[built.pk, plain.pk], files="searchable")
    files = unzip(b"".join(zip_stream(plan)))
    assert files["Letter 1.pdf"] == b"%PDF searchable 1"
    assert files["scan-2.png"].startswith(b"original alice 2")
    assert "Letter 2" in files["README.txt"].decode()
    both = unzip(
        b"".join(
            zip_stream(
                bulk_download_plan(owner=alice, documents=[built.pk, plain.pk], files="both")
            )
        )
    )
    assert {"originals/scan-1.png", "originals/scan-2.png", "searchable/Letter 1.pdf"} <= set(both)


def test_the_stream_is_written_file_by_file(alice, settings):
    """Each chunk is at most about one read of a file: nothing accumulates the whole zip."""
    settings.BULK_DOWNLOAD_MAX_BYTES = 10**9
    documents = [stored_document(alice, n) for n in range(5)]
    chunks = list(zip_stream(bulk_download_plan(owner=alice, documents=[d.pk for d in documents])))
    total = sum(len(c) for c in chunks)
    assert max(len(c) for c in chunks) < total / 3
    assert len(unzip(b"".join(chunks))) == 5


def test_a_file_gone_from_storage_is_named_in_the_readme(alice):
    kept = stored_document(alice, 1)
    gone = stored_document(alice, 2)
    plan = bulk_download_plan(owner=alice, documents=[kept.pk, gone.pk])
    default_storage.delete(str(gone.original.name))
    files = unzip(b"".join(zip_stream(plan)))
    assert set(files) == {"scan-1.png", "README.txt"}
    assert "scan-2.png" in files["README.txt"].decode()


def test_another_users_document_refuses_the_whole_download(alice, bob):
    mine = stored_document(alice, 1)
    theirs = stored_document(bob, 2)
    with pytest.raises(OrganizeError, match="do not exist"):
        bulk_download_plan(owner=alice, documents=[mine.pk, theirs.pk])
    with pytest.raises(OrganizeError, match="do not exist"):
        bulk_download_plan(owner=alice, documents=[theirs.pk])


def test_bounds_in_count_and_size_say_the_limit(alice, settings):
    documents = [stored_document(alice, n) for n in range(3)]
    ids = [d.pk for d in documents]
    settings.BULK_DOWNLOAD_MAX_DOCUMENTS = 2
    with pytest.raises(OrganizeError, match=r"At most 2 documents .* 3 are selected"):
        bulk_download_plan(owner=alice, documents=ids)
    settings.BULK_DOWNLOAD_MAX_DOCUMENTS = 10
    settings.BULK_DOWNLOAD_MAX_BYTES = documents[0].size * 2
    with pytest.raises(OrganizeError, match=r"At most .* MB go into one download"):
        bulk_download_plan(owner=alice, documents=ids)
    with pytest.raises(OrganizeError, match="No documents"):
        bulk_download_plan(owner=alice, documents=[])
    with pytest.raises(OrganizeError, match="Unknown choice"):
        bulk_download_plan(owner=alice, documents=ids[:1], files="thumbnails")


def test_library_selection_downloads_ticked_or_all_matching(client, alice, bob):
    documents = [stored_document(alice, n) for n in range(4)]
    stored_document(bob, 9)
    tax = tag_for_path(owner=alice, path="Tax")
    documents_add_tags(owner=alice, documents=[documents[1].pk, documents[3].pk], tags=[tax])
    client.force_login(alice)
    page = client.get(reverse("library")).content.decode()
    assert 'id="bulk-download"' in page
    ticked = client.post(
        reverse("bulk_download"), {"documents": [documents[0].pk, documents[2].pk], "files": ""}
    )
    assert set(unzip(streamed(ticked))) == {"scan-0.png", "scan-2.png"}
    everything = client.post(
        reverse("bulk_download"), {"all": "1", "filter": f"tag={tax.pk}", "files": "originals"}
    )
    assert set(unzip(streamed(everything))) == {"scan-1.png", "scan-3.png"}


def test_library_download_refused_returns_with_the_message(client, alice, bob, settings):
    theirs = stored_document(bob, 1)
    client.force_login(alice)
    answer = client.post(
        reverse("bulk_download"), {"documents": [theirs.pk], "next": "/?year=2024"}, follow=True
    )
    assert answer.redirect_chain[0][0] == "/?year=2024"
    assert "do not exist" in answer.content.decode()
    mine = [stored_document(alice, n).pk for n in range(3)]
    settings.BULK_DOWNLOAD_MAX_DOCUMENTS = 2
    answer = client.post(reverse("bulk_download"), {"documents": mine}, follow=True)
    assert "At most 2 documents" in answer.content.decode()


def test_api_download(alice, bob):
    documents = [stored_document(alice, n, pdf=n == 0) for n in range(2)]
    theirs = stored_document(bob, 5)
    api = APIClient()
    api.force_authenticate(alice)
    answer = api.post(
        "/api/documents/download/",
        {"documents": [d.pk for d in documents], "files": "searchable"},
        format="json",
    )
    assert answer.status_code == 200
    assert set(unzip(streamed(answer))) == {"Letter 0.pdf", "scan-1.png", "README.txt"}
    by_filter = api.post("/api/documents/download/", {"filter": {"status": "done"}}, format="json")
    assert set(unzip(streamed(by_filter))) == {"scan-0.png", "scan-1.png"}
    refused = api.post("/api/documents/download/", {"documents": [theirs.pk]}, format="json")
    assert refused.status_code == 400
    assert "do not exist" in refused.json()["documents"][0]
    both = api.post("/api/documents/download/", {"documents": [1], "filter": {}}, format="json")
    assert both.status_code == 400
    anonymous = APIClient().post("/api/documents/download/", {"documents": [1]}, format="json")
    assert anonymous.status_code in (401, 403)
