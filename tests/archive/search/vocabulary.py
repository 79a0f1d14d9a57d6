"""Helpers for tests of the user's vocabulary (``SearchTerm``): typo tolerance, autocomplete,
more like this.

The index writers maintain ``SearchTerm`` (``archive.search.terms``); end-to-end tests index
documents and rely on them. ``terms`` writes rows directly, for tests of the readers alone.
"""

from __future__ import annotations

from archive.models import SearchTerm


def terms(owner, *words: str, documents: int = 1, surface: bool = True) -> None:
    SearchTerm.objects.bulk_create(
        SearchTerm(owner=owner, term=word, documents=documents, surface=surface) for word in words
    )


def require_maintained_terms(owner) -> None:
    """Fail unless the index writers have written the owner's ``SearchTerm`` rows."""
    assert SearchTerm.objects.filter(owner=owner, surface=True).exists()
