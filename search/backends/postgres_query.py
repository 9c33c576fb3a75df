"""The PostgreSQL search backend's queries as SQL: a parsed query compiled to tsqueries, a
request's filters as conditions, and statements run with planner settings.

Used by search.backends.postgres (the backend) and postgres_results (how a search's total,
page and facets are found).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from search.backends import postgres_sql as sql
from search.backends.base import SearchRequest, Sort
from search.query import DateRange, ParsedQuery, Term

if TYPE_CHECKING:
    from search.backends.postgres_results import Span


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
    # Every group is of title: terms, so ``title`` finds exactly what ``positive`` finds:
    # a document's weight-A lexemes are its title's (migration search/0002).
    title_only: bool = False

    @property
    def finds_nothing(self) -> bool:
        """Words were asked for but none is left to search (stop words only, say)."""
        return self.has_text and not self.positive

    @property
    def tsquery(self) -> str:
        if self.positive and self.negative:
            return f"({self.positive}) & !({self.negative})"
        return f"!({self.negative})" if self.negative else self.positive


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
    return Match(query.has_text, *cursor.fetchone(), title_only=_title_only(query))


def _title_only(query: ParsedQuery) -> bool:
    """Whether every group with something to search holds title: terms alone."""
    searched = [group for group in query.groups if any(_searchable(t) for t in group)]
    return bool(searched) and all(t.field == "title" for group in searched for t in group)


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


def compile_for_search(
    cursor, query: ParsedQuery, planner: dict[str, str]
) -> tuple[Match, "Span", list | None]:
    """compile_query, and when the query has words to search, in the same round trip the
    archive's first and last dates (planned before the settings change) and the planner
    settings for the search applied: the match, the span, and the values the settings had
    (None when not applied)."""
    source = _sources(query)
    if not source["positive"]:
        from search.backends.postgres_results import Span  # it imports this module

        return compile_query(cursor, query), Span(), None
    names = list(planner)
    pairs = [item for name in names for item in (name, planner[name])]
    cursor.execute(sql.compile_with_settings(len(names)), [*source.values(), *names, *pairs])
    row = cursor.fetchone()
    from search.backends.postgres_results import Span  # it imports this module

    match = Match(query.has_text, *row[:3], title_only=_title_only(query))
    span = Span(*row[3:5])
    previous = list(row[5 : 5 + len(names)])
    if not match.positive:  # only stop words: nothing to plan for after all
        restore_settings(cursor, names, previous)
        return match, span, None
    return match, span, previous


def _searchable(term: Term) -> bool:
    return bool(term.text.replace("\x00", "").strip())  # an empty operand is a syntax error


def _operand(term: Term, weighted: bool = True) -> str:
    """The term as a quoted tsquery operand; ':A' keeps a title: term to title lexemes."""
    text = " ".join(term.words).replace("\x00", "")  # PostgreSQL text cannot hold NUL
    quoted = text.replace("\\", "\\\\").replace("'", "''")
    return f"'{quoted}'" + (":A" if weighted and term.field == "title" else "")


def conditions(
    request: SearchRequest, match: Match, words: str | None = None, row_by_row: bool = False
) -> tuple[str, dict]:
    """The filters as SQL conditions (ANDed) and their parameters.

    ``words`` is the tsquery the documents' words are tested with (by default the match's
    own: a phrase's words ANDed, say, to find the documents that have them all);
    ``row_by_row`` tests it in each row (sql.MATCH_EACH) instead of through the word
    index, for candidates already found by id.
    """
    conditions, params = [], {}
    if match.finds_nothing:
        conditions.append("false")
    elif match.title_only and not match.negative:
        # The title's own index and expression alone: testing the weighted vector too reads
        # it from TOAST for every document with the words anywhere, not only in the title.
        conditions.append(f"{sql.TITLE_VECTOR} @@ %(title_words)s::tsquery")
        params["title_words"] = match.title
    elif match.tsquery:
        conditions.append(sql.MATCH_EACH if row_by_row else sql.MATCH)
        params["match"] = match.tsquery if words is None else words
        if match.title:
            conditions.append(f"{sql.TITLE_VECTOR} @@ %(title_words)s::tsquery")
            params["title_words"] = match.title
    filters = {
        "outlet_slug = ANY(%(outlets)s::text[])": ("outlets", list(request.outlets)),
        "tag_slugs @> %(tags)s::text[]": ("tags", list(request.tags)),
        "region_ids @> %(regions)s::bigint[]": ("regions", list(request.regions)),
        # RFC 4647 basic filtering on the stored whole tag (archive.languages): "en" keeps
        # "en" and "en-us". starts_with, not LIKE: a range typed in the query (language:e%)
        # is not validated, and holds no wildcard here. "" (none known) is "und", as the
        # other backends index it.
        "EXISTS (SELECT FROM unnest(%(languages)s::text[]) AS ranges(language_range)"
        " WHERE language = language_range OR starts_with(language, language_range || '-')"
        " OR (language = '' AND language_range = 'und'))": (
            "languages",
            list(request.languages),
        ),
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
        params["date_start"] = midnight(date_range.start)
    if date_range and date_range.end and date_range.end < date.max:
        conditions.append("published_at < %(date_end)s")
        params["date_end"] = midnight(date_range.end + timedelta(days=1))
    return conditions


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def order(request: SearchRequest, match: Match) -> str:
    if request.sort == Sort.OLDEST:
        return sql.ORDER_BY_OLDEST
    if request.sort == Sort.RELEVANCE and match.positive:
        return sql.ORDER_BY_RANK
    return sql.ORDER_BY_NEWEST  # also relevance with no words to rank by


def fetch(cursor, statement: str, params: dict, settings: dict[str, str] | None = None) -> tuple:
    """Run a statement for its one row."""
    return fetch_all(cursor, statement, params, settings)[0]


def fetch_all(cursor, statement: str, params: dict, settings: dict[str, str] | None = None) -> list:
    with planner_settings(cursor, settings or {}):
        cursor.execute(statement, params)
        return cursor.fetchall()


@contextmanager
def planner_settings(
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
        restore_settings(cursor, names, previous)


def restore_settings(cursor, names: list[str], values: list) -> None:
    pairs = [item for pair in zip(names, values, strict=True) for item in pair]
    cursor.execute(sql.settings_statement(len(names), read=False), pairs)
