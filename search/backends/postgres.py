"""PostgreSQL full-text search behind the search contract: the scale path.

Documents live in ``search_document`` (migration search/0002), whose weighted tsvector is a
generated column: title A, tag names and dateline B, body C, all through the
``dateline_search`` configuration (English stemming with accents folded). Searches compile
the parsed query to a tsquery, filter and facet in SQL, and highlight only the page shown
(postgres_query: the query as SQL; postgres_results: how the total, page and facets are
found at any size; postgres_sql: the statements). ``search_word`` holds every indexed word
for pg_trgm spelling suggestions.

The backend never reads the archive's tables. It writes on the primary and reads where
config.routers says (a replica on public pages, when there are replicas).
"""

import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from archive.text import fold
from config.routers import read_database
from search.backends import base
from search.backends import postgres_sql as sql
from search.backends.base import (
    SUGGEST_BELOW,
    SearchBackendError,
    SearchRequest,
    SearchResults,
    SearchUnavailable,
)
from search.backends.postgres_query import (
    compile_for_search,
    compile_query,
    conditions,
    fetch,
    planner_settings,
)
from search.backends.postgres_results import BITMAPS, find_results
from search.documents import SearchDocument
from search.query import WORD, ParsedQuery, Term, parse_query
from search.spelling import ChunksSeen, correctable, in_a_filter


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
            # With words, the GIN index finds the matches (see BITMAPS); walks say so.
            match, span, previous = compile_for_search(cursor, request.query, planner=BITMAPS)
            settings = BITMAPS if previous else {}
            with planner_settings(
                cursor, settings, put_back=not own_transaction, previous=previous
            ):
                results = find_results(cursor, request, match, span)
                if match.has_text and results.total < SUGGEST_BELOW:
                    results.suggestion = _suggestion(cursor, request, results.total)
            return results

    def warm_up(self) -> None:
        # Nothing to load here: what a search reads is the server's, kept in its own cache,
        # and counting the facets of every article is the dearest search there is.
        pass

    def count(self) -> int:
        with _cursor(SearchUnavailable, using=read_database()) as cursor:
            cursor.execute(sql.COUNT)
            return cursor.fetchone()[0]

    # Writing: each a transaction, so readers see all of a write or none of it.

    def apply(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        with _cursor(SearchBackendError) as cursor:
            _write(cursor, upserts, deletions, ChunksSeen())

    def bulk_write(self) -> base.BulkWrite:
        # A write inside the caller's transaction must stay in it (it rolls back with it);
        # from autocommit, the batches can go to a connection of their own.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return base.BufferedWrite(self)
        return BackgroundWrite()

    def clear(self) -> None:
        with _cursor(SearchBackendError) as cursor:
            for statement in sql.CLEAR:
                cursor.execute(statement)

    def rebuild(self, batches: Iterator[Sequence[SearchDocument]]) -> int:
        # One transaction: searches see the old rows (MVCC) until the new ones commit.
        with _cursor(SearchBackendError) as cursor:
            for statement in sql.CLEAR:
                cursor.execute(statement)
            words = ChunksSeen()
            for batch in batches:
                _write(cursor, batch, (), words)
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


class BackgroundWrite(base.BulkWrite):
    """A bulk write that the server does while the caller prepares its next batch: a thread
    with a database connection of its own writes each batch as it is added, all the batches
    up to ``commit`` in one transaction (searches see all of them or none). The thread waits
    for the server without holding the GIL, so the server's work on the documents (parsing,
    stemming, the GIN index: most of an ingest's time on the server) overlaps the caller's
    Python. A write goes on after ``commit``: the next ``add`` starts another transaction.
    A failure is raised by the next ``add`` or by ``commit``; what it had written is rolled
    back, and the write starts afresh with the next ``add``."""

    _COMMIT, _CANCEL = object(), object()

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._batches: queue.SimpleQueue | None = None  # the running thread's
        self._failure: Exception | None = None

    def add(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        if self._thread is not None and not self._thread.is_alive():
            self._end(self._CANCEL)  # it failed: say so now, not after more is sent to it
        if self._thread is None:
            self._batches = queue.SimpleQueue()
            # A daemon: a caller that dies without committing must not wait for it at exit
            # (the server rolls its transaction back when the connection goes).
            self._thread = threading.Thread(
                target=self._write_batches, args=(self._batches,), name="search-write", daemon=True
            )
            self._thread.start()
        self._batches.put((list(upserts), list(deletions)))

    def commit(self) -> None:
        self._end(self._COMMIT)

    def cancel(self) -> None:
        self._end(self._CANCEL)

    def _end(self, how: object) -> None:
        if self._thread is None:
            return
        self._batches.put(how)
        self._thread.join()
        self._thread = None
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def _write_batches(self, batches: queue.SimpleQueue) -> None:
        try:
            with _cursor(SearchBackendError) as cursor:
                words = ChunksSeen()  # this transaction's
                while (batch := batches.get()) is not self._COMMIT:
                    if batch is self._CANCEL:
                        transaction.set_rollback(True)
                        break
                    _write(cursor, *batch, words)
        except Exception as error:  # raised in the caller's thread, whatever it is
            self._failure = error
        finally:
            connection.close()  # this thread's own: Django closes only requests' connections


def _write(
    cursor, upserts: Sequence[SearchDocument], deletions: Iterable[int], words: ChunksSeen
) -> None:
    """``words``: the text whose words this transaction sent the vocabulary table. Every
    batch sent all its words, most of them there already, and the server looked each one
    up in the table's unique index (the unique checks of its inserts were an eighth of its
    CPU for an ingested article). Kept for one transaction only: what it added is there for
    as long as it runs, and gone with it if it rolls back."""
    if ids := sorted(set(deletions)):
        cursor.execute(sql.DELETE, [ids])
    # The last document of an id wins; id order keeps concurrent writers from deadlocking.
    documents = sorted({d.article_id: d for d in upserts}.values(), key=lambda d: d.article_id)
    if not documents:
        return
    with _binding_cursor(cursor.db) as bound:
        bound.execute(sql.UPSERT, _columns(documents))
        if new_words := words.new_words(documents):
            bound.execute(sql.ADD_WORDS, [sorted(new_words)])


@contextmanager
def _binding_cursor(db) -> Iterator:
    """A cursor that sends its parameters apart from the statement, in binary where it says
    ``%b`` (Django's cursors put them into the statement's text): the server takes a
    write's bodies as they are, instead of reading megabytes of quoted array literals
    (array_in) a character at a time. It is Django's cursor wrapper round psycopg's
    server-binding cursor, so errors are Django's and queries are logged and wrapped as
    any other; nothing is prepared (Django's prepare_threshold), which poolers need. ``db``:
    the Django connection of the write's cursor, whose transaction it joins."""
    bound = psycopg.Cursor(db.connection)
    with db.make_debug_cursor(bound) if db.queries_logged else db.make_cursor(bound) as cursor:
        yield cursor


def _columns(documents: Sequence[SearchDocument]) -> list[list]:
    """sql.UPSERT's parameters: one array a column, one position a document."""
    return [
        [d.article_id for d in documents],
        [d.title for d in documents],
        [d.body for d in documents],
        [d.dateline for d in documents],
        ["\n".join(d.tag_names) for d in documents],
        [array_literal(d.tag_slugs) for d in documents],
        [d.outlet_slug for d in documents],
        [array_literal(str(int(i)) for i in d.region_ids) for d in documents],
        [d.language for d in documents],
        [d.published_at for d in documents],
    ]


def array_literal(values: Iterable[str]) -> str:
    """A text[] as PostgreSQL reads it from text: each element quoted, with its backslashes
    and double quotes escaped, so that any text (commas, braces, spaces, "NULL") stays one
    element as it is."""
    quoted = (v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{v}"' for v in quoted) + "}"


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
    suggestion = WORD.sub(
        lambda m: m[0] if in_a_filter(m) else corrections.get(fold(m[0]), m[0]), original
    )
    if suggestion == original:
        return None
    corrected = replace(request, query=parse_query(suggestion).without_filters())
    where, params = conditions(corrected, compile_query(cursor, corrected.query))
    # Only whether it finds more matters: counting stops there.
    limit = {"count_limit": total + 1, "ids_up_to": 0}
    found = fetch(cursor, sql.bounded_count_statement(where), params | limit)[0]
    return suggestion if found > total else None


def _query_text(query: ParsedQuery) -> str:
    """The query as a reader would type it, for requests built without the parser."""

    def term(t: Term) -> str:
        text = f'"{t.text}"' if t.is_phrase else t.text
        return f"title:{text}" if t.field == "title" else text

    groups = [" OR ".join(term(t) for t in group) for group in query.groups]
    return " ".join(groups + [f"-{term(t)}" for t in query.excluded])
