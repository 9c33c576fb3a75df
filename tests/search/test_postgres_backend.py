"""What only the PostgreSQL backend has: its schema, its errors and its refusal of SQLite.

The contract tests (test_contract.py) cover its search behaviour.
"""

import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from search import service
from search.backends.base import SearchBackendError, SearchRequest
from search.documents import SearchDocument
from search.query import ParsedQuery, Term
from search.spelling import ChunksSeen, vocabulary_of
from tests.factories import make_article
from tests.processes import open_search_write

ROOT = Path(__file__).resolve().parents[2]
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: these run in the PostgreSQL pass of .ci/run",
)


WHEN = datetime(2017, 8, 15, 12, tzinfo=UTC)
LATER = datetime(2018, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def document(article_id: int = 1, **fields) -> SearchDocument:
    values = {
        "title": "Kirkuk water shortage",
        "body": "Officials said the wells were running dry.",
        "dateline": "KIRKUK, Iraq",
        "tag_names": ("Water",),
        "tag_slugs": ("water",),
        "outlet_slug": "rudaw",
        "outlet_name": "Rudaw",
        "region_ids": (1, 2),
        "language": "en",
        "published_at": WHEN,
    }
    return SearchDocument(article_id=article_id, **(values | fields))


def test_it_refuses_to_start_on_sqlite(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from search.backends import load_backend\n"
        "load_backend('postgres')\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: SEARCH_BACKEND=postgres needs PostgreSQL; DATABASE_URL points "
        "at sqlite. Use SEARCH_BACKEND=whoosh or a postgres:// DATABASE_URL."
    ) in result.stderr


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_the_database_keeps_the_weighted_vector(backend):
    backend.apply([document()])
    assert _vector() == (
        "'dri':13C 'iraq':6B 'kirkuk':1A,5B 'offici':7C 'run':12C 'said':8C 'shortag':3A "
        "'water':2A,4B 'well':10C"
    )
    # Whatever writes the row, the vector follows its text: it is a generated column.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_document SET title = 'Mosul dam' WHERE article_id = 1")
    assert _vector().startswith("'dam':2A")


def _vector() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text FROM search_document WHERE article_id = 1")
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_a_write_is_one_statement_that_keeps_each_documents_arrays_as_they_are(backend):
    """The documents travel as arrays, a column each (sql.UPSERT): one statement however
    many there are, and a row's own tags and places come back element for element."""
    odd = ("a,b", 'say "hi"', "back\\slash", "{brace}", "NULL", "two words", "", "déjà")
    many = [document(n, title=f"Story {n}", region_ids=(n, 2**40)) for n in range(3, 53)]
    with CaptureQueriesContext(connection) as one:
        backend.apply([document(1, tag_slugs=odd, region_ids=())])
    with CaptureQueriesContext(connection) as fifty:
        backend.apply([*many, document(2, tag_slugs=(), tag_names=())])
    assert len(fifty) == len(one)
    # An upsert: the second write of an id replaces its row.
    backend.apply([document(2, title="Mosul dam", region_ids=(3,), published_at=LATER)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT article_id, title, tags_text, tag_slugs, region_ids, published_at"
            " FROM search_document WHERE article_id IN (1, 2, 3) ORDER BY article_id"
        )
        rows = cursor.fetchall()
    assert rows == [
        (1, "Kirkuk water shortage", "Water", list(odd), [], WHEN),
        (2, "Mosul dam", "Water", ["water"], [3], LATER),
        (3, "Story 3", "Water", ["water"], [3, 2**40], WHEN),
    ]
    assert backend.count() == 52
    kirkuk = service.build_request("kirkuk")
    assert backend.search(kirkuk).total == 52
    assert backend.search(replace(kirkuk, tags=("a,b", 'say "hi"', "NULL"))).total == 1
    assert backend.search(replace(kirkuk, regions=(2**40,))).total == 50


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_the_vector_is_stored_without_compression_and_the_body_with_lz4(backend):
    """Migration search/0007: pglz gave up on tsvectors after trying (STORAGE EXTERNAL does
    not try), and lz4 compresses a body in a fraction of pglz's time."""
    body = " ".join(f"Paragraph {n} of a long report on the wells of Kirkuk." for n in range(80))
    backend.apply([document(body=body)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(vector), pg_column_compression(body),"
            " (SELECT attcompression FROM pg_attribute"
            "  WHERE attrelid = 'search_document'::regclass AND attname = 'body')"
            " FROM search_document"
        )
        vector, compressed, configured = cursor.fetchone()
    assert vector is None
    # A server built without lz4 keeps the default (the migration leaves the column as it is).
    assert compressed == ("lz4" if configured == "l" else "pglz")


@on_postgresql
@pytest.mark.django_db
def test_a_statement_the_server_does_not_support_is_skipped_and_the_migration_goes_on():
    """on_postgres's where_supported (search 0007, archive 0015: SET COMPRESSION lz4 on a
    server built without lz4). The server refuses FOR UPDATE with an aggregate as it would
    refuse lz4 (SQLSTATE 0A000, feature not supported); what follows it still runs, in the
    same transaction; any other error still stops the migration."""
    from search.migrations._postgres import on_postgres

    operation = on_postgres(
        ["CREATE TEMPORARY TABLE migrated (step text)"],
        [],
        where_supported=[
            "SELECT count(*) FROM pg_class FOR UPDATE",
            "INSERT INTO migrated VALUES ('after the refusal')",
        ],
    )
    with connection.schema_editor() as editor:
        operation.code(None, editor)
        with connection.cursor() as cursor:
            cursor.execute("SELECT step FROM migrated")
            assert cursor.fetchall() == [("after the refusal",)]
        failing = on_postgres([], [], where_supported=["SELECT * FROM no_such_table"])
        with pytest.raises(ProgrammingError):
            failing.code(None, editor)


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_suggestions_offer_folded_indexed_words(backend):
    backend.apply([document(title="Fighting near Déir ez-Zor", body="2017 was long.")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM search_word ORDER BY word")
        words = [word for (word,) in cursor.fetchall()]
    # The title's, the body's, the tag's and the dateline's (KIRKUK, Iraq).
    assert words == ["deir", "fighting", "iraq", "kirkuk", "long", "near", "was", "water", "zor"]
    assert backend.search(service.build_request("fightng")).suggestion == "fighting"


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_a_write_of_several_batches_sends_the_words_of_new_text_only(backend, monkeypatch):
    """In one transaction a batch sends only the words of text its earlier batches did not
    hold (the server looked each word up again); the vocabulary gets every word."""
    sent = []
    new_words = ChunksSeen.new_words

    def noted(seen, documents, *also_seen):
        words = new_words(seen, documents, *also_seen)
        sent.append(sorted(words))
        return words

    monkeypatch.setattr(ChunksSeen, "new_words", noted)
    first = [document(1, title="Fighting near Kirkuk"), document(2, title="Water for Mosul")]
    second = [document(3, title="Fighting near Mosul"), document(4, title="Drought in Basra")]

    backend.rebuild(iter([first, second]))

    assert sent == [sorted(vocabulary_of(first)), ["basra", "drought"]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM search_word ORDER BY word")
        assert [word for (word,) in cursor.fetchall()] == sorted(vocabulary_of(first + second))
    assert backend.search(service.build_request("drougth")).suggestion == "drought"


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_a_missing_table_is_a_backend_error_and_a_problem_check_reports(backend):
    assert backend.check() == []
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE search_word")  # undone with the test's transaction
    with pytest.raises(SearchBackendError, match="search_word"):
        backend.apply([document()])
    assert backend.count() == 0  # the failed write left nothing behind
    assert backend.check() == [
        "The PostgreSQL search tables are missing: run `manage.py migrate search`."
    ]


HOSTILE_WORDS = [
    "\x00",
    "'",
    "''",
    "\\",
    "a'b",
    "x:*",
    "&",
    "|",
    "!",
    "<->",
    "(",
    ")",
    ":A",
    "",
    "a b",
]


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
@pytest.mark.parametrize("field", [None, "title"])
def test_terms_built_without_the_parser_cannot_break_the_tsquery(backend, field):
    backend.apply([document()])
    for word in HOSTILE_WORDS:
        term = Term(words=(word, "kirkuk"), field=field)
        for query in (
            ParsedQuery(groups=((term,),)),
            ParsedQuery(groups=((Term(("kirkuk",)),),), excluded=(term,)),
            ParsedQuery(groups=((Term((word,), field),),)),
        ):
            results = backend.search(SearchRequest(query=query))
            assert results.total in (0, 1)


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_odd_paging_and_no_facets(backend):
    backend.apply([document()])
    assert backend.search(SearchRequest(page=10**30)).hits == []
    results = backend.search(SearchRequest(page=0, page_size=0, facets=False))
    assert (results.total, results.hits, results.facets) == (1, [], {})
    for q in ("date:9999", "date:0001", "after:9999-12-31"):  # no day after date.max
        assert backend.search(service.build_request(q)).total == 0


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_with_no_words_the_snippet_is_the_body_start_escaped(backend):
    body = "<p>One & two</p> " + " ".join(f"w{n}" for n in range(100))
    backend.apply([document(body=body)])
    [hit] = backend.search(SearchRequest()).hits
    assert hit.title_html == "Kirkuk water shortage"
    words = " ".join(f"w{n}" for n in range(32))
    assert hit.snippet_html == f"&lt;p&gt;One &amp; two&lt;/p&gt; {words} …"


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_searches_see_the_old_documents_until_a_rebuild_commits(backend):
    make_article(title="Before the rebuild")  # applied on commit
    seen_elsewhere = []

    def batches():
        yield [document(article_id=1000 + n, title=f"Rebuilt {n}") for n in range(3)]
        seen_elsewhere.append(_titles_seen_by_another_connection())
        yield [document(article_id=2000, title="Rebuilt last")]

    try:
        assert backend.rebuild(batches()) == 4
        assert seen_elsewhere == [["Before the rebuild"]]
        assert len(_titles_seen_by_another_connection()) == 4
    finally:
        backend.clear()  # a flush between tests does not know this table


def _titles_seen_by_another_connection() -> list[str]:
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"],
        password=settings["PASSWORD"],
    ) as other:
        rows = other.execute("SELECT title FROM search_document ORDER BY title").fetchall()
    return [title for (title,) in rows]


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_a_search_leaves_the_planner_settings_as_it_found_them(backend):
    backend.apply([document()])
    assert backend.search(service.build_request("kirkuk")).total == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")  # inside the test's transaction still
        assert cursor.fetchone()[0] == "on"


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_stop_words_are_not_corrected(backend):
    backend.apply([document(title="Theft in Kirkuk", body="Thieves took pumps.")])
    assert backend.search(service.build_request("thef kirkuk")).suggestion == "theft kirkuk"
    # "they" is a stop word: it is not searched, so it needs no correction to "theft".
    assert backend.search(service.build_request("they")).suggestion is None


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_a_bulk_write_from_autocommit_is_written_as_it_is_fed_and_seen_at_its_commit(backend):
    """Outside a transaction the batches go to a connection of their own as they are added
    (the server indexes one while the ingest prepares the next); other connections see
    none of them until the commit, then all of them; the write goes on after it."""
    backend.apply([document(1, title="Kept"), document(2, title="Withdrawn")])
    write = backend.bulk_write()
    try:
        write.add([document(3, title="First batch")])
        write.add([document(4, title="Second batch")], deletions=[2])
        # Both written before the commit, in a transaction still open on another connection.
        _wait_until(lambda: open_search_write() == "INSERT INTO search_word")
        assert _titles_seen_by_another_connection() == ["Kept", "Withdrawn"]
        write.commit()
        assert _titles_seen_by_another_connection() == ["First batch", "Kept", "Second batch"]
        _wait_until(lambda: open_search_write() is None)  # its connection closed with it
        write.add([document(5, title="After the commit")])
        write.commit()
        assert len(_titles_seen_by_another_connection()) == 4
    finally:
        write.cancel()
        backend.clear()  # a flush between tests does not know this table


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_a_cancelled_or_failed_bulk_write_leaves_the_index_as_it_was(backend):
    backend.apply([document(1, title="Kept")])
    write = backend.bulk_write()
    try:
        write.add([document(2, title="Cancelled")], deletions=[1])
        write.cancel()
        assert _titles_seen_by_another_connection() == ["Kept"]
        # PostgreSQL refuses a NUL character in text: the whole transaction is rolled back,
        # the batch written before it too, and the failure reaches the caller.
        write.add([document(2, title="Written before the failure")])
        write.add([document(3, title="Refused", body="Nul \x00 byte")])
        with pytest.raises(SearchBackendError, match="0x00"):
            write.commit()
        assert _titles_seen_by_another_connection() == ["Kept"]
        write.add([document(4, title="Written afresh")])  # a new transaction
        write.commit()
        assert _titles_seen_by_another_connection() == ["Kept", "Written afresh"]
    finally:
        write.cancel()
        backend.clear()


@on_postgresql
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_a_bulk_write_inside_a_transaction_joins_it(backend):
    """A connection of its own would commit what the caller's transaction rolls back."""
    with transaction.atomic():
        write = backend.bulk_write()
        write.add([document(1, title="Rolled back with the caller")])
        write.commit()
        assert backend.count() == 1
        transaction.set_rollback(True)
    assert backend.count() == 0


def _wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


WRITER = """
import sys
from datetime import UTC, datetime
import django
django.setup()
from django.db import transaction
from archive.models import Article, Outlet
outlet, _ = Outlet.objects.get_or_create(name=f"Writer {sys.argv[1]}", slug=f"w-{sys.argv[1]}")
for n in range(int(sys.argv[2])):
    with transaction.atomic():  # each commit applies the outbox, as a web worker does
        Article.objects.create(
            outlet=outlet, title=f"Concurrent {sys.argv[1]} {n}", body="Concurrent writers.",
            published_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
"""


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend_name", ["postgres"])
def test_processes_writing_at_once_lose_nothing_and_do_not_deadlock(backend):
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
            f"{settings['NAME']}"
        ),
        "SEARCH_BACKEND": "postgres",
    }
    try:
        writers = [
            subprocess.Popen([sys.executable, "-c", WRITER, name, "20"], env=env, cwd=ROOT)
            for name in "abc"
        ]
        assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0]
        assert backend.count() == 60
        assert backend.search(service.build_request("concurrent")).total == 60
    finally:
        backend.clear()  # a flush between tests does not know this table
