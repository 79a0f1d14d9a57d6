"""The search box's syntax, turned into a PostgreSQL ``tsquery``.

Syntax (a superset of ``websearch_to_tsquery``): words (all must occur), ``"exact phrases"``,
``OR`` between alternatives (binds tighter than the implicit AND), ``-word`` / ``-"phrase"`` to
exclude, and a trailing ``*`` for prefix matching (``invo*``). We parse it ourselves rather than
use ``websearch_to_tsquery`` because every term must first go through the same normalisation as
indexed text (accent folding, CJK bigrams, see ``archive.search.textnorm``) and because
websearch has no prefix operator.

The result is ``to_tsquery`` text whose operands are quoted, so nothing the user types can
inject tsquery operators; ``to_tsquery(config, …)`` then stems each operand in that config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.search.textnorm import is_cjk, query_words

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class _Clause:
    tsquery: str
    negated: bool


def to_tsquery_text(query: str) -> str | None:
    """``to_tsquery`` input for the search-box ``query``; None if it has nothing to search for.

    A query made only of exclusions is treated as empty: "everything except X" is not a search.
    """
    clauses: list[list[_Clause]] = []  # AND of OR-groups
    pending_or = False
    for match in _TOKEN.finditer(query):
        negated_phrase, phrase, bare = match.groups()
        if bare is not None and bare.upper() == "OR":
            # An operator, never a word (it is a stop word anyway); leading or trailing: ignored.
            pending_or = bool(clauses)
            continue
        if phrase is not None:
            clause = _phrase(phrase, negated=bool(negated_phrase))
        else:
            clause = _word(bare)
        if clause is None:
            continue
        if pending_or and not clause.negated and not clauses[-1][-1].negated:
            clauses[-1].append(clause)
        else:
            clauses.append([clause])
        pending_or = False
    if not any(not group[0].negated for group in clauses):
        return None
    parts = []
    for group in clauses:
        if len(group) == 1:
            clause = group[0]
            parts.append(f"!({clause.tsquery})" if clause.negated else f"({clause.tsquery})")
        else:
            parts.append("(" + " | ".join(f"({c.tsquery})" for c in group) + ")")
    return " & ".join(parts)


def highlight_terms(query: str) -> list[str]:
    """The searched-for terms of ``query``, one per word, for marking matches on a page: the
    quoted ``to_tsquery`` operands of every clause that is not excluded (a phrase gives each
    of its words, ``invo*`` gives ``'invo':*``; CJK runs give their bigrams)."""
    terms: list[str] = []
    for match in _TOKEN.finditer(query):
        negated_phrase, phrase, bare = match.groups()
        if phrase is not None:
            if not negated_phrase:
                terms.extend(_operands(phrase))
            continue
        if bare.upper() == "OR" or (bare.startswith("-") and len(bare) > 1):
            continue
        clause = _word(bare)
        if clause is not None:
            terms.extend(clause.tsquery.split(" <-> "))
    return list(dict.fromkeys(terms))


def _word(token: str) -> _Clause | None:
    negated = token.startswith("-") and len(token) > 1
    if negated:
        token = token[1:]
    prefix = token.endswith("*")
    operands = _operands(token.rstrip("*"))
    if not operands:
        return None
    if prefix and not is_cjk(operands[-1].strip("'")):
        operands[-1] += ":*"
    return _Clause(" <-> ".join(operands), negated)


def _phrase(text: str, *, negated: bool) -> _Clause | None:
    operands = _operands(text)
    if not operands:
        return None
    return _Clause(" <-> ".join(operands), negated)


def _operands(text: str) -> list[str]:
    """Quoted tsquery operands for ``text``, in order: its words, folded; a CJK run becomes its
    bigrams (adjacent, so the run must occur as written)."""
    return [_quote(term) for term in query_words(text)]


def _quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
