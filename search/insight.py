"""What readers search for, for editors: each portal search logged without personal data,
the week's top queries and the queries that found nothing; and editors' picks.
"""

import atexit
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Count, Max
from django.utils import timezone

from archive.models import Article
from search.forms import SearchParams
from search.models import SearchLog, SearchPromotion

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200

# What a reader may type that identifies someone: kept out of the log.
_EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER_RUN = re.compile(r"\+?\(?\d[\d ()./-]{6,}\d")
_DATE_PART = re.compile(r"(?:19|20)\d\d|\d\d?")


def fold_query(q: str) -> str:
    """One form per query: "Deir  EZ-Zor " and "deir ez-zor" count together."""
    return " ".join(q.casefold().split())[:MAX_QUERY_LENGTH]


def _phone_like(match: re.Match) -> str:
    groups = [group for group in re.split(r"\D+", match.group(0)) if group]
    digits = sum(len(group) for group in groups)
    if digits >= 9 and not all(_DATE_PART.fullmatch(group) for group in groups):
        return "[number]"
    return match.group(0)  # a date or a date range ("date:2017-08-01..2017-08-31")


def query_for_the_log(q: str) -> str:
    """The folded query with e-mail addresses and phone-like numbers blanked: readers
    sometimes search for a person's address or number, and the log keeps no personal data."""
    q = _EMAIL_ADDRESS.sub("[e-mail]", q)
    return fold_query(_NUMBER_RUN.sub(_phone_like, q))


def log_search(params: SearchParams, hit_count: int) -> None:
    """Log a portal search: its query, filters, hit count and day; nothing about who
    searched. Further pages of the same search are not new searches. The row waits in this
    process's SearchLogBuffer for at most SEARCH_LOG_FLUSH_SECONDS."""
    if params.page != 1 or params.is_blank:
        return
    filters = {
        "outlet": list(params.outlets),
        "tag": list(params.tags),
        "region": list(params.regions),
        "language": params.language,
        "since": params.date_from.isoformat() if params.date_from else "",
        "until": params.date_to.isoformat() if params.date_to else "",
    }
    search_logs.add(
        SearchLog(
            query=query_for_the_log(params.q),
            filters={key: value for key, value in filters.items() if value},
            hit_count=hit_count,
            day=timezone.now().date(),
        )
    )


LOG_BUFFER_MOST_ROWS = 500


class SearchLogBuffer:
    """Search log rows kept in memory and written together: one insert of the rows of a
    few seconds instead of a transaction a page, which cost a tantivy results page about
    0.5 ms, and on SQLite took the database's one write lock each time (from an ingest, a
    comment, an editor). Written when the oldest row is SEARCH_LOG_FLUSH_SECONDS old or
    ``most_rows`` wait, by the next search or the end of any request (search/signals.py),
    and when the process exits. A process killed outright loses its last few seconds of
    rows: the log is counted, not kept for anyone. Best effort: rows that cannot be written
    (a full disk, a database another process keeps locked past the timeout) are a warning
    in the log, and the reader still gets the results page."""

    def __init__(
        self, most_rows: int = LOG_BUFFER_MOST_ROWS, clock: Callable[[], float] = time.monotonic
    ):
        self.most_rows = most_rows
        self.clock = clock
        self._lock = threading.Lock()
        self._rows: list[SearchLog] = []
        self._oldest_at = 0.0

    def add(self, row: SearchLog) -> None:
        with self._lock:
            if not self._rows:
                self._oldest_at = self.clock()
            self._rows.append(row)
        self.flush_if_due()

    def flush_if_due(self) -> None:
        with self._lock:
            due = self._rows and (
                len(self._rows) >= self.most_rows
                or self.clock() - self._oldest_at >= settings.SEARCH_LOG_FLUSH_SECONDS
            )
            rows, self._rows = (self._rows, []) if due else ([], self._rows)
        self._write(rows)

    def flush(self) -> None:
        with self._lock:
            rows, self._rows = self._rows, []
        self._write(rows)

    def _write(self, rows: list[SearchLog]) -> None:
        if not rows:
            return
        alias = router.db_for_write(SearchLog)
        try:
            with _own_transaction_not_waiting_for_the_disk(alias):
                SearchLog.objects.using(alias).bulk_create(rows)
        except DatabaseError as error:
            logger.warning("Searches were not logged (%d rows): %s", len(rows), error)


search_logs = SearchLogBuffer()
atexit.register(search_logs.flush)


@contextmanager
def _own_transaction_not_waiting_for_the_disk(alias: str) -> Iterator[None]:
    """A transaction of its own (a savepoint inside another), so that a failure is undone
    alone, committed without waiting for the disk: search log rows are counted, not
    kept for anyone, and an fsync a page cost each SQLite page 0.3 ms on a quiet disk and
    more on a busy one. A committed row survives a crash of the process; a power cut may lose
    the last rows, and never leaves a damaged database.

    Inside a transaction already open, the row commits later with it, as it was asked to."""
    connection = connections[alias]
    if connection.get_autocommit() and connection.vendor == "postgresql":
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")  # this transaction only
            yield
    elif connection.get_autocommit() and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            (was,) = cursor.fetchone()
            # In WAL mode (config/settings/base.py), NORMAL syncs at checkpoints only.
            cursor.execute(f"PRAGMA synchronous = {min(int(was), 1)}")  # OFF stays OFF
            try:
                with transaction.atomic(using=alias):
                    yield
            finally:
                cursor.execute(f"PRAGMA synchronous = {int(was)}")
    else:
        with transaction.atomic(using=alias):
            yield


@dataclass(frozen=True)
class QueryCount:
    query: str
    searches: int
    hits: int  # the most any of those searches found


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week ``day`` is in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _counts(logs, limit: int) -> list[QueryCount]:
    rows = (
        logs.values("query")
        .annotate(searches=Count("id"), hits=Max("hit_count"))
        .order_by("-searches", "query")[:limit]
    )
    return [QueryCount(row["query"], row["searches"], row["hits"]) for row in rows]


def top_queries(monday: date, limit: int = 50) -> list[QueryCount]:
    return _counts(SearchLog.objects.filter(day__range=week_of(monday)).exclude(query=""), limit)


def zero_hit_queries(monday: date, limit: int = 50) -> list[QueryCount]:
    week = SearchLog.objects.filter(day__range=week_of(monday), hit_count=0)
    return _counts(week.exclude(query=""), limit)


PROMOTIONS_KEPT_FOR = 60.0  # seconds


class PromotedQueries:
    """The queries editors pinned articles to, remembered in each process for a minute at
    most: nearly every search has no picks, and asking the database so on each first page
    cost about 0.4 ms, a twentieth of a tantivy results page. A promotion saved or deleted
    through the models (the admin) is seen at once by the process that made it
    (search/signals.py), and by every other web worker within that minute."""

    def __init__(
        self, kept_for: float = PROMOTIONS_KEPT_FOR, clock: Callable[[], float] = time.monotonic
    ):
        self.kept_for = kept_for
        self.clock = clock
        self._lock = threading.Lock()
        self._queries: frozenset[str] | None = None
        self._read_at = 0.0
        # Counts forgets: a read that started before the last one may be out of date, and
        # is used once but not kept.
        self._generation = 0

    def __contains__(self, folded_query: str) -> bool:
        with self._lock:
            if self._queries is not None and self.clock() - self._read_at <= self.kept_for:
                return folded_query in self._queries
            generation = self._generation
        queries = frozenset(SearchPromotion.objects.values_list("query", flat=True))
        with self._lock:
            if self._generation == generation:
                self._queries, self._read_at = queries, self.clock()
        return folded_query in queries

    def forget(self) -> None:
        with self._lock:
            self._queries = None
            self._generation += 1


promoted_queries = PromotedQueries()


def editors_picks(q: str) -> list[Article]:
    """The published articles editors pinned to this query, newest first."""
    folded = fold_query(q)
    if folded not in promoted_queries:
        return []
    return list(Article.objects.published().for_listing().filter(promotions__query=folded))
