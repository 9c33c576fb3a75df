"""bench/search.py --bulk-build is a shortcut for the benchmark's big archives: it must give
the rows `manage.py ingest` and `rebuild_index` give, or the benchmark measures another
archive. Both build the same small corpus here, each into a database of its own, and every
row (the search table's tsvector included), index and sequence is compared."""

import argparse
import json

import psycopg
import pytest
from django.db import connection

from bench import search as harness

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only (COPY): runs in the PostgreSQL pass of .ci/run",
)
ARTICLES = 120
TABLES = {
    # table: the query its rows are compared by (``{work}`` is the archive's directory).
    "archive_article": """
        SELECT id, title, slug, canonical_url, published_at, published_time_known, dateline,
               dateline_place, dateline_qualifier, dateline_agency, body, summary, language,
               status, comments_open, content_hash, replace(source, %(work)s, ''), extra,
               outlet_id, dateline_region_id, near_duplicate_of_id, simhash
        FROM archive_article ORDER BY id""",
    "archive_outlet": """
        SELECT id, name, slug, homepage, country, language, date_order, time_zone, boilerplate
        FROM archive_outlet ORDER BY id""",  # not updated_at: when each build ran
    "archive_tag": "SELECT * FROM archive_tag ORDER BY id",
    "archive_article_tags": "SELECT article_id, tag_id FROM archive_article_tags ORDER BY 1, 2",
    "archive_article_regions": (
        "SELECT article_id, region_id FROM archive_article_regions ORDER BY 1, 2"
    ),
    "search_document": "SELECT *, vector::text FROM search_document ORDER BY article_id",
    "search_sample": "SELECT *, vector::text FROM search_sample ORDER BY article_id",
    "search_word": "SELECT word FROM search_word ORDER BY word",
    "indexes": """
        SELECT tablename, indexdef FROM pg_indexes
        WHERE tablename IN ('archive_article', 'archive_article_tags',
                            'archive_article_regions', 'search_document')
        ORDER BY 1, 2""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid::regclass::text LIKE 'archive_article%%' ORDER BY 1, 2""",
    "next article id": "SELECT nextval(pg_get_serial_sequence('archive_article', 'id'))",
}


def _build(tmp_path, name: str, bulk: bool) -> dict:
    args = argparse.Namespace(
        articles=ARTICLES,
        database="postgres",
        backend="postgres",
        bulk_build=bulk,
        corpus_from=None,
    )
    work = tmp_path / name
    work.mkdir()
    return harness.prepare_archive(args, work) | {"work": work}


def _rows(manifest: dict) -> dict[str, list[tuple]]:
    url = harness.database_url(manifest, manifest["work"])
    with psycopg.connect(url) as database:
        return {
            table: database.execute(query, {"work": str(manifest["work"])}).fetchall()
            for table, query in TABLES.items()
        }


def test_the_bulk_build_gives_the_rows_the_ingest_gives(tmp_path):
    try:
        ingested = _rows(_build(tmp_path, "ingest", bulk=False))
        bulk = _rows(_build(tmp_path, "bulk", bulk=True))
    finally:
        # Also a build that failed half way: its manifest names its database.
        for manifest in tmp_path.glob(f"*/{harness.MANIFEST}"):
            harness.drop_database(json.loads(manifest.read_text()))

    assert len(ingested["archive_article"]) == ARTICLES
    assert len(ingested["search_document"]) == ARTICLES
    assert ingested["archive_article_regions"]
    assert ingested["search_word"]
    assert ingested["search_sample"]  # one in 64 of the articles: one of these 120
    for table in TABLES:
        assert bulk[table] == ingested[table], table
