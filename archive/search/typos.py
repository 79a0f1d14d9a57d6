"""Typo tolerance in search: the search-box text rewritten so rare or unknown words also find
their close spellings in the user's archive (``archive.search.spelling``).

``expand_typos`` works on the search-box text, not on a parsed query, so it composes with any
search function that takes the box's syntax: a qualifying bare word ``w`` becomes
``w OR alt1 OR alt2`` (``OR`` binds tighter than the implicit AND, see
``archive.search.query``). Words in quoted phrases, excluded words (``-w``), prefixes (``w*``),
numbers and the ``OR`` operator are left as typed.

A word qualifies when its readings (the word as written, and its stems in the configurations of
the user's documents) are held by fewer than ``SEARCH_TYPO_BELOW`` documents, per
``SearchTerm``. Setting ``SEARCH_TYPO_TOLERANCE`` (on by default) turns it off for the site;
callers pass ``expand=False`` for a request that asked for exact words (``?exact=1``): the
"did you mean" suggestion is still computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model

from archive.replica.routing import read_connection
from archive.search.bm25 import documents_sql
from archive.search.planning import User, owners_configs, user_configs
from archive.search.query import TOKEN
from archive.search.shared_terms import visible_close_terms, visible_held
from archive.search.spelling import MAX_LENGTH, MIN_LENGTH, close_terms
from archive.search.textnorm import is_cjk, query_words
from archive.sharing.access import shared_with

#: At most this many words of one query are looked up, and this many alternatives each.
MAX_WORDS = 8
MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class Expansion:
    """The search-box text to search with, the words expanded as ``(typed, [found, …])``, and a
    corrected query to offer ("did you mean") when a word matches no document, else None."""

    query_text: str
    expansions: list[tuple[str, list[str]]] = field(default_factory=list)
    suggestion: str | None = None

    @property
    def alternatives(self) -> list[str]:
        """The words added to the query (to rank below the typed ones: ``search_page(demote=)``)."""
        return [found for _typed, words in self.expansions for found in words]


def typo_tolerance_enabled() -> bool:
    return bool(getattr(settings, "SEARCH_TYPO_TOLERANCE", True))


def _threshold() -> int:
    return max(1, int(getattr(settings, "SEARCH_TYPO_BELOW", 3)))


def expand_typos(
    owner_id: int | None, query_text: str, *, expand: bool = True, viewer: User | None = None
) -> Expansion:
    """``query_text`` with each rare or unknown word OR-ed with its close spellings among the
    owner's words; see the module docstring. Bounded: at most ``MAX_WORDS`` words are looked
    up (two statements, then one index lookup per word).

    ``viewer`` (the owner's user, as the search views pass it): the words of documents shared
    with them count too, and are offered (``archive.search.shared_terms``); never a word only
    documents they may not see hold."""
    if not typo_tolerance_enabled():
        return Expansion(query_text)
    candidates: list[tuple[re.Match[str], str]] = []
    for match in TOKEN.finditer(query_text):
        word = _bare_word(match)
        if word is not None:
            candidates.append((match, word))
    words = list(dict.fromkeys(word for _match, word in candidates))[:MAX_WORDS]
    if not words:
        return Expansion(query_text)
    frequency = _documents_holding(owner_id, words)
    shared = viewer is not None and viewer.is_authenticated and shared_with(viewer).exists()
    if shared:
        assert viewer is not None
        frequency = _with_shared(viewer, words, frequency)
    alternatives: dict[str, list[str]] = {}
    corrections: dict[str, str] = {}
    for word in words:
        held = frequency.get(word, 0)
        if held >= _threshold():
            continue
        close = (
            visible_close_terms(viewer, word, limit=MAX_ALTERNATIVES)
            if shared and viewer is not None
            else close_terms(owner_id, word, limit=MAX_ALTERNATIVES)
        )
        found = [c.term for c in close if _searchable(c.term)]
        if not found:
            continue
        alternatives[word] = found
        if held == 0:
            corrections[word] = found[0]
    corrected = _rewrite(query_text, candidates, lambda typed, word: corrections.get(word))
    suggestion = corrected if corrected != query_text else None
    if not expand or not alternatives:
        return Expansion(query_text, [], suggestion)

    def with_alternatives(typed: str, word: str) -> str | None:
        found = alternatives.get(word)
        return " OR ".join([typed, *found]) if found else None

    expanded = _rewrite(query_text, candidates, with_alternatives)
    expansions: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for match, word in candidates:
        if word in alternatives and word not in seen:
            seen.add(word)
            expansions.append((match.group(3), alternatives[word]))
    return Expansion(expanded, expansions, suggestion)


def _bare_word(match: re.Match[str]) -> str | None:
    """The index term of a token that may be expanded, else None."""
    bare = match.group(3)
    if bare is None or bare.upper() == "OR" or bare.startswith("-") or bare.endswith("*"):
        return None
    words = query_words(bare)
    if len(words) != 1:
        return None
    word = words[0].lower()
    if is_cjk(word) or not any(ch.isalpha() for ch in word):
        return None
    if not MIN_LENGTH <= len(word) <= MAX_LENGTH:
        return None
    return word


def _searchable(term: str) -> bool:
    """A term that reads back as itself, one word, in the search box (``e-mail`` would not)."""
    return term.upper() != "OR" and query_words(term) == [term]


def _rewrite(
    text: str,
    candidates: list[tuple[re.Match[str], str]],
    replace: Callable[[str, str], str | None],
) -> str:
    """``text`` with each candidate token replaced by ``replace(typed, word)`` unless None."""
    out: list[str] = []
    last = 0
    for match, word in candidates:
        replacement = replace(match.group(3), word)
        if replacement is None:
            continue
        out.append(text[last : match.start()])
        out.append(replacement)
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _with_shared(viewer: User, words: list[str], own: dict[str, int]) -> dict[str, int]:
    """``own`` (each word's count among the viewer's documents) plus how many documents shared
    with them hold one of its readings (the word, its stems in the viewer's and the sharing
    owners' configurations): a word of a shared document is not a typo."""
    owners = set(shared_with(viewer).values_list("owner_id", flat=True).distinct())
    configs = set(user_configs(viewer))
    for found in owners_configs(sorted(owners)).values():
        configs |= found
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT w.word, l.lexeme FROM unnest(%s::text[]) AS w(word)"
            " CROSS JOIN unnest(%s::regconfig[]) AS c(config)"
            " CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector(c.config, w.word)))"
            " AS l(lexeme)",
            [words, sorted(configs)],
        )
        readings: list[tuple[str, str]] = cursor.fetchall()
    held = visible_held(viewer, sorted({lexeme for _word, lexeme in readings}))
    total = dict(own)
    for word, lexeme in readings:
        total[word] = max(total.get(word, 0), own.get(word, 0) + held.get(lexeme, 0))
    return total


def _documents_holding(owner_id: int | None, words: list[str]) -> dict[str, int]:
    """For each word, the most documents any of its readings is held by (as written, or its
    stem in each configuration of the owner's documents): one statement."""
    owner = get_user_model()(pk=owner_id)
    configs = sorted(user_configs(owner))
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"""
            SELECT w.word, coalesce(max({documents_sql("t")}), 0)
            FROM unnest(%s::text[]) AS w(word)
            CROSS JOIN unnest(%s::regconfig[]) AS c(config)
            CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector(c.config, w.word))) AS l(lexeme)
            LEFT JOIN archive_searchterm t ON t.owner_id = %s AND t.term = l.lexeme
            GROUP BY w.word
            """,
            [words, configs, owner_id],
        )
        return {word: int(held) for word, held in cursor.fetchall()}
