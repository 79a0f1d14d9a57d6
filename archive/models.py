"""Documents and their pages.

A ``Document`` is one uploaded file (kept unchanged), a ``Page`` one page of it with its OCR
result. Both carry a stored ``tsvector`` that is written in the same transaction as the text it
indexes (see ``archive.search``), so the search index can never drift from the data.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from archive.languages import DETECT, language_label


def storage_name(file: FieldFile) -> str:
    """The storage name of a saved file field; ``ValueError`` if the field holds no file."""
    if not file.name:
        raise ValueError(f"{file.field.name} holds no file")
    return file.name


#: New documents' ids are drawn from [FIRST_RANDOM_ID, LAST_RANDOM_ID): above any id the old
#: sequence gave (so old URLs keep working and never collide) and below 2**53, so a
#: JavaScript client reads them exactly.
FIRST_RANDOM_ID = 2**32
LAST_RANDOM_ID = 2**53


def random_document_id() -> int:
    """A new document's id: random, so that ids say nothing about how many documents the
    archive holds or when one was added (issue 15, item 9: sequential global ids let any user
    count everyone's uploads). Like a UUID, but an integer: every URL, API field and index
    stays as it was. Two documents draw the same id with probability n / 2**53 for n
    documents; the unique key turns that into a failed insert, never a shared id."""
    return FIRST_RANDOM_ID + secrets.randbelow(LAST_RANDOM_ID - FIRST_RANDOM_ID)


class Document(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        NEEDS_PASSWORD = "needs_password", _("Needs password")

    id = models.BigIntegerField(primary_key=True, default=random_document_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(max_length=255)
    original = models.FileField(max_length=500, help_text="The uploaded file, stored unchanged.")
    original_name = models.CharField(max_length=255, help_text="File name as uploaded.")
    ocr_file = models.FileField(
        max_length=500,
        blank=True,
        editable=False,
        help_text="The hOCR or ALTO file uploaded with the scan, stored unchanged; its pages "
        "are kept instead of running OCR (archive.ocr_imports).",
    )
    searchable_pdf = models.FileField(
        max_length=500,
        blank=True,
        editable=False,
        help_text="The cached searchable PDF (archive.exports); emptied when the text changes.",
    )
    searchable_pdf_requested = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a build of the searchable PDF was queued; empty when none is pending.",
    )
    searchable_pdf_progress = models.PositiveIntegerField(
        default=0, editable=False, help_text="Pages of the searchable PDF done by its build."
    )
    searchable_pdf_error = models.TextField(
        blank=True, editable=False, help_text="Why the last build of the searchable PDF failed."
    )
    sha256 = models.CharField(max_length=64)
    mime_type = models.CharField(max_length=100)
    size = models.BigIntegerField(help_text="Size of the original in bytes.")
    page_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Known once the worker has opened the file."
    )
    language = models.CharField(
        max_length=8,
        default="en",
        help_text='ISO 639-1 code of the primary language; "detect" until the worker has found it.',
    )
    language_detected = models.BooleanField(
        default=False,
        help_text="The language was detected from the text (archive.langdetect), not chosen.",
    )
    language_confidence = models.FloatField(
        null=True,
        blank=True,
        help_text="The detector's confidence (0-1) in the detected language.",
    )
    languages = ArrayField(
        models.CharField(max_length=8),
        default=list,
        blank=True,
        help_text="Every language found in the text, primary first (empty until done); "
        "the document is indexed in each (archive.languages.document_search_configs).",
    )
    engine = models.CharField(max_length=32, default="auto")
    force_ocr = models.BooleanField(
        default=False,
        help_text="OCR every page, even PDF pages that already carry a text layer.",
    )
    pdf_password = models.CharField(
        max_length=255,
        blank=True,
        help_text="The password that opens a protected PDF, as given by its owner.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    run = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Counts processing runs; a page task from an older run saves nothing.",
    )
    error = models.TextField(blank=True, help_text="Why processing failed, in plain words.")
    queued_at = models.DateTimeField(null=True, blank=True)
    # --- storage retries (archive.retries): a run failed by the file storage is re-run alone.
    retry_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the system re-runs this document failed by the file storage.",
    )
    storage_retries = models.PositiveSmallIntegerField(
        default=0, help_text="Automatic re-runs after storage failures since it was last done."
    )
    # --- end storage retries
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ocr_seconds = models.FloatField(
        null=True, blank=True, help_text="Sum of the engine's time over all pages."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)
    search_length = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Positions in the search vector (BM25's document length; archive.search).",
    )
    # Metadata (archive.organize): the date on the letter, not the upload date; set by the user
    # or by the suggestion step (archive.organize.models.Suggestion says which).
    document_date = models.DateField(null=True, blank=True)
    correspondent = models.ForeignKey(
        "archive.Correspondent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    document_type = models.ForeignKey(
        "archive.DocumentType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
    )
    tags = models.ManyToManyField(
        "archive.Tag", through="archive.DocumentTag", related_name="documents", blank=True
    )
    # Set by a staff reviewer (admin "Mark reviewed"); cleared when a re-run reads the pages again.
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "sha256"], name="document_unique_per_owner"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="document_search_gin"),
            models.Index(fields=["owner", "-created"], name="document_owner_created"),
            models.Index(fields=["status"], name="document_status"),
            # Which text search configurations a user's query must cover: a skip scan over
            # this index reads one entry per language (archive.search), not every document.
            models.Index(fields=["owner", "language"], name="document_owner_language"),
            # Library facets and filters (archive.organize): a user's documents by date,
            # correspondent and type are index ranges.
            models.Index(fields=["owner", "document_date"], name="document_owner_date"),
            models.Index(fields=["owner", "correspondent"], name="document_owner_correspondent"),
            models.Index(fields=["owner", "document_type"], name="document_owner_type"),
            # Facet counts (archive.organize.facets): the unfiltered library's sample (every
            # n-th id) and the columns counted come from this index alone, without reading
            # the owner's 100,000 table rows.
            models.Index(
                fields=["owner", "id"],
                include=["correspondent", "document_type", "document_date", "language", "status"],
                name="document_owner_id_facets",
            ),
            # The few documents in several languages (``languages``), so the configurations a
            # user's query must cover can add their other languages without a scan.
            models.Index(
                fields=["owner"],
                condition=models.Q(languages__len__gt=1),
                name="document_owner_mixed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("document", args=[self.pk])

    @property
    def language_display(self) -> str:
        """The language as people read it: "French", "French (detected, 0.97)", or the
        languages of a mixed document "English (detected, 0.91) + German"."""
        if self.language == DETECT:
            return gettext("detecting…") if not self.is_finished else gettext("not detected")
        text = language_label(self.language)
        if self.language_detected:
            confidence = self.language_confidence
            text += (
                gettext(" (detected, %(confidence).2f)") % {"confidence": confidence}
                if confidence is not None
                else gettext(" (the default: the text did not tell)")
            )
        others = [language_label(code) for code in self.languages if code != self.language]
        return " + ".join([text, *others])

    @property
    def is_finished(self) -> bool:
        """True when no worker will change this document any more (done or failed)."""
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.NEEDS_PASSWORD)

    def progress(self) -> tuple[int, int | None]:
        """(pages saved so far, total pages or None while unknown)."""
        done: Any = getattr(self, "pages_done", None)
        if done is None:
            done = self.pages.count()
        return int(done), self.page_count

    def progress_text(self) -> str:
        """What the status badge says while processing: "reading page 2 of 5" (the page after
        the saved ones), "finishing" once every page is saved, "" while the count is unknown."""
        done, total = self.progress()
        if not total:
            return ""
        if done >= total:
            return gettext("finishing")
        return gettext("reading page %(number)d of %(total)d") % {
            "number": done + 1,
            "total": total,
        }


class Page(models.Model):
    class Source(models.TextChoices):
        OCR = "ocr", "OCR"
        TEXT_LAYER = "text", _("PDF text layer")
        MIXED = "mixed", _("PDF text layer and OCR of its images")
        IMPORTED = "imported", _("Imported hOCR/ALTO file")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField(help_text="1-based position in the document.")
    image = models.FileField(
        max_length=500, blank=True, help_text="The prepared page image the word boxes refer to."
    )
    thumbnail = models.FileField(max_length=500, blank=True, help_text="A small WebP preview.")
    source = models.CharField(
        max_length=8,
        choices=Source.choices,
        default=Source.OCR,
        help_text="Where the text came from.",
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    words = models.JSONField(
        default=list,
        blank=True,
        help_text='Recognised words: [{"text": str, "box": [x0, y0, x1, y1], "confidence": float}]',
    )
    confidence = models.FloatField(null=True, blank=True, help_text="Mean word confidence 0-1.")
    engine = models.CharField(max_length=32, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="Engine time for this page.")
    created = models.DateTimeField(auto_now_add=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="page_unique_number"),
        ]
        # No GIN index on the page vector: searches match documents (document_search_gin); a
        # page's vector is only tested for the few documents on screen, found by document_id.

    def __str__(self) -> str:
        return f"{self.document} p. {self.number}"


class PageAttempt(models.Model):
    """How many times a worker has started on one page of a document.

    A page whose worker dies (killed, out of memory, past the hard time limit) is handed out
    again by the queue; this count stops a page that kills every worker from doing so forever.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)
    last_started = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="page_attempt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} p. {self.number}: {self.count}"


class PageJob(models.Model):
    """One step of a document's OCR waiting for a worker, or held by one: the fair OCR queue.

    A row is either a document's (``document``) or a page of an OCR service job (``ocr_job``,
    ``run`` 0, ``number`` the page), never both; both kinds share the order and the shares.

    Number 0 opens the document (counts its pages and queues them, ``run`` is then still to be
    started); number n reads page n of run ``run``. Workers take the row that comes first by
    (``priority``, ``tag``, id): ``tag`` is the job's place in its owner's fair share
    (``archive.processing.jobs``), so one user's long upload cannot hold back another's scan.

    A worker holds a job by a lease (``lease_token`` until ``lease_until``) that its heartbeat
    renews; a lease that is not renewed (worker killed, host gone, database unreachable) runs
    out, and the job goes to another worker. A page is saved only under a lease that is still
    held, in the same transaction that deletes its job (``archive.processing.leases``).
    """

    class Priority(models.IntegerChoices):
        INTERACTIVE = 0, "Upload"
        BULK = 1, "Bulk import or re-run"

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="jobs", null=True, blank=True
    )
    #: Set instead of ``document`` for a page of an OCR service job (``archive.ocr_service``):
    #: it takes its turn in its owner's fair share like a document's page.
    ocr_job = models.ForeignKey(
        "archive.OcrJob", on_delete=models.CASCADE, related_name="queue", null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    run = models.PositiveIntegerField(default=0)
    number = models.PositiveIntegerField(help_text="0: open the document; n: read page n.")
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.INTERACTIVE
    )
    tag = models.BigIntegerField(default=0, help_text="Place in the owner's fair share.")
    pages = models.PositiveIntegerField(
        default=1, help_text="Pages this job stands for (its file's pages for number 0)."
    )
    lease_token = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=100, blank=True, help_text="host:pid of the worker.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="page_job_unique"),
            models.UniqueConstraint(fields=["ocr_job", "number"], name="page_job_ocr_unique"),
            models.CheckConstraint(
                condition=models.Q(document__isnull=False, ocr_job__isnull=True)
                | models.Q(document__isnull=True, ocr_job__isnull=False),
                name="page_job_document_or_ocr_job",
            ),
        ]
        indexes = [
            models.Index(fields=["priority", "tag", "id"], name="page_job_order"),
            # A user's last tag and queued pages (archive.processing.jobs).
            models.Index(fields=["owner", "priority", "tag"], name="page_job_owner"),
            models.Index(
                fields=["lease_until"],
                name="page_job_leased",
                condition=models.Q(lease_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        if self.ocr_job_id is not None:
            return f"OCR job {self.ocr_job_id} page {self.number}"
        return f"{self.document_id} job {self.number} (run {self.run})"


class LoginThrottle(models.Model):
    """The failed logins counted under one key (an account and address, an address, an
    account), and when the next attempt under it may be checked. See ``archive.throttle``."""

    key = models.CharField(max_length=250, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.failures} failures, next at {self.next_attempt_at:%H:%M:%S}"


class LoginSource(models.Model):
    """An address an account logged in from with its password: a later login from there is
    not held back by failures other addresses caused. See ``archive.throttle``."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=45)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="login_source_unique")
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M:%S}"


class ReplicaPin(models.Model):
    """The primary's WAL position after the last write of a user's API clients (tokens: no
    session to keep it in), so that their search and listings read from the primary until a
    read replica has replayed it. See ``archive.replica.requests``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    #: ``pg_current_wal_lsn()`` as text (``0/1A2B3C4``).
    lsn = models.CharField(max_length=32)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"user {self.user_id} pinned until {self.lsn}"


class PageCorrection(models.Model):
    """One change of a page's text by a staff reviewer: an edit, or a revert to an earlier version.

    The rows of a page, oldest first, are its history: the first row's ``text_before`` is the text
    OCR produced (kept for good), each row's ``text_after`` is a later version. A revert is a row
    like any other (``reverted_to`` names the version restored; none means the OCR text), so
    nothing is ever overwritten. The rows go with the page: a re-run that reads the page again
    replaces the page, and its history with it.
    """

    class Action(models.TextChoices):
        EDIT = "edit", _("Correction")
        REVERT = "revert", _("Revert")

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="corrections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.EDIT)
    text_before = models.TextField(blank=True)
    text_after = models.TextField(blank=True)
    reverted_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version a revert restored; empty for a revert to the OCR text.",
    )

    class Meta:
        ordering = ["page", "created", "id"]
        indexes = [models.Index(fields=["page", "created"], name="page_correction_page")]

    def __str__(self) -> str:
        return f"{self.page}: {self.get_action_display()} {self.created:%Y-%m-%d %H:%M}"


class SearchTerm(models.Model):
    """One lexeme of a user's search index (a word as written, folded, or a stem of one) and
    how many of the user's documents hold it.

    Written by the index writers (``archive.search.index``) in the same transaction as the
    documents' vectors, so it never drifts from them. Read for ranking (a term's document
    frequency), for typo tolerance and for autocomplete. ``term`` sorts bytewise ("C"
    collation) so a prefix is an index range.

    The row with the empty term (no lexeme is empty) counts the owner's indexed documents: N
    of BM25's idf, read with the terms' counts in one index probe.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    term = models.TextField(db_collation="C")
    # Not Positive: the writers add signed per-batch changes in one upsert, and PostgreSQL checks
    # a CHECK constraint on the proposed row before resolving the conflict.
    documents = models.IntegerField(
        default=0, help_text="How many of the owner's documents hold the term."
    )
    surface = models.BooleanField(
        default=False,
        help_text="The term occurs as a word as written (its exact reading), not only as a stem.",
    )
    floor = models.FloatField(
        null=True,
        blank=True,
        help_text="The term has an impact list holding every document with impact >= floor "
        "(archive.search.terms); None: no list, the term is rare.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "term"], name="search_term_unique"),
        ]
        indexes = [
            # Close spellings: the term and its one-character deletions (SQL function
            # ``search_term_deletes``, migration 0009) share a key with a close word's.
            GinIndex(
                models.Func(models.F("term"), function="search_term_deletes"),
                name="search_term_deletes_gin",
                condition=models.Q(surface=True),
            ),
            # Autocomplete: a user's surface words by prefix, read from the index alone.
            models.Index(
                fields=["owner", "term"],
                name="search_term_surface",
                include=["documents"],
                condition=models.Q(surface=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.documents})"


class SearchTermDelta(models.Model):
    """A pending change of a term's document count (``SearchTerm.documents``), appended by the
    index writers in the same transaction as the vectors instead of updating the shared term
    row (which would hold its lock until commit and queue every other writer of a common
    word). ``archive.search.terms.merge`` folds them in; readers add them up meanwhile
    (``terms.documents_sql``), so counts are exact at any time."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    term = models.TextField(db_collation="C")
    change = models.IntegerField()

    class Meta:
        db_table = "archive_search_term_delta"
        indexes = [models.Index(fields=["owner", "term"], name="search_term_delta_term")]

    def __str__(self) -> str:
        return f"{self.term} {self.change:+d}"


class SearchImpact(models.Model):
    """One entry of a term's impact list: a document holding the term, with its BM25 impact.

    Written and read in SQL by ``archive.search.terms`` and ``archive.search.ranking``. The
    primary key (owner, term, impact, document) is also the list's order: read backwards it
    gives a term's documents best first, so a common word's top 20 is one index range scan.
    Entries go with their document (cascade), which keeps a list complete above its floor.
    """

    pk = models.CompositePrimaryKey("owner", "term", "impact", "document")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    term = models.TextField(db_collation="C")
    impact = models.FloatField()
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "archive_search_impact"

    def __str__(self) -> str:
        return f"{self.term}: {self.document_id} ({self.impact:.3f})"


class SearchPosting(models.Model):
    """One (document, lexeme) of a document's vector with its BM25 impact: the compact rank
    input of ``archive.search.bm25``.

    Scoring a document for a query reads its rows for the query's lexemes (an index probe of
    the primary key (document, term) and a few rows of ~60 bytes) instead of its whole
    tsvector from TOAST. Written by ``archive.search.terms.vectors_write`` in the same
    transaction as the vector, so it holds exactly the vector's lexemes with the impacts
    ``bm25.impact_sql`` gives them; it goes with its document (cascade).
    """

    pk = models.CompositePrimaryKey("document", "term")
    # The primary key's index leads with the document: no index of its own.
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    term = models.TextField(db_collation="C")
    impact = models.FloatField()

    class Meta:
        db_table = "archive_search_posting"

    def __str__(self) -> str:
        return f"{self.document_id} {self.term} ({self.impact:.3f})"


class SearchPair(models.Model):
    """Two common words adjacent in a document (``archive.search.pairs``): "und un" for a page
    reading "… und un …", or ``""`` when some page is too long for its vector to say where its
    common words are (then the document is a candidate for every pair).

    A phrase of common words reads its candidates here (an index range of (owner, pair))
    instead of intersecting two long lists of the GIN index. Written by
    ``archive.search.terms.vectors_write`` in the same transaction as the vector; it goes with
    its document (cascade).
    """

    pk = models.CompositePrimaryKey("owner", "pair", "document")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    pair = models.TextField(db_collation="C")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "archive_search_pair"

    def __str__(self) -> str:
        return f"{self.owner_id} {self.pair!r} {self.document_id}"


# The OCR service's jobs live in their own module; imported here so Django registers them.
from archive.ocr_jobs import OcrJob, OcrJobPage  # noqa: E402

# The organizing metadata (tags, correspondents, types, custom fields, notes, saved views,
# suggestions) lives in its own package; importing it here registers its models with the app.
from archive.organize.bulk_models import BulkEdit  # noqa: E402
from archive.organize.models import (  # noqa: E402
    Correspondent,
    CustomField,
    CustomFieldValue,
    DocumentTag,
    DocumentType,
    MatchAlgorithm,
    Note,
    SavedView,
    StartPage,
    Suggestion,
    Tag,
    UserClassifier,
)

# Sharing (permissions, default permissions, share links, history): its own package too.
from archive.sharing.models import (  # noqa: E402
    DefaultPermission,
    DocumentEvent,
    DocumentPermission,
    ShareLink,
    ShareLinkRate,
)

# Each user's UI language (archive.ui_language).
from archive.ui_language import UserLanguage  # noqa: E402

__all__ = [
    "BulkEdit",
    "Correspondent",
    "CustomField",
    "CustomFieldValue",
    "DefaultPermission",
    "Document",
    "DocumentEvent",
    "DocumentPermission",
    "DocumentTag",
    "DocumentType",
    "LoginSource",
    "LoginThrottle",
    "MatchAlgorithm",
    "Note",
    "OcrJob",
    "OcrJobPage",
    "Page",
    "PageAttempt",
    "PageCorrection",
    "PageJob",
    "SavedView",
    "SearchImpact",
    "SearchTerm",
    "SearchTermDelta",
    "ShareLink",
    "ShareLinkRate",
    "StartPage",
    "Suggestion",
    "Tag",
    "UserClassifier",
    "UserLanguage",
    "storage_name",
]
