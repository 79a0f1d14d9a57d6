"""Saving a read page: its images in the storage, its row with the search vectors, once."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from archive.models import Document, Page, PageJob
from archive.processing.failures import WORKING
from archive.processing.jobs import Lease
from archive.processing.leases import still_held
from archive.processing.orphans import page_folder
from archive.search import clean_text, document_vector_append, page_vector
from ocr.types import PageResult


def save_page(
    document: Document,
    lease: Lease,
    image: Image.Image,
    images: tuple[bytes, bytes],
    result: PageResult,
) -> bool:
    """Store the page's images (``images``: the encoded display image and thumbnail of
    ``image``) and write page ``lease.number`` with its vectors, unless it is there already,
    the run is out of date or ``lease`` no longer holds its job (then the images are removed
    again). The job is deleted with the page, in one transaction. True if saved."""
    run, number = lease.run, lease.number
    base = f"{page_folder(document)}/{number:05d}"
    display, thumbnail = images
    names = [
        default_storage.save(f"{base}.webp", ContentFile(display)),
        default_storage.save(f"{base}-thumb.webp", ContentFile(thumbnail)),
    ]
    text = clean_text(result.text)
    saved = False
    try:
        with transaction.atomic():
            # The row lock orders every page save and the finish check of this document.
            current = (
                Document.objects.select_for_update()
                .filter(pk=document.pk, run=run, status__in=WORKING)
                .exists()
            )
            held = still_held(lease)
            if held:
                PageJob.objects.filter(pk=lease.job).delete()
            exists = Page.objects.filter(document=document, number=number).exists()
            if current and held and not exists:
                page = Page.objects.create(
                    document=document,
                    number=number,
                    image=names[0],
                    thumbnail=names[1],
                    source=result.origin,
                    width=image.width,
                    height=image.height,
                    text=text,
                    words=[
                        {"text": clean_text(w.text), "box": list(w.box), "confidence": w.confidence}
                        for w in result.words
                    ],
                    confidence=result.confidence if result.words else None,
                    engine=result.engine,
                    seconds=result.seconds,
                    # Indexed as it is written: one row version, the vector with the text.
                    search_vector=page_vector(document.language, text),
                )
                document_vector_append(document, page)
                saved = True
    finally:
        if not saved:
            for name in names:
                default_storage.delete(name)
    return saved
