"""The admin as staff use it, through the admin client on real processed documents: the document
list with its filters, search by text, the re-run and mark-reviewed actions, "Needs review",
the page review screen, who may see what; and django-q2's failed-task admin."""

from __future__ import annotations

import re
from multiprocessing import Queue, Value

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.urls import reverse
from django_q.brokers import get_broker
from django_q.models import Failure, OrmQ
from django_q.monitor import monitor
from django_q.signing import SignedPackage
from django_q.tasks import async_task
from django_q.worker import worker

from archive.ingest import document_create
from archive.models import Document, PageCorrection, storage_name
from archive.processing import document_process
from archive.search import document_search
from tests.archive.conftest import document_with_pages, run_queued_tasks
from tests.archive.scans import ENGLISH_LINE, FRAKTUR_LINES, scanned

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CHANGELIST = "admin:archive_document_changelist"


@pytest.fixture
def english(alice, testdata) -> Document:
    return scanned(alice, testdata, ENGLISH_LINE, language="en", title="Grid notes")


@pytest.fixture
def fraktur(bob, testdata) -> Document:
    return scanned(bob, testdata, FRAKTUR_LINES[0], language="de", title="Ruhe")


@pytest.fixture
def failed(alice, make_upload) -> Document:
    """A document that failed for real: its stored original went missing before OCR."""
    upload = make_upload("lost.png", lines=["Lost original"])
    document = document_create(owner=alice, upload=upload, name="lost.png").document
    default_storage.delete(storage_name(document.original))
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    return document


def _listed(response) -> list[int]:
    return [document.pk for document in response.context["cl"].result_list]


def test_non_staff_get_no_admin(client, alice, english):
    client.force_login(alice)
    page = english.pages.get()
    for url in (
        reverse("admin:index"),
        reverse(CHANGELIST),
        reverse("admin:archive_document_needs_review"),
        reverse("admin:archive_page_review", args=[page.pk]),
        reverse("admin:archive_page_image", args=[page.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_without_permissions_see_no_documents(client, django_user_model, english):
    staff = django_user_model.objects.create_user("sam", password="sam-password-1", is_staff=True)
    client.force_login(staff)
    page = english.pages.get()
    assert client.get(reverse("admin:archive_document_needs_review")).status_code == 403
    assert client.get(reverse("admin:archive_page_review", args=[page.pk])).status_code == 404
    assert client.get(reverse("admin:archive_page_image", args=[page.pk])).status_code == 404
    # A viewer may look but not correct.
    staff.user_permissions.add(Permission.objects.get(codename="view_page"))
    assert client.get(reverse("admin:archive_page_review", args=[page.pk])).status_code == 200
    response = client.post(
        reverse("admin:archive_page_review", args=[page.pk]), {"text": "x", "based_on": 0}
    )
    assert response.status_code == 403
    assert not PageCorrection.objects.exists()


def test_document_list_columns_and_filters(admin_client, english, fraktur, failed, settings):
    response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert set(_listed(response)) == {english.pk, fraktur.pk, failed.pk}
    text = response.content.decode()
    for heading in ("Title", "Owner", "Status", "Page count", "Language", "Engine"):
        assert heading in text
    assert "Mean confidence" in text
    assert f"{english.pages.get().confidence:.2f}" in text

    def listed(query: str) -> set[int]:
        response = admin_client.get(reverse(CHANGELIST) + query)
        assert response.status_code == 200, query
        return set(_listed(response))

    assert listed("?status__exact=failed") == {failed.pk}
    assert listed("?language__exact=de") == {fraktur.pk}
    assert listed(f"?engine__exact={english.engine}") >= {english.pk}
    low, high = sorted([english, fraktur], key=lambda d: d.pages.get().confidence or 0)
    settings.REVIEW_CONFIDENCE_THRESHOLD = (
        (low.pages.get().confidence or 0) + (high.pages.get().confidence or 0)
    ) / 2
    assert listed("?confidence=low") == {low.pk}
    assert listed("?confidence=none") == {failed.pk}  # no pages, no confidence
    assert high.pk in listed("?confidence=fair") | listed("?confidence=high")
    assert listed("?reviewed=yes") == set()
    assert listed("?reviewed=no") == {english.pk, fraktur.pk, failed.pk}


def test_search_by_title_and_by_text(admin_client, english, fraktur):
    def found(term: str) -> set[int]:
        response = admin_client.get(reverse(CHANGELIST), {"q": term})
        assert response.status_code == 200, term
        return set(_listed(response))

    assert found("center") == {english.pk}  # only in the OCR text
    assert found("Grid no") == {english.pk}  # in the title
    assert found("bob") == {fraktur.pk}  # the owner
    assert found("nosuchwordanywhere") == set()
    for odd in ('"', "-", "OR", "a & b | !c", "x" * 600):  # never a 500
        found(odd)


def test_rerun_action_asks_engine_and_language_then_reads_again(
    admin_client, english, django_capture_on_commit_callbacks
):
    url = reverse(CHANGELIST)
    selected = {"action": "rerun_ocr", "_selected_action": [english.pk]}
    form = admin_client.post(url, selected)
    assert form.status_code == 200
    assert b"Re-run OCR now" in form.content
    assert english.title.encode() in form.content

    refused = admin_client.post(url, {**selected, "apply": "1", "engine": "no-such-engine"})
    assert refused.status_code == 200  # the form again, with the error
    assert b"Select a valid choice" in refused.content
    english.refresh_from_db()
    assert english.status == Document.Status.DONE

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            url, {**selected, "apply": "1", "engine": "tesseract", "language": "en"}
        )
    assert done.status_code == 302
    english.refresh_from_db()
    assert (english.status, english.engine) == (Document.Status.QUEUED, "tesseract")
    assert not english.pages.exists()
    run_queued_tasks()
    english.refresh_from_db()
    assert english.status == Document.Status.DONE, english.error
    assert list(english.pages.values_list("engine", flat=True)) == ["tesseract"]


def test_mark_reviewed_action_records_who_and_when(admin_client, admin_user, english, fraktur):
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "mark_reviewed", "_selected_action": [english.pk]}
    )
    assert response.status_code == 302
    english.refresh_from_db()
    fraktur.refresh_from_db()
    assert english.reviewed_by == admin_user
    assert english.reviewed_at is not None
    assert fraktur.reviewed_at is None
    listed = admin_client.get(reverse(CHANGELIST), {"reviewed": "yes"})
    assert _listed(listed) == [english.pk]
    change = admin_client.get(reverse("admin:archive_document_change", args=[english.pk]))
    assert change.status_code == 200
    assert change.context["original"].reviewed_by == admin_user
    page = english.pages.get()
    review = reverse("admin:archive_page_review", args=[page.pk])
    assert review in change.content.decode()  # each page of the inline links to its review
    pages = admin_client.get(reverse("admin:archive_page_changelist"))
    assert review in pages.content.decode()


def test_needs_review_lists_failed_documents_then_pages_worst_first(
    admin_client, testdata, alice, english, fraktur, failed, settings
):
    other = scanned(alice, testdata, FRAKTUR_LINES[1], language="de")
    documents = [english, fraktur, other]
    confidences = sorted(d.pages.get().confidence or 0 for d in documents)
    settings.REVIEW_CONFIDENCE_THRESHOLD = confidences[-1]  # all but the best page

    response = admin_client.get(reverse("admin:archive_document_needs_review"))
    assert response.status_code == 200
    assert [d.pk for d in response.context["failed"]] == [failed.pk]
    text = response.content.decode()
    assert failed.error.split("(")[0] in text
    listed = [page.confidence for page in response.context["screen"].object_list]
    assert listed == confidences[:-1]
    # Worst first on screen too: the review links appear in confidence order.
    order = [int(pk) for pk in re.findall(r"/admin/archive/page/(\d+)/review/", text)]
    worst_two = sorted(
        (d.pages.get() for d in documents if (d.pages.get().confidence or 0) < confidences[-1]),
        key=lambda p: p.confidence or 0,
    )
    assert order == [page.pk for page in worst_two]


def test_page_review_screen_boxes_low_words_and_saves_a_correction(
    client, admin_client, admin_user, alice, fraktur, settings
):
    page = fraktur.pages.get()
    word_confidences = sorted(float(w["confidence"]) for w in page.words)
    settings.REVIEW_CONFIDENCE_THRESHOLD = word_confidences[len(word_confidences) // 2]
    low = [w for w in page.words if w["confidence"] < settings.REVIEW_CONFIDENCE_THRESHOLD]
    url = reverse("admin:archive_page_review", args=[page.pk])

    screen = admin_client.get(url)
    assert screen.status_code == 200
    html = screen.content.decode()
    assert html.count('class="low-box"') == len(low) > 0
    assert f'viewBox="0 0 {page.width} {page.height}"' in html
    image_url = reverse("admin:archive_page_image", args=[page.pk])
    assert image_url in html
    assert "<textarea" in html

    # The page image: any document's page for staff in the admin, through the access check.
    image = admin_client.get(image_url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/webp"
    # Outside the admin, staff see their own documents only, like everyone.
    assert admin_client.get(reverse("page_image", args=[fraktur.pk, 1])).status_code == 404
    client.force_login(alice)  # not the owner (bob), not staff
    assert client.get(reverse("page_image", args=[fraktur.pk, 1])).status_code == 404

    original = page.text
    saved = admin_client.post(url, {"text": original + "\nquokka", "based_on": 0})
    assert saved.status_code == 302
    hits = document_search(user=fraktur.owner, query="quokka")
    assert [(hit.document.pk, hit.pages) for hit in hits] == [(fraktur.pk, [1])]
    row = PageCorrection.objects.get()
    assert (row.user, row.text_before, row.text_after) == (
        admin_user,
        original,
        original + "\nquokka",
    )

    stale = admin_client.post(url, {"text": "an edit of version 0", "based_on": 0}, follow=True)
    assert b"Someone changed this page" in stale.content
    assert PageCorrection.objects.count() == 1

    history = admin_client.get(url)
    current, first = history.context["versions"]  # newest first
    assert (current.number, current.author, current.current) == (1, "admin", True)
    assert (first.number, first.author, first.text) == (0, "OCR", original)
    assert "Restore version 0" in history.content.decode()

    assert admin_client.post(url, {"revert": "7"}).status_code == 302  # no such version
    assert PageCorrection.objects.count() == 1
    assert admin_client.post(url, {"revert": "0"}).status_code == 302
    page.refresh_from_db()
    assert page.text == original
    assert document_search(user=fraktur.owner, query="quokka") == []
    assert PageCorrection.objects.latest("id").action == PageCorrection.Action.REVERT


@pytest.mark.django_db(transaction=True)
def test_failed_task_shows_its_error_and_can_be_resubmitted(admin_client):
    # A task queued by an older version with arguments the task no longer takes: taken from
    # the queue and run by django-q2's own worker and monitor, it fails and is saved.
    task_id = async_task("archive.tasks.process_document", 1, 2, 3)
    _work_off_one_task()
    failure = Failure.objects.get(id=task_id)
    assert "process_document() takes 1 positional argument but 3 were given" in failure.result

    listing = admin_client.get(reverse("admin:django_q_failure_changelist"))
    assert listing.status_code == 200
    assert b"process_document() takes 1 positional argument" in listing.content
    detail = admin_client.get(reverse("admin:django_q_failure_change", args=[failure.pk]))
    assert b"were given" in detail.content

    queued_before = OrmQ.objects.count()
    response = admin_client.post(
        reverse("admin:django_q_failure_changelist"),
        {"action": "resubmit_task", "_selected_action": [failure.pk]},
    )
    assert response.status_code == 302
    assert not Failure.objects.filter(pk=failure.pk).exists()
    assert OrmQ.objects.count() == queued_before + 1
    resubmitted = OrmQ.objects.latest("id").task
    assert (resubmitted["func"], resubmitted["args"]) == (
        "archive.tasks.process_document",
        (1, 2, 3),
    )


def _work_off_one_task() -> None:
    """Do what a cluster does with the next queued task, in this process: the pusher takes it
    from the broker, the worker runs it, the monitor saves the result (Success or Failure)."""
    broker = get_broker()
    ((ack_id, payload),) = broker.dequeue()
    task = SignedPackage.loads(payload)
    task["ack_id"] = ack_id
    tasks: Queue[object] = Queue()
    results: Queue[object] = Queue()
    tasks.put(task)
    tasks.put("STOP")
    worker(tasks, results, Value("f", -1))
    results.put("STOP")
    monitor(results, broker)


SECRET = "s3cret-pdf-pass"


@pytest.fixture
def protected(alice) -> Document:
    """A done document of alice's whose PDF password is set (made in the database: no OCR)."""
    document = document_with_pages(alice, "Payslips", "en", ["Net pay"])
    Document.objects.filter(pk=document.pk).update(pdf_password=SECRET)
    return document


def _staff_with(django_user_model, name: str, *codenames: str):
    staff = django_user_model.objects.create_user(
        name, password=f"{name}-password-1", is_staff=True
    )
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return staff


def test_view_only_staff_never_see_a_pdf_password(client, django_user_model, protected):
    viewer = _staff_with(django_user_model, "vera", "view_document", "view_page")
    client.force_login(viewer)
    change = client.get(reverse("admin:archive_document_change", args=[protected.pk]))
    assert change.status_code == 200
    assert SECRET not in change.content.decode()
    assert "PDF password" in change.content.decode()
    assert ">set<" in change.content.decode()  # shown as "set", not the value
    listing = client.get(reverse(CHANGELIST))
    assert listing.status_code == 200
    assert SECRET not in listing.content.decode()


def test_change_staff_cannot_reassign_an_owner_or_set_a_password(
    client, django_user_model, protected, bob
):
    editor = _staff_with(django_user_model, "ed", "view_document", "change_document")
    client.force_login(editor)
    url = reverse("admin:archive_document_change", args=[protected.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    form = page.context["adminform"].form
    assert "owner" not in form.fields
    assert "pdf_password" not in form.fields
    data = {
        key: value
        for key, value in form.initial.items()
        if key in form.fields and value is not None
    }
    # No page inline: the editor may not view pages (it would need its management form).
    assert page.context["inline_admin_formsets"] == []
    data.update(owner=bob.pk, pdf_password="other", title="Renamed")
    response = client.post(url, data)
    assert response.status_code == 302, getattr(response, "context", None) and [
        f.errors for f in [response.context["adminform"].form]
    ]
    protected.refresh_from_db()
    assert protected.title == "Renamed"  # the form was saved ...
    assert protected.owner != bob  # ... but not the owner
    assert protected.pdf_password == SECRET  # unchanged


def test_deleting_in_the_admin_keeps_search_statistics_exact(admin_client, alice):
    from archive.search.terms import merge
    from tests.archive.search.corpus import merged_df, stored_df, true_df
    from tests.archive.search.test_behaviour import index

    keep = index(alice, "keep", "walrus harbour")
    gone = index(alice, "gone", "walrus iceberg")
    gone_too = index(alice, "gone too", "iceberg")
    # Counts as readers see them: merged counts plus pending deltas (archive.search.terms).
    assert stored_df(alice.pk)["walrus"] == 2
    response = admin_client.post(
        reverse("admin:archive_document_delete", args=[gone.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [gone_too.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Document.objects.filter(owner=alice)) == [keep]
    assert stored_df(alice.pk) == true_df(alice.pk)
    assert stored_df(alice.pk)["walrus"] == 1
    assert "iceberg" not in stored_df(alice.pk)
    assert merge(alice.pk)
    assert merged_df(alice.pk) == true_df(alice.pk)


def test_an_expensive_admin_text_search_is_stopped_with_a_plain_message(
    admin_client, alice, settings
):
    # Issue 15, item 6: admin text search took up to 4.2 s on 20,000 documents, unbounded.
    from tests.archive.search.test_behaviour import index

    words = " ".join(f"apple{i} apricot{i} avocado{i}" for i in range(100))
    for number in range(150):
        index(alice, f"d{number}", f"{words} page {number}")
    settings.SEARCH_TIMEOUT_MS = 1
    url = reverse("admin:archive_document_changelist")
    response = admin_client.get(url, {"q": "a* OR ap* OR av* OR apr*"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "This search takes too long to answer. Please simplify it" in text
    settings.SEARCH_MAX_TERMS = 3
    settings.SEARCH_TIMEOUT_MS = 10_000
    response = admin_client.get(url, {"q": "a b c d e"}, follow=True)
    assert "at most 3 are searched at once" in response.content.decode()
    # Without a search the list is there, and a simple search still answers.
    assert admin_client.get(url).status_code == 200
    found = admin_client.get(url, {"q": "d7"})
    assert found.status_code == 200
    assert "d7" in found.content.decode()
