"""archive.ocr_imports: a scan uploaded with its ALTO or hOCR file keeps that text.

Real scans from the shared test data, read (where OCR runs at all) by the real engine; the
OCR files are exported by the archive's own writers or written here by hand.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from archive.backup import export_archive, import_archive
from archive.bulk import find_files, import_files
from archive.consume import ConsumeFolder, consume_once
from archive.documents import document_delete, document_rerun, document_set_password
from archive.ingest import UploadRejected, document_create
from archive.models import Document, Page
from archive.ocr_imports import ocr_pairs
from archive.outcomes import Outcome
from archive.processing import document_process
from archive.uploads import upload_take
from ocr.interchange import read_ocr_file
from tests.archive.conftest import encode, render_page, run_queued_tasks
from tests.archive.scans import scanned

pytestmark = pytest.mark.django_db

PAGE = "tesseract_test/phototest.tif"


def _hocr(size: tuple[int, int], words: list[tuple[str, tuple[int, int, int, int], int]]) -> bytes:
    """A hand-written hOCR file of one page of ``size`` with ``words`` on one line."""
    spans = "".join(
        f"<span class='ocrx_word' title='bbox {x0} {y0} {x1} {y1}; x_wconf {conf}'>{text}</span> "
        for text, (x0, y0, x1, y1), conf in words
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<html xmlns='http://www.w3.org/1999/xhtml'><head><title></title>"
        "<meta name='ocr-system' content='hand'/></head><body>"
        f"<div class='ocr_page' title='bbox 0 0 {size[0]} {size[1]}'>"
        f"<span class='ocr_line' title='bbox 0 0 {size[0]} {size[1]}'>{spans}</span>"
        "</div></body></html>"
    ).encode()


#: Two corrected words of phototest.tif, written for the page at half its size (320 x 240).
HALF_WORDS = [("Thé", (18, 28, 46, 40), 96), ("quïck", (50, 28, 90, 40), 71)]


def _read(document: Document) -> Document:
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    return document


def _words(page: Page) -> list[tuple[str, tuple[int, ...]]]:
    return [(w["text"], tuple(w["box"])) for w in page.words]


def _stored_files() -> list[str]:
    root = Path(default_storage.location)  # type: ignore[attr-defined]
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def carol(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("carol", password="pw-carol-123")


@pytest.mark.slow
def test_exported_alto_and_hocr_round_trip_without_ocr(
    client: Client, alice: User, bob: User, carol: User, testdata: Path
) -> None:
    """Alice's OCR'd page, exported as ALTO and hOCR, imported with the same scan by Bob (API)
    and Carol (web form): same text, words and boxes, and no engine ran."""
    original = scanned(alice, testdata, PAGE, language="en")
    read_page = original.pages.get()
    client.force_login(alice)
    alto = client.get(f"/documents/{original.pk}/ocr/alto/").content
    hocr = client.get(f"/documents/{original.pk}/ocr/hocr/").content
    scan = (testdata / PAGE).read_bytes()

    client.force_login(bob)
    response = client.post(
        "/api/documents/",
        {
            "files": SimpleUploadedFile("phototest.tif", scan),
            "ocr_file": SimpleUploadedFile("corrected.alto.xml", alto),
            "language": "en",
        },
    )
    assert response.status_code == 201, response.content
    (answer,) = response.json()["files"]
    imported = _read(Document.objects.get(pk=answer["document"]["id"]))
    assert imported.status == Document.Status.DONE, imported.error
    page = imported.pages.get()
    assert _words(page) == _words(read_page)
    assert page.text == read_page.text
    assert (page.width, page.height) == (read_page.width, read_page.height)
    assert page.engine == "imported ALTO"
    assert page.source == Page.Source.IMPORTED
    assert page.seconds == 0.0

    # The web form, one file picker: the hOCR file is picked with its scan and pairs by name.
    client.force_login(carol)
    scan_file = SimpleUploadedFile("phototest.tif", scan)
    hocr_file = SimpleUploadedFile("phototest.hocr", hocr)
    response = client.post("/upload/", {"scans": [scan_file, hocr_file], "language": "en"})
    assert response.status_code == 302
    (imported,) = Document.objects.filter(owner=carol)
    page = _read(imported).pages.get()
    assert page.engine == "imported hOCR"
    assert _words(page) == _words(read_page)


def test_hand_written_hocr_is_fitted_to_the_page_and_missing_pages_are_ocrd(
    alice: User, testdata: Path
) -> None:
    """A corrected hOCR of the page at half size: its words, scaled to the page image, and
    its confidences; the scan's second page, which the file lacks, is read by OCR."""
    photo = Image.open(testdata / PAGE)
    second = render_page(["Second page"], size=photo.size)
    scan = encode([photo.convert("RGB"), second], "TIFF")
    document = document_create(
        owner=alice,
        upload=io.BytesIO(scan),
        name="two.tif",
        language="en",
        ocr_file=io.BytesIO(_hocr((320, 240), HALF_WORDS)),
    ).document
    document = _read(document)
    assert document.status == Document.Status.DONE, document.error
    first, other = document.pages.order_by("number")
    assert first.text == "Thé quïck"
    assert _words(first) == [("Thé", (36, 56, 92, 80)), ("quïck", (100, 56, 180, 80))]
    assert [w["confidence"] for w in first.words] == [0.96, 0.71]
    assert first.engine == "imported hOCR"
    assert other.source == Page.Source.OCR
    assert other.engine != "imported hOCR"
    assert "Second" in other.text


NOT_OCR = b"The quick brown fox, as plain text.\n"
ENTITIES = b"""<?xml version="1.0"?>
<!DOCTYPE alto [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="640" HEIGHT="480">
<PrintSpace><TextBlock><TextLine><String CONTENT="&secret;" HPOS="1" VPOS="1" WIDTH="9"
HEIGHT="9"/></TextLine></TextBlock></PrintSpace></Page></Layout></alto>"""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (NOT_OCR, "neither ALTO XML nor hOCR"),
        (ENTITIES, "external entity"),
        (b"", "neither ALTO XML nor hOCR"),
        (
            _hocr((640, 480), HALF_WORDS).replace(
                b"</body>", b"<div class='ocr_page' title='bbox 0 0 640 480'></div></body>"
            ),
            "The OCR file has 2 pages, but the scan has 1",
        ),
    ],
    ids=["plain-text", "xml-entities", "empty", "more-pages-than-the-scan"],
)
def test_a_bad_ocr_file_is_refused_and_nothing_is_stored(
    client: Client, alice: User, testdata: Path, data: bytes, expected: str
) -> None:
    with pytest.raises(UploadRejected, match=expected):
        document_create(
            owner=alice,
            upload=(testdata / PAGE).open("rb"),
            name="phototest.tif",
            ocr_file=io.BytesIO(data),
        )
    assert not Document.objects.exists()
    assert _stored_files() == []
    # Through the API: 400 with the same message, by the scan's name.
    client.force_login(alice)
    response = client.post(
        "/api/documents/",
        {
            "files": SimpleUploadedFile("phototest.tif", (testdata / PAGE).read_bytes()),
            "ocr_file": SimpleUploadedFile("phototest.xml", data),
        },
    )
    assert response.status_code == 400
    (answer,) = response.json()["files"]
    assert answer["outcome"] == "rejected"
    assert expected in answer["message"]
    assert not Document.objects.exists()
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("name", "size"),
    [(PAGE, (1000, 100)), ("pdfs/paperless/multi-page-images.pdf", (100, 1000))],
    ids=["tiff", "pdf"],
)
def test_an_ocr_file_of_another_shape_is_refused_at_upload(
    alice: User, testdata: Path, name: str, size: tuple[int, int]
) -> None:
    with pytest.raises(UploadRejected, match=rf"Page 1 of the OCR file is {size[0]} x {size[1]}"):
        document_create(
            owner=alice,
            upload=(testdata / name).open("rb"),
            name=Path(name).name,
            ocr_file=io.BytesIO(_hocr(size, HALF_WORDS)),
        )
    assert not Document.objects.exists()
    assert _stored_files() == []


def test_the_shape_of_a_protected_pdfs_pages_is_checked_once_it_opens(
    alice: User, testdata: Path
) -> None:
    """A PDF waiting for its password cannot be measured at upload: the worker finds the OCR
    file's page of another shape and fails the document saying so."""
    document = document_create(
        owner=alice,
        upload=(testdata / "pdfs/paperless/password-is-test.pdf").open("rb"),
        name="locked.pdf",
        ocr_file=io.BytesIO(_hocr((1000, 100), HALF_WORDS)),
    ).document
    assert document.status == Document.Status.NEEDS_PASSWORD
    document_set_password(document, "test")
    document = _read(document)
    assert document.status == Document.Status.FAILED
    assert "1000 x 100" in document.error
    assert "not the shape of the scan's page" in document.error


def test_an_ocr_file_that_goes_with_no_scan_is_refused_by_name(
    client: Client, alice: User, make_upload: Any
) -> None:
    client.force_login(alice)
    response = client.post(
        "/api/documents/",
        {
            "files": [make_upload("a.png"), make_upload("b.png", lines=["Other"])],
            "ocr_file": SimpleUploadedFile("notes.hocr", _hocr((1200, 800), HALF_WORDS)),
        },
    )
    assert response.status_code == 201
    names = {f["name"]: f for f in response.json()["files"]}
    assert names["notes.hocr"]["outcome"] == "rejected"
    assert "goes with no scan" in names["notes.hocr"]["message"]
    assert not Document.objects.exclude(ocr_file="").exists()


def test_pairs_by_base_name() -> None:
    assert ocr_pairs(["scan.tif", "scan.xml", "b.png", "B.HOCR", "c.pdf"]) == {
        "scan.tif": "scan.xml",
        "b.png": "B.HOCR",
    }
    assert ocr_pairs(["p.alto.xml", "p.jpg"]) == {"p.jpg": "p.alto.xml"}
    # Ambiguous: left unpaired rather than guessed.
    assert ocr_pairs(["s.tif", "s.pdf", "s.xml"]) == {}
    assert ocr_pairs(["s.tif", "s.xml", "s.hocr"]) == {}


def test_bulk_import_and_the_consume_folder_pair_a_scan_with_its_ocr_file(
    alice: User, bob: User, testdata: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "phototest.tif").write_bytes((testdata / PAGE).read_bytes())
    (folder / "sub" / "phototest.hocr").write_bytes(_hocr((320, 240), HALF_WORDS))
    found = find_files([folder])
    assert found.files == [folder / "sub" / "phototest.tif"]
    assert found.ocr_files == {folder / "sub" / "phototest.tif": folder / "sub" / "phototest.hocr"}
    (outcome,) = import_files(found, owner=alice, language="en")
    document = _read(Document.objects.get(pk=int(outcome.document_id or 0)))
    assert document.ocr_file
    assert document.pages.get().text == "Thé quïck"

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "phototest.tif").write_bytes((testdata / PAGE).read_bytes())
    (inbox / "phototest.xml").write_bytes(_hocr((640, 480), HALF_WORDS))
    consume = ConsumeFolder(inbox, owner=bob, language="en")
    (consumed,) = consume_once(consume, settle=0.05)
    assert consumed.result.document_id is not None
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["phototest.tif", "phototest.xml"]
    document = _read(Document.objects.get(pk=int(consumed.result.document_id or 0)))
    assert _words(document.pages.get()) == [("Thé", HALF_WORDS[0][1]), ("quïck", HALF_WORDS[1][1])]


def test_another_user_cannot_reach_an_imported_document_or_its_ocr_file(
    client: Client, alice: User, bob: User, testdata: Path
) -> None:
    document = document_create(
        owner=alice,
        upload=(testdata / PAGE).open("rb"),
        name="phototest.tif",
        language="en",
        ocr_file=io.BytesIO(_hocr((320, 240), HALF_WORDS)),
    ).document
    document = _read(document)
    client.force_login(bob)
    for url in [
        f"/documents/{document.pk}/",
        f"/documents/{document.pk}/ocr/alto/",
        f"/documents/{document.pk}/ocr/hocr/",
        f"/documents/{document.pk}/pages/1/ocr/alto/",
        f"/api/documents/{document.pk}/",
    ]:
        assert client.get(url).status_code == 404, url
    # The owner's API shows no storage name of the OCR file (nor of the original).
    client.force_login(alice)
    detail = client.get(f"/api/documents/{document.pk}/").content.decode()
    assert str(document.ocr_file.name) not in detail
    (read,) = read_ocr_file(client.get(f"/documents/{document.pk}/ocr/alto/").content)
    assert [w.text for w in read.words] == ["Thé", "quïck"]


def test_a_rerun_with_force_ocr_reads_with_the_engine_and_delete_removes_the_file(
    alice: User, testdata: Path, django_capture_on_commit_callbacks: Any
) -> None:
    document = document_create(
        owner=alice,
        upload=(testdata / PAGE).open("rb"),
        name="phototest.tif",
        language="en",
        ocr_file=io.BytesIO(_hocr((320, 240), HALF_WORDS)),
    ).document
    assert _read(document).pages.get().engine == "imported hOCR"
    document_rerun(document, force_ocr=True)
    page = _read(document).pages.get()
    assert page.source == Page.Source.OCR
    assert "quick" in page.text.lower()
    stored = str(document.ocr_file.name)
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document)
    assert _stored_files() == []


def test_a_backup_keeps_the_ocr_file(
    alice: User, testdata: Path, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    data = _hocr((320, 240), HALF_WORDS)
    document = document_create(
        owner=alice,
        upload=(testdata / PAGE).open("rb"),
        name="phototest.tif",
        language="en",
        ocr_file=io.BytesIO(data),
    ).document
    export_archive(tmp_path / "backup")
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document)
    assert _stored_files() == []
    with django_capture_on_commit_callbacks(execute=True):
        import_archive(tmp_path / "backup")
    restored = Document.objects.get()
    with default_storage.open(str(restored.ocr_file.name), "rb") as stored:
        assert stored.read() == data
    assert _read(restored).pages.get().text == "Thé quïck"


def _alto(size: tuple[int, int], words: list[str], lang: str) -> bytes:
    """A hand-written ALTO file of one page of ``size``, its block declaring ``lang``."""
    strings = "<SP/>".join(
        f'<String CONTENT="{word}" HPOS="{40 + 90 * n}" VPOS="40" WIDTH="80" HEIGHT="24"/>'
        for n, word in enumerate(words)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#">'
        "<Description><MeasurementUnit>pixel</MeasurementUnit></Description>"
        f'<Layout><Page ID="p1" PHYSICAL_IMG_NR="1" WIDTH="{size[0]}" HEIGHT="{size[1]}">'
        f'<PrintSpace><TextBlock ID="b1" LANG="{lang}"><TextLine ID="l1">{strings}</TextLine>'
        "</TextBlock></PrintSpace></Page></Layout></alto>"
    ).encode()


def test_a_duplicate_scan_sent_with_a_new_ocr_file_takes_the_new_files_text(
    alice: User, testdata: Path, django_capture_on_commit_callbacks: Any
) -> None:
    scan = (testdata / PAGE).read_bytes()
    first = _hocr((640, 480), [("Alpha", (40, 40, 120, 64), 90)])
    document = document_create(
        owner=alice,
        upload=SimpleUploadedFile("phototest.tif", scan),
        name="phototest.tif",
        language="en",
        ocr_file=io.BytesIO(first),
    ).document
    assert _read(document).pages.get().text == "Alpha"
    old_file = str(document.ocr_file)

    second = _hocr((640, 480), [("Bravo", (40, 40, 120, 64), 90)])
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes on commit
        again = upload_take(
            owner=alice,
            upload=SimpleUploadedFile("phototest.tif", scan),
            name="phototest.tif",
            ocr_file=io.BytesIO(second),
        )
    assert again.outcome is Outcome.DUPLICATE
    assert again.document == document
    assert again.message == (
        "you already have this file as “phototest”: its text is replaced by the new OCR "
        "file's, read again now."
    )
    document.refresh_from_db()
    with default_storage.open(str(document.ocr_file)) as stored:
        assert stored.read() == second
    assert str(document.ocr_file) != old_file
    assert not default_storage.exists(old_file)
    page = _read(document).pages.get()
    assert (page.text, page.engine) == ("Bravo", "imported hOCR")
    assert document.status == Document.Status.DONE, document.error

    # The same OCR file once more: a plain duplicate, nothing read again.
    same = upload_take(
        owner=alice,
        upload=SimpleUploadedFile("phototest.tif", scan),
        name="phototest.tif",
        ocr_file=io.BytesIO(second),
    )
    assert same.message == "you already have this file as “phototest”."
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    # A new OCR file that does not fit the scan is refused, and the document keeps its text.
    wrong = upload_take(
        owner=alice,
        upload=SimpleUploadedFile("phototest.tif", scan),
        name="phototest.tif",
        ocr_file=io.BytesIO(_hocr((1000, 100), [("Charlie", (4, 4, 90, 40), 90)])),
    )
    assert wrong.outcome is Outcome.REJECTED
    assert "not the shape of the scan's page" in wrong.message
    assert document.pages.get().text == "Bravo"


@pytest.mark.parametrize(("declared", "language"), [("fr", "fr"), ("fra", "fr"), ("de-AT", "de")])
def test_an_alto_files_language_is_the_documents_when_the_upload_says_detect(
    alice: User, testdata: Path, declared: str, language: str
) -> None:
    scan = SimpleUploadedFile("phototest.tif", (testdata / PAGE).read_bytes())
    alto = _alto((640, 480), ["Bonjour", "madame"], declared)
    document = document_create(
        owner=alice, upload=scan, name="phototest.tif", ocr_file=io.BytesIO(alto)
    ).document
    assert document.language == language
    assert _read(document).pages.get().text == "Bonjour madame"


def test_a_language_chosen_at_upload_wins_over_the_ocr_files(alice: User, testdata: Path) -> None:
    scan = SimpleUploadedFile("phototest.tif", (testdata / PAGE).read_bytes())
    alto = _alto((640, 480), ["Bonjour"], "fr")
    document = document_create(
        owner=alice, upload=scan, name="phototest.tif", language="en", ocr_file=io.BytesIO(alto)
    ).document
    assert document.language == "en"
