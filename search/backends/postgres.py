"""PostgreSQL full-text search behind the search contract: the scale path.

Documents live in ``search_document`` (migration search/0002), whose weighted tsvector is a
generated column: title A, tag names and dateline B, body C, all through the
``dateline_search`` configuration (English stemming with accents folded). Searches compile
the parsed query to a tsquery, filter and facet in SQL, and highlight only the page shown.
``search_word`` holds every indexed word for pg_trgm spelling suggestions.

The backend never reads the archive's tables. It writes on the primary and reads where
config.routers says (a replica on public pages, when there are replicas).
"""

import html
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from archive.text import fold
from config.routers import read_database
from search.backends import base
from search.backends import postgres_sql as sql
from search.backends.base import (
    SUGGEST_BELOW,
    FacetCount,
    Hit,
    SearchBackendError,
    SearchRequest,
    SearchResults,
    SearchUnavailable,
    Sort,
)
from search.documents import SearchDocument
from search.query import DateRange, ParsedQuery, Term, parse_query
from search.spelling import correctable, vocabulary_of

SNIPPET_WORDS = 35  # a snippet's length when there are no words to find passages for
# The words of a query as search.query reads them (letters and digits, inner apostrophes).
_QUERY_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Match:
    """A query's words compiled to tsqueries, in PostgreSQL's own text form ('' for none)."""

    has_text: bool = False
    positive: str = ""  # the groups, ANDed: what must match, ranked and highlighted
    negative: str = ""  # the excluded terms, ORed

    @property
    def finds_nothing(self) -> bool:
        """Words were asked for but none is left to search (stop words only, say)."""
        return self.has_text and not self.positive

    @property
    def tsquery(self) -> str:
        if self.positive and self.negative:
            return f"({self.positive}) & !({self.negative})"
        return f"!({self.negative})" if self.negative else self.positive


class SearchBackend(base.SearchBackend):
    name = "postgres"

    def __init__(self) -> None:
        if connection.vendor != "postgresql":
            raise ImproperlyConfigured(
                f"SEARCH_BACKEND=postgres needs PostgreSQL; DATABASE_URL points at "
                f"{connection.vendor}. Use SEARCH_BACKEND=whoosh or a postgres:// DATABASE_URL."
            )

    def check(self) -> list[str]:
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql.CHECK)
                tables, configuration = cursor.fetchone()
        except DatabaseError as error:
            return [f"PostgreSQL cannot be queried: {error}"]
        if tables and configuration:
            return []
        return ["The PostgreSQL search tables are missing: run `manage.py migrate search`."]

    # Reading

    def search(self, request: SearchRequest) -> SearchResults:
        with _cursor(SearchUnavailable, using=read_database()) as cursor:
            match = _compile(cursor, request.query)
            results = _results(cursor, request, match)
            if match.has_text and results.total < SUGGEST_BELOW:
                results.suggestion = _suggestion(cursor, request, results.total)
            return results

    def count(self) -> int:
        with _cursor(SearchUnavailable, using=read_database()) as cursor:
            cursor.execute(sql.COUNT)
            return cursor.fetchone()[0]

    # Writing: each a transaction, so readers see all of a write or none of it.

    def apply(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        with _cursor(SearchBackendError) as cursor:
            _write(cursor, upserts, deletions)

    def clear(self) -> None:
        with _cursor(SearchBackendError) as cursor:
            for statement in sql.CLEAR:
                cursor.execute(statement)

    def rebuild(self, batches: Iterator[Sequence[SearchDocument]]) -> int:
        # One transaction: searches see the old rows (MVCC) until the new ones commit.
        with _cursor(SearchBackendError) as cursor:
            for statement in sql.CLEAR:
                cursor.execute(statement)
            for batch in batches:
                _write(cursor, batch, ())
            cursor.execute(sql.COUNT)
            return cursor.fetchone()[0]


@contextmanager
def _cursor(failure: type[SearchBackendError], using: str = DEFAULT_DB_ALIAS) -> Iterator:
    """A cursor in a transaction, or a savepoint in the caller's, so that a failure leaves
    the caller's transaction usable; database errors become ``failure``, as the contract
    wants (search.sync keeps its outbox rows on SearchBackendError, pages say
    SearchUnavailable). Writes use the primary (the default)."""
    try:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            yield cursor
    except DatabaseError as error:
        raise failure(f"PostgreSQL search index: {error}") from error


# Writing


def _write(cursor, upserts: Sequence[SearchDocument], deletions: Iterable[int]) -> None:
    if ids := sorted(set(deletions)):
        cursor.execute(sql.DELETE, [ids])
    # The last document of an id wins; id order keeps concurrent writers from deadlocking.
    documents = sorted({d.article_id: d for d in upserts}.values(), key=lambda d: d.article_id)
    if not documents:
        return
    cursor.executemany(sql.UPSERT, [_row(document) for document in documents])
    cursor.execute(sql.ADD_WORDS, [sorted(vocabulary_of(documents))])


def _row(document: SearchDocument) -> tuple:
    return (
        document.article_id,
        document.title,
        document.body,
        document.dateline,
        "\n".join(document.tag_names),
        list(document.tag_slugs),
        document.outlet_slug,
        list(document.region_ids),
        document.language,
        document.published_at,
    )


# Reading


def _compile(cursor, query: ParsedQuery) -> Match:
    """Compile the query's terms with to_tsquery: groups ANDed, terms in a group ORed.

    Each term becomes one quoted operand, which to_tsquery parses, folds and stems like the
    documents' text; several words make a phrase whose stop words keep their distance
    ("old city of raqqa" is 'old' <-> 'citi' <2> 'raqqa'). An operand that is all stop
    words drops out, and so does a group left empty ("the budget" finds what "budget"
    finds). The source travels as a parameter.
    """
    groups = [[_operand(t) for t in group if _searchable(t)] for group in query.groups]
    positive = " & ".join(f"({' | '.join(group)})" for group in groups if group)
    negative = " | ".join(_operand(t) for t in query.excluded if _searchable(t))
    if not (positive or negative):
        return Match(has_text=query.has_text)
    cursor.execute(sql.COMPILE, {"positive": positive, "negative": negative})
    compiled_positive, compiled_negative = cursor.fetchone()
    return Match(query.has_text, compiled_positive, compiled_negative)


def _searchable(term: Term) -> bool:
    return bool(term.text.replace("\x00", "").strip())  # an empty operand is a syntax error


def _operand(term: Term) -> str:
    """The term as a quoted tsquery operand; ':A' keeps a title: term to title lexemes."""
    text = " ".join(term.words).replace("\x00", "")  # PostgreSQL text cannot hold NUL
    quoted = text.replace("\\", "\\\\").replace("'", "''")
    return f"'{quoted}'" + (":A" if term.field == "title" else "")


def _where(request: SearchRequest, match: Match) -> tuple[str, dict]:
    """The filters as SQL conditions (ANDed) and their parameters."""
    conditions, params = [], {}
    if match.finds_nothing:
        conditions.append("false")
    elif match.tsquery:
        conditions.append("vector @@ %(match)s::tsquery")
        params["match"] = match.tsquery
    filters = {
        "outlet_slug = ANY(%(outlets)s::text[])": ("outlets", list(request.outlets)),
        "tag_slugs @> %(tags)s::text[]": ("tags", list(request.tags)),
        "region_ids @> %(regions)s::bigint[]": ("regions", list(request.regions)),
        "language = ANY(%(languages)s::text[])": ("languages", list(request.languages)),
    }
    for condition, (name, values) in filters.items():
        if values:
            conditions.append(condition)
            params[name] = values
    conditions += _date_conditions(request.date_range, params)
    return " AND ".join(conditions) or "true", params


def _date_conditions(date_range: DateRange | None, params: dict) -> list[str]:
    """Whole UTC days, both ends included (the year facet counts UTC years too)."""
    conditions = []
    if date_range and date_range.start:
        conditions.append("published_at >= %(date_start)s")
        params["date_start"] = _midnight(date_range.start)
    if date_range and date_range.end and date_range.end < date.max:
        conditions.append("published_at < %(date_end)s")
        params["date_end"] = _midnight(date_range.end + timedelta(days=1))
    return conditions


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _order(request: SearchRequest, match: Match) -> str:
    if request.sort == Sort.OLDEST:
        return sql.ORDER_BY_OLDEST
    if request.sort == Sort.RELEVANCE and match.positive:
        return sql.ORDER_BY_RANK
    return sql.ORDER_BY_NEWEST  # also relevance with no words to rank by


def _results(cursor, request: SearchRequest, match: Match) -> SearchResults:
    where, params = _where(request, match)
    words = bool(match.positive)
    order = _order(request, match)
    statement = sql.search_statement(
        where=where,
        order=order,
        words=words,
        by_rank=order == sql.ORDER_BY_RANK,
        facets=request.facets,
    )
    params |= sql.HIGHLIGHT_PARAMS | {
        "positive": match.positive,
        "limit": _bounded(request.page_size),
        "offset": _bounded(request.offset),
        "facet_limit": _bounded(request.facet_limit),
    }
    total, hits, *facets = _fetch_one(cursor, statement, params, prefer_indexes=words)
    return SearchResults(
        total=total,
        hits=[_hit(*row, highlighted=words) for row in json.loads(hits or "[]")],
        facets={
            name: [FacetCount(str(value), n) for value, n in json.loads(counts or "[]")]
            for name, counts in zip(sql.FACETS, facets, strict=False)  # none unless asked
        },
    )


def _bounded(number: int) -> int:
    # LIMIT and OFFSET take a bigint: page=10**30 in a URL must not be a database error.
    return min(max(number, 0), 2**62)


def _fetch_one(cursor, statement: str, params: dict, prefer_indexes: bool) -> tuple:
    """Run a statement for its one row, with sequential scans discouraged if asked.

    The planner does not count detoasting every row's tsvector: for a word in half of
    50,000 documents it chose a sequential scan (320 ms) over the GIN index (36 ms). The
    setting is put back, as SET LOCAL inside a savepoint outlives it.
    """
    if not prefer_indexes:
        cursor.execute(statement, params)
        return cursor.fetchone()
    cursor.execute(sql.DISCOURAGE_SEQSCAN)
    previous, _ = cursor.fetchone()
    cursor.execute(statement, params)
    row = cursor.fetchone()
    cursor.execute(sql.RESTORE_SEQSCAN, [previous])
    return row


def _hit(article_id: int, score: float, title: str, snippet: str, highlighted: bool) -> Hit:
    if not highlighted:
        words = snippet.split()
        snippet = " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
    return Hit(article_id, float(score), _html(title), _html(snippet))


def _html(headline: str) -> str:
    """Escape the text, then turn the sentinels ts_headline was given into markup."""
    return (
        html.escape(headline)
        .replace(sql.LESS_THAN, "&lt;")
        .replace(sql.GREATER_THAN, "&gt;")
        .replace(sql.MARK_START, base.MARK_START)
        .replace(sql.MARK_END, base.MARK_END)
    )


# Suggestions


def _suggestion(cursor, request: SearchRequest, total: int) -> str | None:
    """The query with unknown words replaced by the nearest indexed ones, if it finds more."""
    words = {fold(word) for term in request.query.terms for word in term.words}
    words = {word for word in words if correctable(word)}
    if not words:
        return None
    cursor.execute(sql.CORRECTIONS, [sorted(words)])
    corrections = {word: better for word, better in cursor.fetchall() if better}
    if not corrections:
        return None
    original = request.query.original or _query_text(request.query)
    suggestion = _QUERY_WORD.sub(lambda m: corrections.get(fold(m[0]), m[0]), original)
    if suggestion == original:
        return None
    corrected = replace(request, query=parse_query(suggestion).without_filters())
    where, params = _where(corrected, _compile(cursor, corrected.query))
    cursor.execute(sql.count_statement(where), params)
    return suggestion if cursor.fetchone()[0] > total else None


def _query_text(query: ParsedQuery) -> str:
    """The query as a reader would type it, for requests built without the parser."""

    def term(t: Term) -> str:
        text = f'"{t.text}"' if t.is_phrase else t.text
        return f"title:{text}" if t.field == "title" else text

    groups = [" OR ".join(term(t) for t in group) for group in query.groups]
    return " ".join(groups + [f"-{term(t)}" for t in query.excluded])
