"""Notes on documents: free text, by the document's owner."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext

from archive.organize.errors import OrganizeError
from archive.organize.models import Note

NOTE_MAX = 20_000


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise OrganizeError(gettext("A note cannot be empty."), field="text")
    if len(text) > NOTE_MAX:
        raise OrganizeError(
            gettext("A note has at most %(note_max)s characters.") % {"note_max": NOTE_MAX},
            field="text",
        )
    return text


def note_create(*, owner: AbstractBaseUser, document_id: int, text: str) -> Note:
    """A note by ``owner`` on their document ``document_id``."""
    from archive.models import Document

    if not Document.objects.filter(pk=document_id, owner_id=owner.pk).exists():
        raise OrganizeError(gettext("No such document."))
    return Note.objects.create(document_id=document_id, author_id=owner.pk, text=_text(text))


def _own(owner: AbstractBaseUser, note: Note) -> None:
    if note.document.owner_id != owner.pk:
        raise OrganizeError(gettext("No such note."))


def note_update(*, owner: AbstractBaseUser, note: Note, text: str) -> Note:
    """Replace a note's text."""
    _own(owner, note)
    note.text = _text(text)
    note.save(update_fields=["text", "updated"])
    return note


def note_delete(*, owner: AbstractBaseUser, note: Note) -> None:
    """Delete a note."""
    _own(owner, note)
    note.delete()
