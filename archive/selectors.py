"""Reads of documents and pages, always scoped to the user asking.

Every view goes through these functions, so "another user's document" is decided in one place
(``archive.sharing.access``): a document neither theirs nor shared with them does not exist for
them (``Http404``), whatever id they guess. A shared document they may see but not change
answers ``PermissionDenied`` (403) to a change (``document_get(..., need=Access.EDIT)``).

The staff reads at the end serve the admin's review screens only: there staff see every
owner's documents, and only if they hold the admin's view permission; everywhere else staff are
users like any other and see their own documents only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, BooleanField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404

from archive.languages import LANGUAGES, search_config
from archive.models import Document, Page, PageCorrection
from archive.search.limits import check_clauses
from archive.search.planning import build_query
from archive.search.similar import Similar
from archive.sharing.access import Access, access_of, visible_documents

User = AbstractBaseUser | AnonymousUser

# Column limits (bigint ids, integer page numbers): a larger number in a URL cannot name a row,
# and PostgreSQL would refuse to compare with it (an error, not "no row").
_MAX_ID = 2**63 - 1
_MAX_NUMBER = 2**31 - 1


def document_list(*, user: User) -> QuerySet[Document]:
    """The documents the user may view (their own and those shared with them), newest first,
    annotated with ``pages_done`` (progress) and ``cover_page`` (the id of page 1 once saved,
    for its thumbnail URL); each carries its ``owner`` (to say who shared it)."""
    cover = Page.objects.filter(document=OuterRef("pk"), number=1).values("pk")[:1]
    return (
        visible_documents(user)
        .select_related("owner")
        .annotate(pages_done=Count("pages"), cover_page=Subquery(cover))
        .order_by("-created", "-id")
    )


def document_get(*, user: User, pk: int, need: Access = Access.VIEW) -> Document:
    """Document ``pk`` if the user has ``need`` access to it (VIEW: may see it; EDIT: may
    rename or re-run it; OWNER: may delete or share it). ``Http404`` if it does not exist or
    the user may not see it; ``PermissionDenied`` if they may see it but not do what ``need``
    says. The document carries the user's ``access`` (an ``Access``)."""
    if not 0 < pk <= _MAX_ID:
        raise Http404("No such document.")
    document = document_list(user=user).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    access = access_of(user, document)
    if access < need:
        raise PermissionDenied("Only its owner (or someone it is shared with to edit) may.")
    document.access = access  # type: ignore[attr-defined]
    return document


def page_get(*, user: User, document_pk: int, number: int) -> Page:
    """Page ``number`` of a document the user may view; ``Http404`` otherwise."""
    if not (0 < document_pk <= _MAX_ID and 0 < number <= _MAX_NUMBER):
        raise Http404("No such page.")
    page = (
        Page.objects.filter(
            document_id=document_pk,
            number=number,
            document__in=visible_documents(user).values("pk"),
        )
        .select_related("document")
        .first()
    )
    if page is None or not user.is_authenticated:
        raise Http404("No such page.")
    return page


def visible_only(user: User, found: list[Similar]) -> list[Similar]:
    """The documents of ``found`` (say, "more like this" among the owner's documents) that
    ``user`` may see: a document shared with them does not open its owner's others."""
    if not found:
        return found
    ids = set(
        visible_documents(user)
        .filter(pk__in=[hit.document.pk for hit in found])
        .values_list("pk", flat=True)
    )
    return [hit for hit in found if hit.document.pk in ids]


def cover_pages(document_ids: list[int]) -> dict[int, int]:
    """Document id -> id of its page 1, for the documents that have one (thumbnail URLs).
    The ids must come from an access-checked query already."""
    rows = Page.objects.filter(document_id__in=document_ids, number=1).values_list(
        "document_id", "pk"
    )
    return dict(rows)


def document_pages(document: Document) -> QuerySet[Page]:
    """The document's pages in order (the caller already holds an access-checked document)."""
    return document.pages.order_by("number")


# --- staff reads (admin review) --------------------------------------------------------------


def staff_page_get(*, user: AbstractUser | AnonymousUser, pk: int) -> Page:
    """Page ``pk`` of any owner's document, for an active staff user allowed to view pages in the
    admin (``archive.view_page``); ``Http404`` for everyone else, as for a page that does not
    exist. Only the admin's review views call this."""
    allowed = user.is_authenticated and user.is_active and user.is_staff
    if not allowed or not user.has_perm("archive.view_page"):
        raise Http404("No such page.")
    page = Page.objects.select_related("document", "document__owner").filter(pk=pk).first()
    if page is None:
        raise Http404("No such page.")
    return page


def staff_document_search(documents: QuerySet[Document], text: str) -> QuerySet[Document]:
    """``documents`` whose title or file name contains ``text``, whose owner's user name or
    sha256 is ``text``, or whose OCR text matches it as a search (same syntax as the search box).

    The text match runs on the documents' full-text GIN index (a subquery of ids), never as a
    substring scan over the pages' text. An empty ``text`` returns ``documents`` unchanged. Raises
    ``QueryTooExpensive`` for a text with more words than ``SEARCH_MAX_TERMS``.
    """
    text = text.strip()
    if not text:
        return documents
    match = (
        Q(title__icontains=text)
        | Q(original_name__icontains=text)
        | Q(owner__username__iexact=text)
        | Q(sha256=text.lower())
    )
    # Every configuration the archive knows (a handful): staff search across all owners, and
    # a DISTINCT over all documents' languages would be a scan per search.
    read = build_query(text, {search_config(code) for code in LANGUAGES})
    tsquery = None if read is None else read.tsquery
    if read is not None:
        # The same bound on words as the search box (``QueryTooExpensive``); the admin runs
        # the list under the search's time limit too (``archive.admin_search``).
        check_clauses(len(read.query.clauses))
    if tsquery is not None:
        matching = Document.objects.filter(
            # Unqualified on purpose: inside the subquery Django aliases the table (U0), and a
            # qualified name would reach the outer query's row instead of using the index.
            RawSQL(
                "search_vector @@ %s::tsquery",
                [tsquery],
                output_field=BooleanField(),
            )
        )
        match |= Q(pk__in=matching.values("pk"))
    return documents.filter(match)


#: Confidence bands of the admin's document filter: key -> label (``{t}`` is the threshold).
CONFIDENCE_BANDS = {
    "low": "below the review threshold ({t:.2f})",
    "fair": "{t:.2f} to 0.95",
    "high": "0.95 and above",
    "none": "none (text layer, or no pages yet)",
}
_HIGH = 0.95


def with_mean_confidence(documents: QuerySet[Document]) -> QuerySet[Document]:
    """``documents`` annotated with ``mean_confidence``: the mean of their pages' confidences
    (None when no page has one)."""
    return documents.annotate(mean_confidence=Avg("pages__confidence"))


def documents_in_confidence_band(
    documents: QuerySet[Document], band: str, *, threshold: float
) -> QuerySet[Document]:
    """The documents (annotated by ``with_mean_confidence``) whose mean confidence lies in
    ``band`` (a key of ``CONFIDENCE_BANDS``); an unknown band leaves them unfiltered."""
    high = max(threshold, _HIGH)
    if band == "low":
        return documents.filter(Q(mean_confidence__lt=threshold))
    if band == "fair":
        return documents.filter(Q(mean_confidence__gte=threshold, mean_confidence__lt=high))
    if band == "high":
        return documents.filter(Q(mean_confidence__gte=high))
    if band == "none":
        return documents.filter(Q(mean_confidence__isnull=True))
    return documents


def failed_documents() -> QuerySet[Document]:
    """Every owner's failed documents, the latest failure first."""
    return (
        Document.objects.filter(status=Document.Status.FAILED)
        .select_related("owner")
        .order_by("-finished_at", "-id")
    )


def low_confidence_pages(*, threshold: float) -> QuerySet[Page]:
    """Pages whose mean word confidence is below ``threshold``, worst first, leaving out the
    documents a reviewer has marked reviewed. Each is annotated with ``correction_count``.
    Pages without a confidence (text from a PDF's text layer) are never listed."""
    return (
        Page.objects.filter(confidence__lt=threshold, document__reviewed_at__isnull=True)
        .select_related("document", "document__owner")
        .annotate(correction_count=Count("corrections"))
        .defer("text", "words", "search_vector", "document__search_vector")
        .order_by("confidence", "document_id", "number")
    )


@dataclass(frozen=True)
class LowWord:
    """A recognised word below the review threshold, with its box as (x, y, width, height) in
    the page image's pixels."""

    text: str
    confidence: float
    box: tuple[int, int, int, int]


def low_confidence_words(page: Page, *, threshold: float) -> list[LowWord]:
    """The page's words whose confidence is below ``threshold``, in reading order. Words without
    a confidence or a usable box are left out."""
    found = []
    for word in page.words or []:
        confidence = word.get("confidence")
        box = word.get("box")
        if not isinstance(confidence, int | float) or confidence >= threshold:
            continue
        if not isinstance(box, list | tuple) or len(box) != 4:
            continue
        x0, y0, x1, y1 = (int(v) for v in box)
        found.append(
            LowWord(str(word.get("text", "")), float(confidence), (x0, y0, x1 - x0, y1 - y0))
        )
    return found


@dataclass(frozen=True)
class PageVersion:
    """One version of a page's text: 0 is the OCR text, n the text after the n-th change."""

    number: int
    text: str
    correction: PageCorrection | None
    current: bool
    #: For a revert: the number of the version it restored (0 is the OCR text).
    restored: int | None = None

    @property
    def author(self) -> str:
        if self.correction is None:
            return "OCR"
        user = self.correction.user
        return user.get_username() if user is not None else "(deleted user)"

    @property
    def created(self) -> datetime | None:
        return self.correction.created if self.correction is not None else None


def page_versions(page: Page) -> list[PageVersion]:
    """Every version of the page's text, oldest (the OCR text) first; the last is current."""
    rows = list(page.corrections.select_related("user").order_by("created", "id"))
    texts = [rows[0].text_before if rows else page.text, *(row.text_after for row in rows)]
    corrections: list[PageCorrection | None] = [None, *rows]
    numbers = {row.pk: n for n, row in enumerate(rows, start=1)}
    last = len(texts) - 1
    versions = []
    for n, text in enumerate(texts):
        row = corrections[n]
        restored = None
        if row is not None and row.action == PageCorrection.Action.REVERT:
            # A restored version whose row is gone (SET_NULL) cannot happen while the page
            # exists (rows go with their page); 0 then reads as "the OCR text".
            restored = numbers.get(row.reverted_to_id or 0, 0)
        versions.append(
            PageVersion(number=n, text=text, correction=row, current=n == last, restored=restored)
        )
    return versions
