"""The search box's syntax, parsed into clauses.

Syntax: words (all must occur), ``"exact phrases"``, ``OR`` between alternatives (binds tighter
than the implicit AND), ``-word`` / ``-"phrase"`` to exclude, and a trailing ``*`` for prefix
matching (``invo*``). ``OR`` is an operator only when written in capitals *between* two terms:
a lowercase ``or`` is a word (the French *or*, the English stop word), and a leading or
trailing ``OR`` is ignored.

Meaning, which ``archive.search.readings`` turns into a ``tsquery`` and the property test
checks against a plain Python evaluation:

- a **word** matches a document holding it in any of its readings: stemmed in each language the
  user's documents are filed under, or exactly as written (accents folded, case ignored). A
  stop word of a language therefore still constrains through its exact reading.
- a **phrase** (and a typed word that the normaliser splits into several terms, such as a CJK
  run or ``o'brien``) matches only those exact words, adjacent and in order, stop words
  included; no stemming.
- ``word*`` matches any word as written that starts with ``word``.
- ``-clause`` removes the documents the clause matches; a query of exclusions alone is empty.

We parse it ourselves rather than use ``websearch_to_tsquery`` because every term must first go
through the normalisation of indexed text (``archive.search.textnorm``) and because websearch
has no prefix operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.search.textnorm import is_cjk, query_words

# One token of the search box: an optionally negated quoted phrase, or a bare word.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    """One word or phrase of a query.

    ``terms`` are index terms (``textnorm.query_words``), in order; more than one means an
    exact sequence. ``prefix`` marks the last term as a prefix (``invo*``).
    """

    terms: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False
    negated: bool = False

    @property
    def is_sequence(self) -> bool:
        """True if the clause matches an exact run of words (a phrase, or a split word)."""
        return len(self.terms) > 1

    @property
    def exact(self) -> bool:
        """True if only the words as written match: sequences, phrases and prefixes."""
        return self.phrase or self.prefix or self.is_sequence


@dataclass(frozen=True)
class Query:
    """A parsed query: every group must match, a group matches when any clause does (a negated
    clause is a group of its own and must not match)."""

    groups: tuple[tuple[Clause, ...], ...]

    @property
    def clauses(self) -> list[Clause]:
        """Every clause, in query order."""
        return [clause for group in self.groups for clause in group]

    @property
    def positive(self) -> list[Clause]:
        """The clauses that are searched for (not excluded)."""
        return [clause for clause in self.clauses if not clause.negated]


def parse_query(text: str) -> Query | None:
    """The parsed ``text``; None if it has nothing to search for (empty, punctuation only, or
    exclusions only: "everything except X" is not a search)."""
    groups: list[list[Clause]] = []
    pending_or = False
    for match in TOKEN.finditer(text):
        negated_phrase, phrase, bare = match.groups()
        if bare == "OR":
            # An operator only between two terms; leading or trailing: ignored.
            pending_or = bool(groups)
            continue
        clause = (
            _phrase(phrase, negated=bool(negated_phrase)) if phrase is not None else _word(bare)
        )
        if clause is None:
            continue
        if pending_or and not clause.negated and not groups[-1][-1].negated:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        pending_or = False
    if not any(not group[0].negated for group in groups):
        return None
    return Query(groups=tuple(tuple(group) for group in groups))


def to_tsquery_text(text: str) -> str | None:
    """The query as ``to_tsquery('simple', …)`` input with every term quoted (so nothing typed
    can inject tsquery operators), all clauses read exactly as written; None if empty.

    The search itself reads words in every configuration (``archive.search.readings``); this
    form is for callers that need one language-free text, and shows the structure in tests.
    """
    query = parse_query(text)
    if query is None:
        return None
    parts = []
    for group in query.groups:
        if len(group) == 1:
            clause = group[0]
            body = clause_text(clause)
            parts.append(f"!({body})" if clause.negated else f"({body})")
        else:
            parts.append("(" + " | ".join(f"({clause_text(c)})" for c in group) + ")")
    return " & ".join(parts)


def clause_text(clause: Clause) -> str:
    """The clause's terms as quoted ``to_tsquery`` operands joined by ``<->`` (the last one
    with ``:*`` for a prefix)."""
    operands = [quote(term) for term in clause.terms]
    if clause.prefix:
        operands[-1] += ":*"
    return " <-> ".join(operands)


def highlight_terms(query: str) -> list[str]:
    """The searched-for terms of ``query``, for marking matches on a page: the quoted
    ``to_tsquery`` operands of every clause that is not excluded (a phrase gives each of its
    words, ``invo*`` gives ``'invo':*``; CJK runs give their bigrams)."""
    parsed = parse_query(query)
    if parsed is None:
        return []
    terms: list[str] = []
    for clause in parsed.positive:
        terms.extend(clause_text(clause).split(" <-> "))
    return list(dict.fromkeys(terms))


def query_phrases(query: str) -> list[list[str]]:
    """The quoted phrases of ``query`` that are searched for, each as its terms in the form
    ``highlight_terms`` gives them (quoted operands), for boxing a phrase's words only where
    the whole phrase occurs."""
    parsed = parse_query(query)
    if parsed is None:
        return []
    return [clause_text(c).split(" <-> ") for c in parsed.positive if c.phrase and c.is_sequence]


def _word(token: str) -> Clause | None:
    negated = token.startswith("-") and len(token) > 1
    if negated:
        token = token[1:]
    prefix = token.endswith("*")
    terms = query_words(token.rstrip("*"))
    if not terms:
        return None
    # CJK text is indexed as bigrams and single characters: a prefix of it means nothing more.
    prefix = prefix and not is_cjk(terms[-1])
    return Clause(terms=tuple(terms), prefix=prefix, negated=negated)


def _phrase(text: str, *, negated: bool) -> Clause | None:
    terms = query_words(text)
    if not terms:
        return None
    return Clause(terms=tuple(terms), phrase=True, negated=negated)


def quote(term: str) -> str:
    """``term`` as one quoted tsquery operand."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
