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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

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
# Above these many matches (measured at 1,000,000 articles, see bench/RESULTS.md): totals and
# facets come from the sample and are labelled as estimates, and ranking by relevance
# ranks candidates rather than every match.
COUNT_EXACTLY_UP_TO = 2_000
FACETS_EXACTLY_UP_TO = 2_000
RANK_ALL_UP_TO = 200
RANK_CANDIDATES = 100
# Newest matches are looked for in the newest stretch of time expected to hold this many
# times as many as wanted (see Span.window_start).
WINDOW_MARGIN = 3
# A phrase is checked in at most about this many documents that have all its words.
PHRASE_CHECKS = 1_500
# The words of a query as search.query reads them (letters and digits, inner apostrophes).
_QUERY_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Match:
    """A query's words compiled to tsqueries, in PostgreSQL's own text form ('' for none)."""

    has_text: bool = False
    positive: str = ""  # the groups, ANDed: what must match, ranked and highlighted
    negative: str = ""  # the excluded terms, ORed
    # The groups of title: terms alone, unweighted, for the title's own GIN index: implied
    # by ``positive``, so it changes no result, but a title word common in bodies is found
    # among titles instead of by reading every body that has it for its weight.
    title: str = ""

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
        using = read_database()
        # In a transaction of its own, its settings end with it: none to put back.
        own_transaction = not connections[using].in_atomic_block
        with _cursor(SearchUnavailable, using=using) as cursor:
            # With words, the GIN index finds the matches (see _BITMAPS); walks say so.
            match, span, previous = _compile(cursor, request.query, planner=_BITMAPS)
            settings = _BITMAPS if previous else {}
            with _planner(cursor, settings, put_back=not own_transaction, previous=previous):
                results = _results(cursor, request, match, span)
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


def compile_query(cursor, query: ParsedQuery) -> Match:
    """Compile the query's terms with to_tsquery: groups ANDed, terms in a group ORed.

    Each term becomes one quoted operand, which to_tsquery parses, folds and stems like the
    documents' text; several words make a phrase whose stop words keep their distance
    ("old city of raqqa" is 'old' <-> 'citi' <2> 'raqqa'). An operand that is all stop
    words drops out, and so does a group left empty ("the budget" finds what "budget"
    finds). The source travels as a parameter.
    """
    source = _sources(query)
    if not (source["positive"] or source["negative"]):
        return Match(has_text=query.has_text)
    cursor.execute(sql.COMPILE, source)
    return Match(query.has_text, *cursor.fetchone())


def _sources(query: ParsedQuery) -> dict[str, str]:
    """What compile_query gives to_tsquery: the groups, the exclusions, the title groups."""
    groups = [[_operand(t) for t in group if _searchable(t)] for group in query.groups]
    titles = [
        [_operand(t, weighted=False) for t in group if _searchable(t)]
        for group in query.groups
        if group and all(t.field == "title" for t in group)
    ]
    return {
        "positive": " & ".join(f"({' | '.join(group)})" for group in groups if group),
        "negative": " | ".join(_operand(t) for t in query.excluded if _searchable(t)),
        "title": " & ".join(f"({' | '.join(group)})" for group in titles if group),
    }


def _compile(
    cursor, query: ParsedQuery, planner: dict[str, str]
) -> tuple[Match, "Span", list | None]:
    """compile_query, and when the query has words to search, in the same round trip the
    archive's first and last dates (planned before the settings change) and the planner
    settings for the search applied: the match, the span, and the values the settings had
    (None when not applied)."""
    source = _sources(query)
    if not source["positive"]:
        return compile_query(cursor, query), Span(), None
    names = list(planner)
    pairs = [item for name in names for item in (name, planner[name])]
    cursor.execute(sql.compile_with_settings(len(names)), [*source.values(), *names, *pairs])
    row = cursor.fetchone()
    match, span = Match(query.has_text, *row[:3]), Span(*row[3:5])
    previous = list(row[5 : 5 + len(names)])
    if not match.positive:  # only stop words: nothing to plan for after all
        _put_back(cursor, names, previous)
        return match, span, None
    return match, span, previous


def _searchable(term: Term) -> bool:
    return bool(term.text.replace("\x00", "").strip())  # an empty operand is a syntax error


def _operand(term: Term, weighted: bool = True) -> str:
    """The term as a quoted tsquery operand; ':A' keeps a title: term to title lexemes."""
    text = " ".join(term.words).replace("\x00", "")  # PostgreSQL text cannot hold NUL
    quoted = text.replace("\\", "\\\\").replace("'", "''")
    return f"'{quoted}'" + (":A" if weighted and term.field == "title" else "")


def _where(request: SearchRequest, match: Match) -> tuple[str, dict]:
    """The filters as SQL conditions (ANDed) and their parameters."""
    conditions, params = [], {}
    if match.finds_nothing:
        conditions.append("false")
    elif match.tsquery:
        conditions.append("vector @@ %(match)s::tsquery")
        params["match"] = match.tsquery
        if match.title:
            conditions.append(f"{sql.TITLE_VECTOR} @@ %(title_words)s::tsquery")
            params["title_words"] = match.title
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


@dataclass(frozen=True)
class Span:
    """The dates of the archive's first and last documents (None: no document)."""

    first: datetime | None = None
    last: datetime | None = None

    def window_start(self, request: SearchRequest, total: int, wanted: int) -> datetime | None:
        """The start of the newest stretch of time expected to hold ``wanted`` of ``total``
        matches WINDOW_MARGIN times over, as if documents were spread evenly over time
        (within the request's dates); None when that is most of the time there is."""
        first, last = self.first, self.last
        if first is None or last is None or total <= 0:
            return None
        if request.date_range and request.date_range.start:
            first = max(first, _midnight(request.date_range.start))
        if request.date_range and request.date_range.end and request.date_range.end < date.max:
            last = min(last, _midnight(request.date_range.end + timedelta(days=1)))
        share = WINDOW_MARGIN * wanted / total
        if share >= 0.5 or last <= first:
            return None
        return last - (last - first) * share


@dataclass(frozen=True)
class Matches:
    """How many documents match."""

    total: int
    estimated: bool = False  # counted on the sample and scaled up
    ids: list[int] | None = None  # all of them, when there are few (RANK_ALL_UP_TO)


def _results(cursor, request: SearchRequest, match: Match, span: Span) -> SearchResults:
    """Total, page and facets, each in the cheapest way its size allows (see the README's
    "How fast"): exact for a few thousand matches, estimated from the sample above; a
    phrase of common words among the newest documents that have all its words."""
    where, params = _where(request, match)
    params |= sql.HIGHLIGHT_PARAMS | {
        "positive": match.positive,
        "limit": _bounded(request.page_size),
        "offset": _bounded(request.offset),
        "facet_limit": _bounded(request.facet_limit),
    }
    scale = 1.0
    if _PHRASE.search(match.positive) and not request.date_range:
        where, scale = _phrase_window(cursor, where, params, match, span)
    matches = _count(cursor, where, params, words=bool(match.positive))
    if matches.ids is not None:  # few: found once, read again by id, not tested again
        where, params["match_ids"] = "m.article_id = ANY(%(match_ids)s::bigint[])", matches.ids
    hits = _page(cursor, request, match, where, params, matches, span)
    facets, sampled = {}, False
    if request.facets:
        sampled = bool(match.positive) and matches.total > FACETS_EXACTLY_UP_TO
        facets = _facets(cursor, where, params, sampled)
    if scale > 1:  # counted in the window: scaled to the whole archive, as estimates
        matches = replace(matches, total=round(matches.total * scale), estimated=True)
        facets = {
            name: [replace(facet, count=round(facet.count * scale)) for facet in counts]
            for name, counts in facets.items()
        }
        sampled = bool(facets)
    return SearchResults(
        total=matches.total,
        hits=hits,
        facets=facets,
        total_is_estimate=matches.estimated,
        facets_are_estimates=sampled,
    )


def _phrase_window(cursor, where: str, params: dict, match: Match, span: Span) -> tuple[str, float]:
    """A phrase is checked in each document that has all its words, whose positions only
    its tsvector holds (read from TOAST, about 15 µs a document). When the sample promises
    more than PHRASE_CHECKS such documents, the phrase is looked for among the newest
    documents, in a stretch of time expected to hold about that many: the condition that
    keeps to them, and how many times more the whole archive holds (to scale counts by).
    Else (the condition, 1)."""
    every_word = where.replace("%(match)s", "%(every_word)s")
    params["every_word"] = _PHRASE.sub("&", match.positive)  # exclusions left out
    sample = _fetch(cursor, sql.count_statement(every_word, sampled=True), params)[0]
    having_words = sample * sql.SAMPLE_EVERY
    if having_words <= PHRASE_CHECKS or span.first is None or span.last is None:
        return where, 1.0
    share = PHRASE_CHECKS / having_words
    params["phrase_start"] = span.last - (span.last - span.first) * share
    return f"{where} AND m.published_at >= %(phrase_start)s", 1 / share


def _count(cursor, where: str, params: dict, words: bool) -> Matches:
    """The number of matches, exact or estimated, in one statement.

    With words, the sample is counted first; a sample that promises more than
    COUNT_EXACTLY_UP_TO gives the estimate, else the matches are counted, up to the bound.
    Without words (filters alone) the sample has no index to use: every match is counted.
    """
    if not words:
        return Matches(_fetch(cursor, sql.count_statement(where), params)[0])
    bound = {
        "count_bound": COUNT_EXACTLY_UP_TO,
        "count_limit": COUNT_EXACTLY_UP_TO + 1,
        "ids_up_to": RANK_ALL_UP_TO,
    }
    sample, counted, ids = _fetch(cursor, sql.sampled_count_statement(where), params | bound)
    estimate = sample * sql.SAMPLE_EVERY
    if estimate > COUNT_EXACTLY_UP_TO:
        return Matches(estimate, estimated=True)
    if counted > COUNT_EXACTLY_UP_TO:  # the sample was unlucky: the bound is what we know
        return Matches(max(counted, estimate), estimated=True)
    if counted > RANK_ALL_UP_TO:  # too many to keep: array_agg gave none
        return Matches(counted)
    return Matches(counted, ids=ids or [])  # no rows: NULL


def _page(
    cursor,
    request: SearchRequest,
    match: Match,
    where: str,
    params: dict,
    matches: Matches,
    span: Span,
) -> list[Hit]:
    """The page's hits.

    By relevance: every match ranked when there are up to RANK_ALL_UP_TO, else candidates
    (the matches with the words in their title and the newest matches, RANK_CANDIDATES of
    each) ranked, then the other matches newest first. Newest first: among the newest
    stretch of time expected to hold the page (_newest), else among every match.
    """
    words = bool(match.positive)
    order = _order(request, match)
    by_rank = order == sql.ORDER_BY_RANK
    if by_rank and matches.total > RANK_ALL_UP_TO:
        return _page_of_candidates(cursor, request, match, where, params, matches, span)
    statement = partial(sql.page_statement, order=order, words=words, by_rank=by_rank)
    if words and order == sql.ORDER_BY_NEWEST and matches.ids is None:
        wanted = request.offset + request.page_size
        rows = _newest(cursor, statement, where, params, request, matches, span, wanted)
    else:
        rows = json.loads(_fetch(cursor, statement(where), params)[0] or "[]")
    return [_hit(*row, highlighted=words) for row in rows]


def _newest(
    cursor,
    statement: Callable[[str], str],
    where: str,
    params: dict,
    request: SearchRequest,
    matches: Matches,
    span: Span,
    wanted: int,
) -> list:
    """The rows of a newest-first statement (JSON rows, ``wanted`` of them deep) found in
    the newest stretch of time Span.window_start expects to hold them: the date index and
    the GIN index intersected, no row's tsvector read. A stretch that held too few is
    widened, and at last every match is sorted. The newest matches of a stretch that holds
    enough are the newest of all: the order is exact."""
    total = matches.total
    for _attempt in range(3):
        start = span.window_start(request, total, wanted)
        if start is None:
            break
        windowed = f"{where} AND m.published_at >= %(window_start)s"
        found = _fetch(cursor, statement(windowed), params | {"window_start": start})[0]
        rows = json.loads(found or "[]")
        if len(rows) >= params["limit"]:  # a full page: fewer would end the results
            return rows
        total = max(1, total // 8)  # fewer there than expected: a stretch 8 times longer
    return json.loads(_fetch(cursor, statement(where), params)[0] or "[]")


def _page_of_candidates(
    cursor,
    request: SearchRequest,
    match: Match,
    where: str,
    params: dict,
    matches: Matches,
    span: Span,
) -> list[Hit]:
    """Relevance over many matches: the candidates ranked, then the other matches newest
    first. The order is the same whichever page is asked for, so pages never overlap."""
    candidates = _candidates(cursor, request, match, where, params, matches, span)
    params = params | {"candidate_ids": candidates}
    in_candidates = "m.article_id = ANY(%(candidate_ids)s::bigint[])"
    statement = sql.page_statement(in_candidates, sql.ORDER_BY_RANK, words=True, by_rank=True)
    rows = json.loads(_fetch(cursor, statement, params)[0] or "[]")
    wanted = request.page_size - len(rows)
    if wanted > 0 and request.offset + len(rows) >= len(candidates):
        rest = partial(sql.page_statement, order=sql.ORDER_BY_NEWEST, words=True, by_rank=False)
        offset = request.offset + len(rows) - len(candidates)
        more = params | {"limit": wanted, "offset": offset}
        deep = offset + wanted + len(candidates)
        rows += _newest(
            cursor, rest, f"{where} AND NOT {in_candidates}", more, request, matches, span, deep
        )
    return [_hit(*row, highlighted=True) for row in rows]


def _candidates(
    cursor,
    request: SearchRequest,
    match: Match,
    where: str,
    params: dict,
    matches: Matches,
    span: Span,
) -> list[int]:
    """The newest RANK_CANDIDATES matches with the words in their title, then the newest
    RANK_CANDIDATES matches (in the newest stretch of time expected to hold them, as
    _newest), in one statement."""
    params = params | {
        "candidates": RANK_CANDIDATES,
        "title_match": _without_weights(match.positive),
    }
    total = matches.total
    for _attempt in range(3):
        start = span.window_start(request, total, RANK_CANDIDATES)
        windowed = f"{where} AND m.published_at >= %(window_start)s" if start else where
        in_title, newest = _fetch(
            cursor, sql.candidates_statement(where, windowed), params | {"window_start": start}
        )
        if start is None or len(newest) >= RANK_CANDIDATES:
            return list(dict.fromkeys(in_title + newest))
        total = max(1, total // 8)
    statement = sql.candidates_statement(where, where)
    in_title, newest = _fetch(cursor, statement, params)
    return list(dict.fromkeys(in_title + newest))


def _without_weights(tsquery: str) -> str:
    """The tsquery without weight restrictions ('word':A is 'word'; 'word':*A is 'word':*):
    the title's own tsvector has no weights."""
    return _WEIGHTS.sub(lambda m: "':*" if m[1] else "'", tsquery)


def _facets(cursor, where: str, params: dict, sampled: bool) -> dict[str, list[FacetCount]]:
    row = _fetch(cursor, sql.facets_statement(where, sampled), params)
    return {
        name: [FacetCount(str(value), n) for value, n in json.loads(counts or "[]")]
        for name, counts in zip(sql.FACETS, row, strict=True)
    }


def _bounded(number: int) -> int:
    # LIMIT and OFFSET take a bigint: page=10**30 in a URL must not be a database error.
    return min(max(number, 0), 2**62)


# Planner settings. The planner does not count reading a row's tsvector from TOAST (about
# 11 µs a row): for a word in half of 50,000 documents it chose a sequential scan (320 ms)
# over the GIN index (36 ms); with a date range it read the range's rows from the date
# index and tested each (100 ms) rather than intersecting both indexes (15 ms). With words,
# a search finds its matches with bitmaps of indexes (GIN's only way), with random_page_cost
# 1.1 (index and table in memory, or on SSD) so that it intersects them.
_BITMAPS = {"enable_seqscan": "off", "enable_indexscan": "off", "random_page_cost": "1.1"}
_WEIGHTS = re.compile(r"':(\*?)[A-D]+")
_PHRASE = re.compile(r"<(?:-|\d+)>")  # the followed-by operators: <-> and <N>


def _fetch(cursor, statement: str, params: dict, planner: dict[str, str] | None = None) -> tuple:
    """Run a statement for its one row."""
    return _fetch_all(cursor, statement, params, planner)[0]


def _fetch_all(cursor, statement: str, params: dict, planner: dict[str, str] | None = None) -> list:
    with _planner(cursor, planner or {}):
        cursor.execute(statement, params)
        return cursor.fetchall()


@contextmanager
def _planner(
    cursor, settings: dict[str, str], put_back: bool = True, previous: list | None = None
) -> Iterator[None]:
    """Planner settings for what runs inside, put back after it (SET LOCAL inside a
    savepoint outlives it): one round trip to set them all (none when ``previous`` says
    they were set already, with what they were), one to put them back."""
    if not settings:
        yield
        return
    names = list(settings)
    if previous is None:
        pairs = [item for name in names for item in (name, settings[name])]
        cursor.execute(sql.settings_statement(len(names)), [*names, *pairs])
        previous = list(cursor.fetchone()[: len(names)])
    yield
    if put_back:
        _put_back(cursor, names, previous)


def _put_back(cursor, names: list[str], values: list) -> None:
    pairs = [item for pair in zip(names, values, strict=True) for item in pair]
    cursor.execute(sql.settings_statement(len(names), read=False), pairs)


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
    where, params = _where(corrected, compile_query(cursor, corrected.query))
    # Only whether it finds more matters: counting stops there.
    limit = {"count_limit": total + 1, "ids_up_to": 0}
    found = _fetch(cursor, sql.bounded_count_statement(where), params | limit)[0]
    return suggestion if found > total else None


def _query_text(query: ParsedQuery) -> str:
    """The query as a reader would type it, for requests built without the parser."""

    def term(t: Term) -> str:
        text = f'"{t.text}"' if t.is_phrase else t.text
        return f"title:{text}" if t.field == "title" else text

    groups = [" OR ".join(term(t) for t in group) for group in query.groups]
    return " ".join(groups + [f"-{term(t)}" for t in query.excluded])
