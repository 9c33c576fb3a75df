"""How the PostgreSQL search backend finds a search's total, page and facets, each in the
cheapest way its size allows (see the README's "How fast"): exact for a few thousand
matches; above, the total and facets estimated on a sample, relevance over candidates,
newest first in the newest stretch of time expected to hold the page, a phrase of common
words among the newest documents that have all its words.
"""

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import partial
from math import ceil

from django.db.backends.utils import CursorWrapper

from search.backends import base
from search.backends import postgres_sql as sql
from search.backends.base import FacetCount, Hit, SearchRequest, SearchResults
from search.backends.postgres_query import Match, conditions, fetch, midnight, order

# Above these many matches (chosen measuring 100,000 and 1,000,000 articles, see
# bench/RESULTS.md): totals and facets come from the sample and are labelled as estimates,
# and ranking by relevance ranks candidates rather than every match.
COUNT_EXACTLY_UP_TO = 2_000
FACETS_EXACTLY_UP_TO = 2_000
RANK_ALL_UP_TO = 200
# The matches counted exactly are kept by id, up to this many, so that finding the page's
# candidates, the page and the facets reads those rows by id instead of testing the words
# again (a word with a filter: each row's tsvector read from TOAST once more, each time).
KEEP_IDS_UP_TO = COUNT_EXACTLY_UP_TO
RANK_CANDIDATES = 100
# Newest matches are looked for in the newest stretch of time expected to hold this many
# times as many as wanted (see Span.window_start).
WINDOW_MARGIN = 3
# A phrase is checked first in about this many of the newest documents that have all its
# words; where they hold less than the page asked for, in more (_wider: up to this many
# times more), and so on.
PHRASE_CHECKS = 1_500
PHRASE_WIDENING = 8


@dataclass(frozen=True)
class Span:
    """The dates of the archive's first and last documents (None: no document)."""

    first: datetime | None = None
    last: datetime | None = None

    def window_start(self, request: SearchRequest, total: int, wanted: int) -> datetime | None:
        """The start of the newest stretch of time expected to hold ``wanted`` of ``total``
        matches WINDOW_MARGIN times over, as if documents were spread evenly over time
        (within the request's dates); None when that is most of the time there is."""
        return self._window(request, total, wanted, newest=True)

    def window_end(self, request: SearchRequest, total: int, wanted: int) -> datetime | None:
        """The end of the oldest such stretch of time, as window_start."""
        return self._window(request, total, wanted, newest=False)

    def _window(
        self, request: SearchRequest, total: int, wanted: int, newest: bool
    ) -> datetime | None:
        first, last = self.first, self.last
        if first is None or last is None or total <= 0:
            return None
        if request.date_range and request.date_range.start:
            first = max(first, midnight(request.date_range.start))
        if request.date_range and request.date_range.end and request.date_range.end < date.max:
            last = min(last, midnight(request.date_range.end + timedelta(days=1)))
        share = WINDOW_MARGIN * wanted / total
        if share >= 0.5 or last <= first:
            return None
        return last - (last - first) * share if newest else first + (last - first) * share


@dataclass(frozen=True)
class Matches:
    """How many documents match."""

    total: int
    estimated: bool = False  # counted on the sample and scaled up
    # All of them, newest first (ORDER_BY_NEWEST), when there are few (KEEP_IDS_UP_TO).
    ids: list[int] | None = None

    def then(self, older: "Matches") -> "Matches":
        """These matches and those of an older stretch of time, as one."""
        total = self.total + older.total
        if self.estimated or older.estimated:
            return Matches(total, estimated=True)
        if self.ids is None or older.ids is None or total > KEEP_IDS_UP_TO:
            return Matches(total)
        return Matches(total, ids=self.ids + older.ids)  # newest first, as each is


def find_results(cursor, request: SearchRequest, match: Match, span: Span) -> SearchResults:
    """Total, page and facets, each in the cheapest way its size allows (see the README's
    "How fast"): exact for a few thousand matches, estimated from the sample above; a
    phrase of common words among the newest documents that have all its words."""
    where, params = conditions(request, match)
    params |= sql.HIGHLIGHT_PARAMS | {
        "positive": match.positive,
        "limit": _bounded(request.page_size),
        "offset": _bounded(request.offset),
        "facet_limit": _bounded(request.facet_limit),
    }
    scale = 1.0
    if _PHRASE.search(match.positive) and not request.date_range:
        wanted = request.offset + request.page_size
        where, scale, matches = _phrase_matches(cursor, request, where, params, match, span, wanted)
    else:
        matches = _count(cursor, where, params, words=bool(match.positive))
    if matches.ids is not None:  # few: found once, read again by id, not tested again
        where, params["match_ids"] = sql.in_ids("match_ids"), matches.ids
    hits = _PageSearch(cursor, request, match, where, params, matches, span).hits()
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


def _phrase_matches(
    cursor,
    request: SearchRequest,
    where: str,
    params: dict,
    match: Match,
    span: Span,
    wanted: int,
) -> tuple[str, float, Matches]:
    """A phrase is checked in each document that has all its words, whose positions only
    its tsvector holds (read from TOAST, about 15 µs a document). When the sample promises
    more than PHRASE_CHECKS such documents, the phrase is looked for among the newest
    documents, in a stretch of time expected to hold about that many; a stretch where it is
    found fewer than ``wanted`` times is widened (_wider), and at last every document with
    the words is checked: a rare phrase of common words (a quotation) is found wherever it
    is, never missed for being old. Each widening checks only the documents it adds, older
    than those checked before, and so does the last step: no document is checked twice.
    Returns the condition that keeps to the stretch, how many times more the whole archive
    holds (to scale counts by), and the matches in the stretch; for every document (the
    condition, 1, the matches). ``where`` and ``params``: the request's conditions
    (``conditions``); the every-word and row-by-row tests are made by ``conditions``
    for the request."""
    every_word, words_params = conditions(request, match, words=_PHRASE.sub("&", match.positive))
    every_word_params = params | words_params  # exclusions left out
    sample = fetch(cursor, sql.count_statement(every_word, sampled=True), every_word_params)[0]
    having_words = sample * sql.SAMPLE_EVERY
    checked_each = conditions(request, match, row_by_row=True)[0]
    in_candidates = f"{checked_each} AND {sql.in_ids('phrase_candidates')}"
    checks, candidates, found = PHRASE_CHECKS, [], Matches(0, ids=[])
    checked_from = None  # where the stretch checked so far begins: none yet
    while having_words > checks and span.first is not None and span.last is not None:
        share = checks / having_words
        start = span.last - (span.last - span.first) * share
        added_part = "m.published_at >= %(phrase_start)s"
        if checked_from is not None:
            added_part += " AND m.published_at < %(phrase_end)s"
        # The added part's documents with every word first, by the word index alone (words
        # ANDed need no tsvector read) and their dates; then the phrase is checked in those
        # alone, by id. As one condition, the planner checked the phrase in every document
        # with the words, a tsvector read from TOAST each, and tested the date after
        # (1,000,000 articles: 7,000 read for 1,500 in the stretch, 71 ms). Counted without
        # the sample: the planner would check each candidate's phrase before its id's hash
        # (it orders the tests by their catalogued cost).
        in_added_part = sql.ids_statement(f"{every_word} AND {added_part}")
        bounds = {"phrase_start": start, "phrase_end": checked_from}
        added = fetch(cursor, in_added_part, every_word_params | bounds)[0] or []
        params["phrase_candidates"] = added
        found = found.then(_count(cursor, in_candidates, params, words=True, sampled=False))
        candidates += added
        if found.total >= wanted:
            params["phrase_candidates"] = candidates
            return in_candidates, 1 / share, found
        checks = _wider(checks, found=found.total, wanted=wanted)
        checked_from = start
    if checked_from is None:  # few documents have the words: all are checked at once
        return where, 1.0, _count(cursor, where, params, words=True)
    params["phrase_end"] = checked_from
    older = _count(cursor, f"{where} AND m.published_at < %(phrase_end)s", params, words=True)
    return where, 1.0, found.then(older)


def _wider(checks: int, found: int, wanted: int) -> int:
    """How many documents with a phrase's words to check next, when ``checks`` of them
    held it ``found`` times, fewer than ``wanted``: as many as its frequency there says the
    page needs, half as many again (at least twice as many), or PHRASE_WIDENING times as
    many when it was not found at all or that is fewer."""
    if not found:
        return checks * PHRASE_WIDENING
    return ceil(checks * min(PHRASE_WIDENING, max(2.0, 1.5 * wanted / found)))


def _count(cursor, where: str, params: dict, words: bool, sampled: bool = True) -> Matches:
    """The number of matches, exact or estimated, in one statement.

    With words, the sample is counted first; a sample that promises more than
    COUNT_EXACTLY_UP_TO gives the estimate, else the matches are counted, up to the bound.
    Without words (filters alone) the sample has no index to use: every match is counted.
    Not ``sampled``, they are counted up to the bound at once (the candidates of a phrase's
    stretch of time, see _phrase_matches).
    """
    if not words:
        return Matches(fetch(cursor, sql.count_statement(where), params)[0])
    bound = {
        "count_bound": COUNT_EXACTLY_UP_TO,
        "count_limit": COUNT_EXACTLY_UP_TO + 1,
        "ids_up_to": KEEP_IDS_UP_TO,
    }
    if sampled:
        sample, counted, ids = fetch(cursor, sql.sampled_count_statement(where), params | bound)
    else:
        sample = 0
        counted, ids = fetch(cursor, sql.bounded_count_statement(where), params | bound)
    estimate = sample * sql.SAMPLE_EVERY
    if estimate > COUNT_EXACTLY_UP_TO:
        return Matches(estimate, estimated=True)
    if counted > COUNT_EXACTLY_UP_TO:  # the sample was unlucky: the bound is what we know
        return Matches(max(counted, estimate), estimated=True)
    if counted > KEEP_IDS_UP_TO:  # too many to keep: array_agg gave none
        return Matches(counted)
    return Matches(counted, ids=ids or [])  # no rows: NULL


@dataclass(frozen=True)
class _PageSearch:
    """One search's page being found: what find_results has learnt by then (the conditions
    every match meets, with their parameters, and how many matches there are), which each
    way of finding the page reads and passes on unchanged."""

    cursor: CursorWrapper
    request: SearchRequest
    match: Match
    where: str
    params: dict
    matches: Matches
    span: Span

    def hits(self) -> list[Hit]:
        """The page's hits.

        By relevance: every match ranked when there are up to RANK_ALL_UP_TO, else candidates
        (the matches with the words in their title and the newest matches, RANK_CANDIDATES of
        each) ranked, then the other matches newest first. Newest first: among the newest
        stretch of time expected to hold the page (_by_date), else among every match; oldest
        first likewise.
        """
        words = bool(self.match.positive)
        ordering = order(self.request, self.match)
        by_rank = ordering == sql.ORDER_BY_RANK
        if by_rank and self.matches.total > RANK_ALL_UP_TO:
            return self._page_of_candidates()
        statement = partial(sql.page_statement, order=ordering, words=words, by_rank=by_rank)
        oldest = ordering == sql.ORDER_BY_OLDEST
        if words and not by_rank and self.matches.ids is not None:
            rows = self._page_of_kept_ids(statement, oldest)
        elif words and not by_rank:
            wanted = self.request.offset + self.request.page_size
            rows = self._by_date(statement, wanted, oldest)
        else:
            rows = _json_rows(self.cursor, statement(self.where), self.params)
        return [_hit(*row, highlighted=words) for row in rows]

    def _page_of_kept_ids(self, statement: Callable[[str], str], oldest: bool) -> list:
        """The rows of a newest (or oldest) first page of matches kept by id: the ids are in
        that order already, so the page's rows are read by id, not all of them sorted again."""
        in_order = self.matches.ids[::-1] if oldest else self.matches.ids
        start = self.request.offset
        page_ids = in_order[start : start + self.request.page_size]
        params = self.params | {"page_ids": page_ids, "offset": 0}
        return _json_rows(self.cursor, statement(sql.in_ids("page_ids")), params)

    def _by_date(self, statement: Callable[[str], str], wanted: int, oldest: bool = False) -> list:
        """The rows of a newest-first statement (JSON rows, ``wanted`` of them deep) found in
        the newest stretch of time Span.window_start expects to hold them (oldest first: the
        oldest stretch): the date index and the GIN index intersected, no row's tsvector
        read. A stretch that held too few is widened, and at last every match is sorted. The
        newest matches of a stretch that holds enough are the newest of all: the order is
        exact."""
        cursor, where, params, span = self.cursor, self.where, self.params, self.span
        total = self.matches.total
        window, condition = (
            (span.window_end, "m.published_at <= %(window)s")
            if oldest
            else (span.window_start, "m.published_at >= %(window)s")
        )
        for _attempt in range(3):
            bound = window(self.request, total, wanted)
            if bound is None:
                break
            windowed = f"{where} AND {condition}"
            rows = _json_rows(cursor, statement(windowed), params | {"window": bound})
            if len(rows) >= params["limit"]:  # a full page: fewer would end the results
                return rows
            total = max(1, total // 8)  # fewer there than expected: a stretch 8 times longer
        return _json_rows(cursor, statement(where), params)

    def _page_of_candidates(self) -> list[Hit]:
        """Relevance over many matches: the candidates ranked, then the other matches newest
        first. The order is the same whichever page is asked for, so pages never overlap."""
        request = self.request
        candidates = self._candidates()
        params = self.params | {"candidate_ids": candidates}
        in_candidates = sql.in_ids("candidate_ids")
        statement = sql.page_statement(in_candidates, sql.ORDER_BY_RANK, words=True, by_rank=True)
        rows = _json_rows(self.cursor, statement, params)
        wanted = request.page_size - len(rows)
        if wanted > 0 and request.offset + len(rows) >= len(candidates):
            rest = partial(sql.page_statement, order=sql.ORDER_BY_NEWEST, words=True, by_rank=False)
            offset = request.offset + len(rows) - len(candidates)
            others = replace(
                self,
                where=f"{self.where} AND NOT {in_candidates}",
                params=params | {"limit": wanted, "offset": offset},
            )
            rows += others._by_date(rest, wanted=offset + wanted + len(candidates))
        return [_hit(*row, highlighted=True) for row in rows]

    def _candidates(self) -> list[int]:
        """The newest RANK_CANDIDATES matches with the words in their title, then the newest
        RANK_CANDIDATES matches (in the newest stretch of time expected to hold them, as
        _by_date), in one statement."""
        where = self.where
        params = self.params | {
            "candidates": RANK_CANDIDATES,
            "title_match": _without_weights(self.match.positive),
        }
        if self.matches.ids is not None:  # the newest are the first of the kept ids
            statement = sql.title_candidates_statement(where)
            in_title = fetch(self.cursor, statement, params)[0]
            return list(dict.fromkeys(in_title + self.matches.ids[:RANK_CANDIDATES]))
        total = self.matches.total
        for _attempt in range(3):
            start = self.span.window_start(self.request, total, RANK_CANDIDATES)
            windowed = f"{where} AND m.published_at >= %(window_start)s" if start else where
            in_title, newest = fetch(
                self.cursor,
                sql.candidates_statement(where, windowed),
                params | {"window_start": start},
            )
            if start is None or len(newest) >= RANK_CANDIDATES:
                return list(dict.fromkeys(in_title + newest))
            total = max(1, total // 8)
        statement = sql.candidates_statement(where, where)
        in_title, newest = fetch(self.cursor, statement, params)
        return list(dict.fromkeys(in_title + newest))


def _without_weights(tsquery: str) -> str:
    """The tsquery without weight restrictions ('word':A is 'word'; 'word':*A is 'word':*):
    the title's own tsvector has no weights."""
    return _WEIGHTS.sub(lambda m: "':*" if m[1] else "'", tsquery)


def _facets(cursor, where: str, params: dict, sampled: bool) -> dict[str, list[FacetCount]]:
    row = fetch(cursor, sql.facets_statement(where, sampled), params)
    return {
        name: [FacetCount(str(value), n) for value, n in json.loads(counts or "[]")]
        for name, counts in zip(sql.FACETS, row, strict=True)
    }


def _json_rows(cursor, statement: str, params: dict) -> list:
    """The rows of a statement that gives them as one JSON array (NULL for none)."""
    return json.loads(fetch(cursor, statement, params)[0] or "[]")


def _bounded(number: int) -> int:
    # LIMIT and OFFSET take a bigint: page=10**30 in a URL must not be a database error.
    return min(max(number, 0), 2**62)


# Planner settings. The planner does not count reading a row's tsvector from TOAST (about
# 11 µs a row): for a word in half of 50,000 documents it chose a sequential scan (320 ms)
# over the GIN index (36 ms); with a date range it read the range's rows from the date
# index and tested each (100 ms) rather than intersecting both indexes (15 ms). With words,
# a search finds its matches with bitmaps of indexes (GIN's only way), with random_page_cost
# 1.1 (index and table in memory, or on SSD) so that it intersects them.
BITMAPS = {"enable_seqscan": "off", "enable_indexscan": "off", "random_page_cost": "1.1"}
_WEIGHTS = re.compile(r"':(\*?)[A-D]+")
_PHRASE = re.compile(r"<(?:-|\d+)>")  # the followed-by operators: <-> and <N>


def _hit(article_id: int, score: float, title: str, snippet: str, highlighted: bool) -> Hit:
    if not highlighted:
        snippet = base.first_words(snippet)
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
