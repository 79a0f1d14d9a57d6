"""archive.views.facet_links: every link (a facet value that narrows, a chip that removes) is
the changed filter's URL parameters followed by the page's other parameters, exactly as
encoding the changed filter would give, though each link re-encodes only its own facet."""

from __future__ import annotations

import random
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from archive.models import Document
from archive.organize.facets import LibraryFilter, facet_counts, filter_from_params
from archive.views.facet_links import facet_panels
from tests.archive.organize.test_facets import archive  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _expected(filt: LibraryFilter, keep: list[tuple[str, str]]) -> str:
    return urlencode([*filt.to_params(), *keep])


def _filters(alice) -> list[LibraryFilter]:
    """Filters with every kind of parameter, including repeated ones and ``none``."""
    from archive.models import Correspondent, CustomField, Tag

    rng = random.Random(7)
    tags = list(Tag.objects.filter(owner=alice).values_list("pk", flat=True))
    people = list(Correspondent.objects.filter(owner=alice).values_list("pk", flat=True))
    fields = list(CustomField.objects.filter(owner=alice).values_list("pk", flat=True))
    out = [LibraryFilter()]
    for _ in range(12):
        out.append(
            LibraryFilter(
                tags=tuple(rng.sample(tags, rng.randint(0, 2))),
                correspondents=tuple(rng.sample([*people, None], rng.randint(0, 2))),
                year=rng.choice([None, 2023]),
                month=None,
                language=rng.choice(["", "en"]),
                status=rng.choice(["", "done"]),
                fields=tuple((f, rng.choice([None, "true"])) for f in rng.sample(fields, 1)),
                q=rng.choice(["", "tag:x"]),
            )
        )
    out.append(LibraryFilter(year=2023, month=3))
    out.append(LibraryFilter(no_date=True))
    return out


def test_every_link_is_the_changed_filter_then_the_kept_parameters(alice, archive):  # noqa: F811
    keep = [("sort", "oldest"), ("whose", "own"), ("x", "a b&c")]
    base = Document.objects.filter(owner=alice)
    checked = 0
    for filt in _filters(alice):
        page = QueryDict(urlencode([*filt.to_params(), *keep, ("page", "3")]))
        assert filter_from_params(page) == filt
        facets = facet_counts(alice, filt.apply(alice, base))
        panels, chips = facet_panels(alice, facets, filt, page)
        for panel in panels:
            for value in panel.values:
                if value.active:
                    continue  # shown in bold, not as a link
                assert _changed_by(value.params, filt, keep, panel.name), (panel.name, value)
                checked += 1
        for chip in chips:
            # A chip removes one applied value: its link is a filter with one value fewer.
            narrower = filter_from_params(QueryDict(chip.params))
            assert narrower != filt
            assert chip.params.endswith(urlencode(keep))
            assert chip.params == _expected(narrower, keep)
    assert checked > 50


def _changed_by(params: str, filt: LibraryFilter, keep: list[tuple[str, str]], name: str) -> bool:
    """``params`` equals the encoding of the filter it names, and that filter differs from
    ``filt`` in the panel's facet only."""
    changed = filter_from_params(QueryDict(params))
    if params != _expected(changed, keep):
        return False
    facet = {
        "tag": ("tags",),
        "correspondent": ("correspondents",),
        "type": ("types",),
        "year": ("year", "month", "no_date"),
        "field": ("fields",),
        "language": ("language",),
        "status": ("status",),
    }[name]
    same = {attr: getattr(changed, attr) for attr in facet}
    return replace(filt, **same) == changed


@pytest.fixture
def shared_library(alice, bob) -> dict[str, int]:
    """Alice's labelled documents, one shared with bob to view, one not."""
    from archive.organize import services
    from archive.sharing.services import documents_share
    from tests.archive.conftest import document_with_pages

    seen = document_with_pages(alice, "Roof quote", "en", ["roof"])
    unseen = document_with_pages(alice, "Clinic letter", "en", ["clinic"])
    tag = services.tag_for_path(owner=alice, path="Housing/Roofworks")
    secret_tag = services.tag_for_path(owner=alice, path="Psychiatry")
    sender = services.correspondent_create(owner=alice, name="Acme Thatchers")
    secret_sender = services.correspondent_create(owner=alice, name="Hidden Clinic")
    kind = services.document_type_create(owner=alice, name="Quotation")
    secret_kind = services.document_type_create(owner=alice, name="Diagnosis")
    services.document_metadata_update(
        owner=alice, document_id=seen.pk, correspondent=sender, document_type=kind, tags=[tag]
    )
    services.document_metadata_update(
        owner=alice,
        document_id=unseen.pk,
        correspondent=secret_sender,
        document_type=secret_kind,
        tags=[secret_tag],
    )
    documents_share(owner=alice, documents=[seen.pk], grantee=bob, level="view")
    return {"seen": seen.pk, "tag": tag.pk, "secret_tag": secret_tag.pk, "sender": sender.pk}


def test_shared_documents_facets_show_the_owners_names(client, bob, shared_library):
    """Issue 17: the library labels the owner's tags, correspondent and type of a document
    shared with the user by name (not "?"), counts it under them, narrows by them; names of
    objects only on documents the user may not see never appear."""
    client.force_login(bob)
    page = client.get("/").content.decode()
    for name in ("Roofworks", "Acme Thatchers", "Quotation"):
        assert name in page, name
    for secret in ("Psychiatry", "Hidden Clinic", "Diagnosis"):
        assert secret not in page, secret
    assert ">?</a>" not in page
    narrowed = client.get(f"/?tag={shared_library['tag']}").content.decode()
    assert f"/documents/{shared_library['seen']}/" in narrowed
    assert "tag: Housing/Roofworks" in narrowed
    # The owner's other tag, asked for by id: nothing found, and no name shown.
    hidden = client.get(f"/?tag={shared_library['secret_tag']}").content.decode()
    assert "Psychiatry" not in hidden
    assert f"/documents/{shared_library['seen']}/" not in hidden
    by_sender = client.get(f"/?correspondent={shared_library['sender']}").content.decode()
    assert "correspondent: Acme Thatchers" in by_sender


def test_shared_documents_table_rows_show_the_owners_names(client, bob, shared_library):
    """The library's table (a saved view's columns) names the shared document's owner's
    correspondent, type and tags, and nothing of the unshared one."""
    from archive.models import SavedView

    view = SavedView.objects.create(
        owner=bob, name="Table", query="", columns=["title", "correspondent", "type", "tags"]
    )
    client.force_login(bob)
    page = client.get(f"/?view={view.pk}").content.decode()
    for name in ("Housing/Roofworks", "Acme Thatchers", "Quotation"):
        assert name in page, name
    for secret in ("Psychiatry", "Hidden Clinic", "Diagnosis"):
        assert secret not in page, secret


def test_search_page_facets_count_shared_documents(client, alice, bob, shared_library):
    """Issue 17: the search page's facet panels (tags, correspondents, types) count the
    documents shared with the user that the search finds, by their owner's names, as the
    library does; names only on documents the user may not see never appear."""
    from archive.models import Document
    from archive.search import document_vector_rebuild, page_vector_write
    from tests.archive.search.test_behaviour import index

    for document in Document.objects.filter(owner=alice):  # the fixture's rows, indexed
        for page in document.pages.all():
            page_vector_write(page, "en")
        document_vector_rebuild(document)
    # Bob's own hit, so the page has hits of both owners.
    index(bob, "Roof notes", "roof")
    client.force_login(bob)
    page = client.get("/search/", {"q": "roof"}).content.decode()
    assert f"/documents/{shared_library['seen']}/" in page
    for name in ("Roofworks", "Acme Thatchers", "Quotation"):
        assert name in page, name
    for secret in ("Psychiatry", "Hidden Clinic", "Diagnosis"):
        assert secret not in page, secret
