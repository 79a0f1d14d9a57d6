"""Every URL of the app, walked as another user and as nobody with GET, POST, PATCH and
DELETE: none of them gives away, or changes, anything of the owner's. Then as each role a
document can be shared with (viewer, editor, group member, share-link holder): each reads
what it was granted and changes nothing beyond it.

The walk enumerates the URL patterns themselves (``get_resolver``), so a view added later is
walked without anyone remembering to list it. Path arguments are filled with the owner's real
ids (document, page number, admin object ids), so each URL points at something that exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from archive.ingest import document_create
from archive.models import Document, OcrJob
from archive.ocr_files import OCR_FILE_FORMATS
from archive.ocr_service import ocr_job_submit
from archive.ocr_service.pagetask import ocr_job_page_run
from archive.processing import document_process

pytestmark = pytest.mark.django_db

# Pages anyone may open (they show nothing of anyone's, which the walk checks all the same).
PUBLIC = {
    "/login/",
    "/admin/login/",
    "/favicon.ico",
    "/api/docs/",
    "/api/schema/",
    "/api/token/",
    # The UI's language: the switcher's target (sets a cookie) and the scripts' strings.
    "/i18n/setlang/",
    "/jsi18n/",
}

# A word only the owner's document contains: no response to anyone else may show it.
SECRET = "Zanzibarquux"


@pytest.fixture
def owned(alice: User, make_upload: Any) -> Document:
    upload = make_upload("secret.png", lines=[f"{SECRET} ledger", "Private figures"])
    document = document_create(
        owner=alice, upload=upload, name="secret.png", title=f"{SECRET} title"
    ).document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    return document


@pytest.fixture
def owned_job(alice: User, owned: Document, make_upload: Any) -> OcrJob:
    """An OCR service job of the owner's, read, whose result holds the secret word."""
    upload = make_upload("job.png", lines=[f"{SECRET} memo"])
    job = ocr_job_submit(owner=alice, upload=upload, name="job.png", engine="rapidocr")
    ocr_job_page_run(str(job.pk), 1)
    job.refresh_from_db()
    assert job.status == OcrJob.Status.DONE, job.error
    return job


@pytest.fixture
def organized(alice: User, owned: Document) -> dict[str, int]:
    """The owner's organize objects (each named with the secret), by admin model name: tags,
    correspondents, types, custom fields and values, notes, saved views, suggestions and the
    classifier. The walk fills URL arguments with these ids too."""
    from archive.models import CustomFieldValue, Suggestion, UserClassifier
    from archive.organize import services

    name = f"{SECRET} x"
    tag = services.tag_create(owner=alice, name=name, match_algorithm="any", match_pattern=SECRET)
    correspondent = services.correspondent_create(
        owner=alice, name=name, match_algorithm="any", match_pattern=SECRET
    )
    kind = services.document_type_create(owner=alice, name=name)
    field = services.custom_field_create(owner=alice, name=name, data_type="text")
    services.documents_set_field(owner=alice, documents=[owned.pk], field=field, value=name)
    note = services.note_create(owner=alice, document_id=owned.pk, text=name)
    view = services.saved_view_create(owner=alice, name=name, query=f"q={SECRET}")
    services.document_suggest(owned.pk)
    services.classifier_train(alice.pk)
    suggestion = Suggestion.objects.get(document=owned, key="correspondent")
    return {
        "tag": tag.pk,
        "correspondent": correspondent.pk,
        "documenttype": kind.pk,
        "customfield": field.pk,
        "customfieldvalue": CustomFieldValue.objects.get(document=owned).pk,
        "note": note.pk,
        "savedview": view.pk,
        "suggestion": suggestion.pk,
        "userclassifier": UserClassifier.objects.get(owner=alice).pk,
    }


def _organize_state(owner: User) -> list[Any]:
    """Everything of the owner's organize rows, to compare before and after the walk."""
    from archive import models

    rows: list[Any] = []
    for model in (
        models.Tag,
        models.Correspondent,
        models.DocumentType,
        models.CustomField,
        models.SavedView,
        models.Suggestion,
    ):
        rows += list(model.objects.filter(owner=owner).order_by("pk").values())
    rows += list(models.CustomFieldValue.objects.filter(document__owner=owner).values())
    rows += list(models.Note.objects.filter(document__owner=owner).values())
    rows += list(models.DocumentTag.objects.filter(document__owner=owner).values())
    return rows


def _patterns(
    resolvers: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(namespace, route, converters) for every pattern, the admin's included."""
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(
                entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace
            )
        else:
            converters = getattr(entry.pattern, "converters", {})
            yield namespace, prefix + str(entry.pattern), converters


def _fill(
    route: str,
    converters: dict[str, Any],
    document: Document,
    extra: set[int],
    job: OcrJob | None = None,
) -> list[str]:
    """The route with its arguments set to the owner's ids (a page number, or each of the
    document's and its page's ids, and the ``extra`` ids of the owner's other objects, for any
    other argument); none for a regex route."""
    if route.startswith("^"):
        return []
    urls = [route]
    page_id = document.pages.get().pk
    ids = {str(document.pk), str(page_id)} | {str(pk) for pk in extra}
    for name in converters:
        if name in {"number", "page"}:
            values = {"1"}
        elif name == "fmt":  # the OCR file formats: real ones, or the owner would get 404 too
            values = set(OCR_FILE_FORMATS)
        elif name == "job":  # an OCR service job's id is a UUID
            values = {str(job.pk)} if job is not None else set()
        else:
            values = ids
        urls = [re.sub(rf"<(?:\w+:)?{name}>", value, url) for url in urls for value in values]
    return ["/" + url for url in urls]


def _app_urls(
    document: Document, extra: dict[str, int] | None = None, job: OcrJob | None = None
) -> list[str]:
    urls = []
    ids = set((extra or {}).values())
    for _namespace, route, converters in _patterns(get_resolver().url_patterns):
        urls += [url for url in _fill(route, converters, document, ids, job) if "<" not in url]
    return sorted(set(urls))


def _admin_urls(document: Document, extra: dict[str, int] | None = None) -> list[str]:
    page = document.pages.get()
    ids = {"document": document.pk, "page": page.pk, **(extra or {})}
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        object_id = ids.get(model._meta.model_name or "")
        if object_id is not None:
            for view in ("change", "delete", "history"):
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[object_id]))
    return urls


def _shows_nothing(response: Any) -> bool:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return SECRET.lower().encode() not in body.lower()


def _refused(response: Any, url: str, *, anonymous: bool) -> bool:
    """404, a redirect to a login page, 405 (method not allowed); for nobody, the API's 401/403.

    Another user is authenticated on the API by token (no CSRF check in the way), so the API
    must answer them 404 for the owner's ids, like the web pages do.
    """
    if response.status_code in (404, 405):
        return True
    if response.status_code == 302:
        return "/login/" in response["Location"]
    return anonymous and url.startswith("/api/") and response.status_code in (401, 403)


def test_the_walk_covers_the_app(
    owned: Document, organized: dict[str, int], owned_job: OcrJob
) -> None:
    urls = _app_urls(owned, organized, owned_job)
    # The walk must reach the owner's document, page and media URLs, or it proves nothing.
    for expected in [
        f"/documents/{owned.pk}/",
        f"/documents/{owned.pk}/pages/1/image/",
        f"/documents/{owned.pk}/pages/1/thumbnail/",
        f"/documents/{owned.pk}/original/",
        f"/documents/{owned.pk}/delete/",
        f"/documents/{owned.pk}/ocr/alto/",
        f"/documents/{owned.pk}/pages/1/ocr/hocr/",
        f"/api/documents/{owned.pk}/ocr/hocr/",
        f"/api/documents/{owned.pk}/pages/1/ocr/alto/",
        f"/api/ocr/{owned_job.pk}/",
        "/api/ocr/",
        f"/admin/archive/page/{owned.pages.get().pk}/review/",
        f"/admin/archive/page/{owned.pages.get().pk}/image/",
        "/admin/archive/document/needs-review/",
        f"/api/documents/{owned.pk}/metadata/",
        f"/api/tags/{organized['tag']}/",
        f"/api/correspondents/{organized['correspondent']}/",
        f"/api/document-types/{organized['documenttype']}/",
        f"/api/custom-fields/{organized['customfield']}/",
        f"/api/saved-views/{organized['savedview']}/",
        f"/api/notes/{organized['note']}/",
        f"/api/suggestions/{organized['suggestion']}/",
        f"/api/suggestions/{organized['suggestion']}/accept/",
        f"/api/suggestions/{organized['suggestion']}/reject/",
        f"/documents/{owned.pk}/suggestions/{organized['suggestion']}/confirm/",
        f"/documents/{owned.pk}/suggestions/{organized['suggestion']}/reject/",
        f"/documents/{owned.pk}/tags/{organized['tag']}/remove/",
        f"/documents/{owned.pk}/fields/{organized['customfield']}/",
        f"/documents/{owned.pk}/notes/{organized['note']}/delete/",
        f"/documents/{owned.pk}/share/",
        f"/documents/{owned.pk}/links/",
        f"/api/documents/{owned.pk}/permissions/",
        f"/api/documents/{owned.pk}/share-links/",
        f"/api/documents/{owned.pk}/history/",
        f"/s/{owned.pk}/",
        f"/s/{owned.pk}/file/",
    ]:
        assert expected in urls
    admin_urls = _admin_urls(owned, organized)
    for model, pk in organized.items():
        assert f"/admin/archive/{model}/{pk}/change/" in admin_urls


def test_the_owner_reaches_the_walked_urls(
    client: Client, alice: User, owned: Document, owned_job: OcrJob
) -> None:
    client.force_login(alice)
    for url in (
        f"/documents/{owned.pk}/",
        f"/documents/{owned.pk}/pages/1/image/",
        f"/documents/{owned.pk}/ocr/alto/",
        f"/documents/{owned.pk}/pages/1/ocr/hocr/",
        f"/api/documents/{owned.pk}/ocr/hocr/",
        f"/api/documents/{owned.pk}/pages/1/ocr/alto/",
        f"/api/ocr/{owned_job.pk}/",
        f"/api/ocr/{owned_job.pk}/?output=alto",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        if "/ocr/" in url:  # the walk's secret word is in the owner's OCR files and job
            assert not _shows_nothing(response), url


@pytest.mark.parametrize("who", ["another user", "anonymous"])
def test_nobody_else_reads_or_changes_anything(
    who: str,
    client: Client,
    alice: User,
    bob: User,
    owned: Document,
    organized: dict[str, int],
    owned_job: OcrJob,
) -> None:
    if who == "another user":
        client.force_login(bob)
        token = Token.objects.create(user=bob)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    before = Document.objects.values().get(pk=owned.pk)
    organize_before = _organize_state(alice)
    owned_ids = {str(owned.pk)} | {str(pk) for pk in organized.values()}
    walked = 0
    for url in sorted(set(_app_urls(owned, organized, owned_job) + _admin_urls(owned, organized))):
        if url.endswith("/logout/"):
            continue  # would end the walker's own session; shows nothing of anyone's
        mentions_document = bool(owned_ids & set(url.replace("/pages/1/", "/").split("/"))) or (
            str(owned_job.pk) in url
        )
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(url)
            walked += 1
            assert _shows_nothing(response), f"{method.upper()} {url} shows the owner's text"
            if mentions_document or url.startswith("/admin/") or who == "anonymous":
                if url in PUBLIC:
                    continue
                refused = _refused(response, url, anonymous=who == "anonymous")
                assert refused, f"{method.upper()} {url}: {response.status_code}"
    assert walked > 40
    # Nothing of the owner's changed: the document row is as it was, with its page and files.
    assert Document.objects.values().get(pk=owned.pk) == before
    assert owned.pages.count() == 1
    assert OcrJob.objects.filter(pk=owned_job.pk, status=OcrJob.Status.DONE).exists()
    assert _organize_state(alice) == organize_before


def test_browsing_and_bulk_edit_stay_the_owners(
    client: Client, alice: User, bob: User, owned: Document
) -> None:
    """Library filters, facet counts, search field terms and bulk edits (issue 14) with the
    owner's ids and names, as another user: nothing shown, nothing changed."""
    from archive.models import BulkEdit, Correspondent, DocumentTag
    from archive.organize.bulk_edit import bulk_edit_create
    from archive.organize.objects import correspondent_create, tag_for_path

    tag = tag_for_path(owner=alice, path=f"{SECRET}tag")
    DocumentTag.objects.create(document=owned, tag=tag)
    sender = correspondent_create(owner=alice, name=f"{SECRET} GmbH")
    Document.objects.filter(pk=owned.pk).update(correspondent=sender)
    edit = bulk_edit_create(owner=alice, action="set_date", documents=[owned.pk])
    client.force_login(bob)
    token = Token.objects.create(user=bob)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    before = Document.objects.values().get(pk=owned.pk)
    reads = [
        f"/?tag={tag.pk}",
        f"/?correspondent={sender.pk}",
        f"/search/?q=tag:{SECRET}tag",
        f"/search/?q=correspondent:{SECRET}",
        f"/api/documents/?tag={tag.pk}",
        f"/api/documents/?correspondent={sender.pk}",
        f"/api/documents/facets/?tag={tag.pk}",
        "/api/documents/facets/",
        f"/api/search/?q=correspondent:{SECRET}",
    ]
    for url in reads:
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code == 200, url
        if url.startswith("/search/"):
            # The page repeats what was typed (the secret word); it must find nothing.
            assert "No documents match" in response.content.decode(), url
        else:
            assert _shows_nothing(response), url
        assert f"/documents/{owned.pk}/" not in response.content.decode(), url
        if url.startswith("/api/"):
            data = response.json()
            assert data.get("results", []) == [], url
            assert data.get("total", 0) == 0, url
    for url in (f"/bulk/{edit.pk}/", f"/bulk/{edit.pk}/?format=json"):
        assert client.get(url).status_code == 404, url
    assert api.get(f"/api/bulk-edits/{edit.pk}/").status_code == 404
    # Bulk edits naming the owner's document or tag change nothing of the owner's.
    client.post("/bulk/", {"action": "delete", "documents": [owned.pk], "confirm": "1"})
    client.post("/bulk/", {"action": "delete", "all": "1", "confirm": "1"})
    client.post("/bulk/", {"action": "add_tags", "documents": [owned.pk], "tags": [tag.pk]})
    for body in (
        {"action": "delete", "documents": [owned.pk], "confirm": True},
        {"action": "delete", "filter": {}, "confirm": True},
        {"action": "remove_tags", "documents": [owned.pk], "value": {"tags": [tag.pk]}},
    ):
        answer = api.post("/api/bulk-edits/", body, content_type="application/json")
        assert answer.status_code == 400, body
    # Downloading the owner's document as a zip (web and API): refused, no byte of it sent.
    forms: list[dict[str, Any]] = [
        {"documents": [owned.pk]},
        {"all": "1", "filter": f"tag={tag.pk}"},
    ]
    for form in forms:
        answer = client.post("/bulk/download/", form)
        assert answer.status_code == 302, form
        assert not answer.get("Content-Type", "").startswith("application/zip"), form
    requests: list[dict[str, Any]] = [
        {"documents": [owned.pk]},
        {"filter": {"tag": [tag.pk]}},
        {"filter": {}},
    ]
    for request in requests:
        answer = api.post("/api/documents/download/", request, content_type="application/json")
        assert answer.status_code == 400, request
    assert Document.objects.values().get(pk=owned.pk) == before
    assert DocumentTag.objects.filter(document=owned, tag=tag).exists()
    assert Correspondent.objects.filter(pk=sender.pk).exists()
    assert BulkEdit.objects.filter(owner=bob).count() == 0
    # Saved views: the owner's is neither listed, opened nor deleted by another user.
    from archive.models import SavedView

    view = SavedView.objects.create(
        owner=alice, name=f"{SECRET} view", query=f"tag={tag.pk}", show_on_dashboard=True
    )
    for url in ("/dashboard/", "/"):
        response = client.get(url)
        assert response.status_code == 200
        assert _shows_nothing(response), url
    assert client.post(f"/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    # The start page setting: the owner's view cannot be another user's start page.
    from archive.models import StartPage

    answer = client.post("/settings/", {"start": "view", "view": str(view.pk)}, follow=True)
    assert _shows_nothing(answer)
    assert not StartPage.objects.filter(view=view).exclude(owner=alice).exists()


# --- Sharing (issue 17): the walk as each role a document can be shared with --------------

#: Path parts of the document's URLs that only its owner may use, even to read (sharing,
#: history, the owner's metadata vocabulary, deletion). An editor sets the date,
#: correspondent, type and tags through some of them (``_edits``).
OWNER_ONLY = (
    "/delete/",
    "/share/",
    "/links/",
    "/permissions/",
    "/share-links/",
    "/history/",
    "/metadata/",
    "/tags/",
    "/fields/",
    "/notes/",
    "/suggestions/",
)


def _edits(document: Document, organized: dict[str, int]) -> set[tuple[str, str]]:
    """(method, URL) of the changes a user with EDIT may make: rename, re-run, password, and
    the date, correspondent, type and tags (the owner's existing ones) on the document page
    and through the API (whose GET of the metadata the editor reads too)."""
    pk = document.pk
    return {
        ("post", f"/documents/{pk}/metadata/"),
        ("post", f"/documents/{pk}/tags/"),
        ("post", f"/documents/{pk}/tags/{organized['tag']}/remove/"),
        ("post", f"/documents/{pk}/rename/"),
        ("post", f"/documents/{pk}/rerun/"),
        ("post", f"/documents/{pk}/password/"),
        ("patch", f"/api/documents/{pk}/"),
        # The API's metadata with the page's rules (tests/archive/sharing/test_metadata.py):
        # the owner's names to choose from, none of the owner's fields or suggestions.
        ("get", f"/api/documents/{pk}/metadata/"),
        ("patch", f"/api/documents/{pk}/metadata/"),
        ("post", f"/api/documents/{pk}/rerun/"),
        ("post", f"/api/documents/{pk}/password/"),
    }


def _sharing_state(document: Document) -> list[Any]:
    from archive.models import DefaultPermission, DocumentPermission, ShareLink

    return [
        list(DocumentPermission.objects.filter(document=document).order_by("pk").values()),
        list(ShareLink.objects.filter(document=document).order_by("pk").values()),
        list(DefaultPermission.objects.order_by("pk").values()),
    ]


#: Columns a read may change: asking for the searchable PDF queues its build.
_READ_MAY_CHANGE = {"searchable_pdf_requested", "searchable_pdf", "updated"}


@pytest.mark.parametrize("role", ["viewer", "editor", "group member", "share-link holder"])
def test_each_shared_role_does_only_what_it_was_granted(
    role: str,
    client: Client,
    settings: Any,
    alice: User,
    bob: User,
    owned: Document,
    organized: dict[str, int],
    owned_job: OcrJob,
) -> None:
    """Every URL with every method as a user the document is shared with (to view, to edit,
    through a group) and as a share-link holder: reads of the document answer; every change
    beyond the grant, everything of the owner's besides the document (sharing, history,
    metadata, organize objects, OCR jobs, the admin) is refused and shows nothing."""
    from django.contrib.auth.models import Group

    from archive.sharing.links import share_link_create
    from archive.sharing.services import documents_share

    settings.SHARE_LINK_RATE = 10_000  # the walk itself is not what the limit is about
    if role == "group member":
        office = Group.objects.create(name="Office")
        bob.groups.add(office)
        documents_share(owner=alice, documents=[owned.pk], grantee=office, level="view")
    elif role in ("viewer", "editor"):
        level = "edit" if role == "editor" else "view"
        documents_share(owner=alice, documents=[owned.pk], grantee=bob, level=level)
    token = ""
    if role == "share-link holder":
        token = share_link_create(owner=alice, document=owned, kind="original", expires="1d").token
        page = client.get(f"/s/{token}/")
        assert page.status_code == 200
        assert SECRET in page.content.decode()
        download = client.get(f"/s/{token}/file/")
        assert download.status_code == 200
    else:
        client.force_login(bob)
        api_token = Token.objects.create(user=bob)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token.key}"
    anonymous = role == "share-link holder"
    allowed_edits = _edits(owned, organized) if role == "editor" else set()
    before = Document.objects.values().get(pk=owned.pk)
    organize_before = _organize_state(alice)
    objects_before = _objects(alice)
    sharing_before = _sharing_state(owned)
    document_id = str(owned.pk)
    owned_ids = {document_id} | {str(pk) for pk in organized.values()}
    walked = 0
    for url in sorted(set(_app_urls(owned, organized, owned_job) + _admin_urls(owned, organized))):
        if url.endswith("/logout/"):
            continue
        parts = set(url.replace("/pages/1/", "/").split("/"))
        mentions_owner = bool(owned_ids & parts) or str(owned_job.pk) in url
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(url)
            walked += 1
            where = f"{role}: {method.upper()} {url}: {response.status_code}"
            assert response.status_code < 500, where
            if url in PUBLIC:
                continue
            reads_document = (
                not anonymous
                and method == "get"
                and document_id in parts
                and not any(marker in url for marker in OWNER_ONLY)
            )
            if (method, url) in allowed_edits:
                # Its message may name the document's tag (the editor's to see): read it
                # out, so that the next response's "shows nothing" is about that response.
                client.get(f"/documents/{document_id}/")
                continue
            if reads_document:
                continue
            if mentions_owner or url.startswith("/admin/") or anonymous:
                assert _refused(response, url, anonymous=anonymous) or (
                    response.status_code == 403 and not anonymous
                ), where
                assert _shows_nothing(response), where
    assert walked > 40
    after = Document.objects.values().get(pk=owned.pk)
    if role == "editor":  # may have renamed or re-queued it; never given or taken away
        assert after["owner_id"] == alice.pk
    else:
        assert {k: v for k, v in after.items() if k not in _READ_MAY_CHANGE} == {
            k: v for k, v in before.items() if k not in _READ_MAY_CHANGE
        }
        assert owned.pages.count() == 1
    assert _sharing_state(owned)[0] == sharing_before[0]
    assert [(link["id"], link["revoked_at"]) for link in _sharing_state(owned)[1]] == [
        (link["id"], link["revoked_at"]) for link in sharing_before[1]
    ]
    assert _sharing_state(owned)[2] == sharing_before[2]
    assert OcrJob.objects.filter(pk=owned_job.pk, status=OcrJob.Status.DONE).exists()
    if role == "editor":
        # May have taken the owner's tag off the document (and so decided its suggestion);
        # the owner's objects, fields, notes and saved views are as they were.
        assert _objects(alice) == objects_before
    else:
        assert _organize_state(alice) == organize_before


def test_the_shared_roles_read_what_they_were_granted(
    client: Client, alice: User, bob: User, owned: Document
) -> None:
    """The walk above would pass if every read were refused: the reads answer 200."""
    from archive.sharing.services import documents_share

    documents_share(owner=alice, documents=[owned.pk], grantee=bob, level="view")
    client.force_login(bob)
    for url in (
        f"/documents/{owned.pk}/",
        f"/documents/{owned.pk}/pages/1/image/",
        f"/documents/{owned.pk}/pages/1/thumbnail/",
        f"/documents/{owned.pk}/original/",
        f"/documents/{owned.pk}/ocr/alto/",
        f"/api/documents/{owned.pk}/",
        f"/api/documents/{owned.pk}/pages/",
        f"/api/documents/{owned.pk}/pages/1/thumbnail/",
        f"/api/documents/{owned.pk}/original/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    library = client.get("/").content.decode()
    assert f"/documents/{owned.pk}/pages/1/thumbnail/" in library
    assert "shared by alice" in library


def _objects(owner: User) -> list[Any]:
    """The owner's tags, correspondents, types, fields, field values and notes."""
    from archive import models

    rows: list[Any] = []
    for model in (models.Tag, models.Correspondent, models.DocumentType, models.CustomField):
        rows += list(model.objects.filter(owner=owner).order_by("pk").values())
    rows += list(models.CustomFieldValue.objects.filter(document__owner=owner).values())
    rows += list(models.Note.objects.filter(document__owner=owner).values())
    rows += list(models.SavedView.objects.filter(owner=owner).order_by("pk").values())
    return rows


@pytest.mark.parametrize("role", ["viewer", "editor", "group member", "group editor"])
def test_an_editor_sets_the_owners_metadata_and_a_viewer_cannot(
    role: str,
    client: Client,
    alice: User,
    bob: User,
    owned: Document,
    organized: dict[str, int],
) -> None:
    """The document page's metadata forms as each role: an editor (directly or through a
    group) sets the date and puts the owner's existing correspondent, type and tags on and
    off, and nothing else (no new tag in the owner's namespace, no field, note or suggestion
    of the owner's); a viewer is refused each with 403 and changes nothing."""
    from django.contrib.auth.models import Group

    from archive.models import DocumentTag
    from archive.sharing.services import documents_share

    level = "edit" if "editor" in role else "view"
    if role.startswith("group"):
        office = Group.objects.create(name="Office")
        bob.groups.add(office)
        documents_share(owner=alice, documents=[owned.pk], grantee=office, level=level)
    else:
        documents_share(owner=alice, documents=[owned.pk], grantee=bob, level=level)
    client.force_login(bob)
    url = f"/documents/{owned.pk}"
    tag, sender, kind = organized["tag"], organized["correspondent"], organized["documenttype"]
    before = _organize_state(alice)
    objects_before = _objects(alice)
    answers = {
        "date": client.post(f"{url}/metadata/", {"document_date": "2023-05-06"}),
        "correspondent": client.post(f"{url}/metadata/", {"correspondent": str(sender)}),
        "type": client.post(f"{url}/metadata/", {"document_type": str(kind)}),
        "tag": client.post(f"{url}/tags/", {"tag": f"{SECRET} x"}),
        "new tag": client.post(f"{url}/tags/", {"tag": "Made by bob"}),
        "field": client.post(f"{url}/fields/{organized['customfield']}/", {"value": "changed"}),
        "note": client.post(f"{url}/notes/", {"text": "bob's note"}),
        "note delete": client.post(f"{url}/notes/{organized['note']}/delete/"),
        "suggestion": client.post(f"{url}/suggestions/{organized['suggestion']}/confirm/"),
    }
    owner_only = ("field", "note", "note delete", "suggestion")
    for what in owner_only:
        assert answers[what].status_code == 403, (role, what)
    owned.refresh_from_db()
    if level == "view":
        for what in ("date", "correspondent", "type", "tag", "new tag"):
            assert answers[what].status_code == 403, (role, what)
        assert _organize_state(alice) == before
        assert owned.document_date is None
        return
    assert str(owned.document_date) == "2023-05-06"
    assert (owned.correspondent_id, owned.document_type_id) == (sender, kind)
    assert DocumentTag.objects.filter(document=owned, tag_id=tag).exists()
    removed = client.post(f"{url}/tags/{tag}/remove/")
    assert removed.status_code == 302
    assert not DocumentTag.objects.filter(document=owned, tag_id=tag).exists()
    # Besides the document's own tags and the suggestions it decided, nothing of the
    # owner's changed: no tag made, no field, note or organize object touched.
    from archive import models

    assert not models.Tag.objects.filter(name="Made by bob").exists()
    assert not models.Tag.objects.filter(owner=bob).exists()
    assert _objects(alice) == objects_before
    assert models.CustomFieldValue.objects.get(document=owned).value_text == f"{SECRET} x"
    assert models.Note.objects.filter(document=owned).count() == 1
    # The edit form lists the owner's names, none of the owner's fields or notes.
    page = client.get(f"{url}/").content.decode()
    assert f"{SECRET} x" in page  # the owner's tag, correspondent and type names
    assert "Add a note" not in page
    assert f"/fields/{organized['customfield']}/" not in page


@pytest.mark.parametrize(
    "role",
    ["viewer", "editor", "group member", "group editor", "stranger", "anonymous", "link holder"],
)
def test_the_api_metadata_answers_each_role_as_the_page_does(
    role: str, client: Client, alice: User, bob: User, owned: Document, organized: dict[str, int]
) -> None:
    """``/api/documents/{id}/metadata/`` as each role: an editor (directly or through a group)
    reads it and sets the date, correspondent, type and tags from the owner's existing ones;
    a tag of the editor's own (as if to make one in the owner's namespace) answers 400 and a
    custom field 403; a viewer gets 403, a stranger 404, nobody 401/403 (a share link opens
    nothing here). Whatever is refused changes nothing."""
    from django.contrib.auth.models import Group

    from archive.organize import services
    from archive.sharing.links import share_link_create
    from archive.sharing.services import documents_share

    level = "edit" if "editor" in role else "view"
    if role.startswith("group"):
        office = Group.objects.create(name="Office")
        bob.groups.add(office)
        documents_share(owner=alice, documents=[owned.pk], grantee=office, level=level)
    elif role in ("viewer", "editor"):
        documents_share(owner=alice, documents=[owned.pk], grantee=bob, level=level)
    elif role == "link holder":
        token = share_link_create(owner=alice, document=owned, kind="original", expires="1d").token
        assert client.get(f"/s/{token}/").status_code == 200
    if role not in ("anonymous", "link holder"):
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=bob).key}"
    bobs_tag = services.tag_create(owner=bob, name="Made by bob").pk
    url = f"/api/documents/{owned.pk}/metadata/"

    def patch(body: dict[str, Any]) -> int:
        return int(client.patch(url, body, content_type="application/json").status_code)

    objects_before = _objects(alice)
    read = client.get(url)
    answers = {
        "date": patch({"document_date": "2023-05-06"}),
        "correspondent": patch({"correspondent": organized["correspondent"]}),
        "type": patch({"document_type": organized["documenttype"]}),
        "tags": patch({"tags": [organized["tag"]]}),
        "own tag": patch({"tags": [bobs_tag]}),
        "field": patch({"custom_fields": [{"field": organized["customfield"], "value": "x"}]}),
    }
    owned.refresh_from_db()
    if "editor" in role:
        assert read.status_code == 200
        assert read.json()["custom_fields"] == []
        assert answers == {
            "date": 200,
            "correspondent": 200,
            "type": 200,
            "tags": 200,
            "own tag": 400,
            "field": 403,
        }
        assert str(owned.document_date) == "2023-05-06"
        assert list(owned.tags.values_list("pk", flat=True)) == [organized["tag"]]
        assert _objects(alice) == objects_before
        return
    expected = {"viewer": 403, "group member": 403, "stranger": 404}.get(role)
    codes = {read.status_code, *answers.values()}
    assert codes == {expected} if expected else codes <= {401, 403}, (role, codes)
    assert _shows_nothing(read)
    assert owned.document_date is None
    assert _objects(alice) == objects_before
