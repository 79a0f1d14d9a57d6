"""A parsed query read in the user's text search configurations: one ``tsquery`` value.

Each *word* is read in every configuration (its stem in each language, and ``simple``: the
word as written) and its readings are OR-ed **per word**, so a stop word, which a language
configuration drops, still constrains the query through its exact reading. OR-ing readings of
the whole query instead (as an earlier version did) let ``back now`` match every page with
"back". Phrases, split words and prefixes are read in ``simple`` only: they mean the words as
written (see ``archive.search.query``).

PostgreSQL does the stemming (``to_tsquery(config, …)``); all clauses are read in one
statement, and the result is returned as text so later statements carry it as a constant the
planner can estimate (a generic plan's guess is far off for common words).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archive.replica.routing import read_connection
from archive.search.query import Clause, Query, clause_text, quote


@dataclass(frozen=True)
class ReadQuery:
    """A query with the ``tsquery`` text of the whole and of each clause (query order; ``''``
    for a clause with no indexable term, which then constrains nothing)."""

    query: Query
    tsquery: str
    clause_tsqueries: tuple[str, ...]

    def tsquery_of(self, clause: Clause) -> str:
        """The ``tsquery`` text of one of this query's clauses."""
        return self.clause_tsqueries[self.query.clauses.index(clause)]


def read_query(query: Query, configs: Iterable[str]) -> ReadQuery | None:
    """``query`` read in ``configs`` (``simple`` is always added); None if no clause that is
    searched for has an indexable term."""
    ordered = sorted(set(configs) | {"simple"})
    expressions: list[str] = []
    params: list[str] = []
    for clause in query.clauses:
        if clause.exact:
            expressions.append("to_tsquery('simple', %s)")
            params.append(clause_text(clause))
        else:
            # One term, every reading; an empty reading (a stop word) drops out of the OR.
            expressions.append(
                "(" + " || ".join("to_tsquery(%s::regconfig, %s)" for _ in ordered) + ")"
            )
            for config in ordered:
                params.extend([config, quote(clause.terms[0])])
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT ARRAY[" + ", ".join(f"({e})::text" for e in expressions) + "]", params
        )
        texts: list[str] = list(cursor.fetchone()[0])
    by_clause = dict(zip(query.clauses, texts, strict=True))
    tsquery = _combine(query, by_clause)
    if not tsquery:
        return None
    return ReadQuery(query=query, tsquery=tsquery, clause_tsqueries=tuple(texts))


def _combine(query: Query, by_clause: dict[Clause, str]) -> str:
    """The whole query's tsquery text from its clauses' (AND of groups, OR within a group,
    ``!`` for exclusions); empty clauses drop out, and with them an empty group."""
    parts: list[str] = []
    searched = False
    for group in query.groups:
        texts = [by_clause[clause] for clause in group if by_clause[clause]]
        if not texts:
            continue
        if group[0].negated:
            # An excluded phrase is left to ``phrases.verifier``: the index's phrase match
            # can join two parts (title and page, two pages), so "!" here would drop
            # documents that do not hold the phrase.
            if not group[0].is_sequence:
                parts.append(f"!({texts[0]})")
        else:
            searched = True
            parts.append("(" + " | ".join(f"({text})" for text in texts) + ")")
    return " & ".join(parts) if searched else ""


def reading_lexemes(words: Iterable[str], configs: Iterable[str]) -> set[str]:
    """Every lexeme the ``words`` are read as in ``configs`` and ``simple`` (one statement)."""
    listed = sorted(set(words))
    if not listed:
        return set()
    ordered = sorted(set(configs) | {"simple"})
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT l FROM unnest(%s::text[]) AS w, unnest(%s::regconfig[]) AS c, "
            "unnest(tsvector_to_array(to_tsvector(c, w))) AS l",
            [listed, ordered],
        )
        return {row[0] for row in cursor.fetchall()}
