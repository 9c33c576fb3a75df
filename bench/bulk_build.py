"""A benchmark shortcut: load a big archive into PostgreSQL with COPY instead of the ingest.

    python bench/bulk_build.py CORPUS.jsonl   (settings and DATABASE_URL from the environment,
                                               as bench/search.py --bulk-build sets them)

`manage.py ingest` saves about 200 articles a second, so 1,000,000 take most of a day. This
reads the same JSON Lines corpus with the ingest's own code (the JSON Lines reader,
strip_markup, normalise, the content hash and SimHash, outlets, tags, slugs, dateline places
and places covered, all through archive.ingest.pipeline.Ingester's methods), and writes the
rows with COPY (psycopg 3) into a migrated database with its gazetteer loaded:
archive_article, archive_tag, archive_article_tags and archive_article_regions. The search
table is then filled in one INSERT ... SELECT from those rows, as the postgres backend's
rebuild_index would (search.documents.document_for), and search_word from the same
vocabulary (search.spelling.vocabulary_of). The indexes of the loaded tables are dropped
before and made again after (one sort each instead of a million insertions), then VACUUM
ANALYZE.

What it leaves out, because the corpus needs none of it: looking for near-duplicates
(unrelated generated texts differ in about 32 SimHash bits, never the 8 of a copy), updates
of pages already in the archive (every URL is new), the outbox (the index is built here),
history rows (the ingest writes none for first versions). tests/bench/test_bulk_build.py
checks on a small corpus that it yields the rows the ingest and rebuild_index yield.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

# Tables whose indexes are dropped during the load and made again after it.
LOADED_TABLES = (
    "archive_article",
    "archive_article_tags",
    "archive_article_regions",
    "search_document",
)
ARTICLE_COLUMNS = (
    "id",
    "title",
    "slug",
    "canonical_url",
    "published_at",
    "published_time_known",
    "dateline",
    "dateline_place",
    "dateline_qualifier",
    "dateline_agency",
    "body",
    "summary",
    "language",
    "status",
    "comments_open",
    "content_hash",
    "source",
    "extra",
    "ingested_at",
    "updated_at",
    "outlet_id",
    "dateline_region_id",
    "near_duplicate_of_id",
    "simhash",
)
# search.documents.document_for in SQL: tags by name (Tag's ordering), and the ids of the
# regions covered and of the dateline's region, each with its ancestors (Region.path holds
# them, PATH_WIDTH digits each), sorted. Grouped once for all articles (hash aggregates):
# the link tables have no index on article_id during the load.
FILL_SEARCH_DOCUMENTS = """
WITH tags AS (
    SELECT at.article_id, string_agg(t.name, E'\\n' ORDER BY t.name) AS names,
           array_agg(t.slug ORDER BY t.name) AS slugs
    FROM archive_article_tags at JOIN archive_tag t ON t.id = at.tag_id
    GROUP BY at.article_id
),
places AS (
    SELECT article_id, region_id FROM archive_article_regions
    UNION
    SELECT id, dateline_region_id FROM archive_article WHERE dateline_region_id IS NOT NULL
),
regions AS (
    SELECT p.article_id, array_agg(DISTINCT substr(r.path, i, %(width)s)::bigint) AS ids
    FROM places p JOIN archive_region r ON r.id = p.region_id,
         generate_series(1, length(r.path), %(width)s) AS i
    GROUP BY p.article_id
)
INSERT INTO search_document (
    article_id, title, body, dateline, tags_text, tag_slugs, outlet_slug, region_ids,
    language, published_at
)
SELECT a.id, a.title, a.body, a.dateline, coalesce(tags.names, ''),
       coalesce(tags.slugs, '{}'), o.slug, coalesce(regions.ids, '{}'), a.language,
       a.published_at
FROM archive_article a
JOIN archive_outlet o ON o.id = a.outlet_id
LEFT JOIN tags ON tags.article_id = a.id
LEFT JOIN regions ON regions.article_id = a.id
WHERE a.status = 'published' AND a.near_duplicate_of_id IS NULL
ORDER BY a.id
"""
# The indexes of a table that are not its primary key, as statements that make them again:
# a constraint's (unique) with ALTER TABLE, the others with their CREATE INDEX.
SECONDARY_INDEXES = """
SELECT i.indexrelid::regclass::text,
       c.conname,
       CASE WHEN c.conname IS NOT NULL
            THEN format('ALTER TABLE %%I ADD CONSTRAINT %%I %%s', %(table)s::text, c.conname,
                        pg_get_constraintdef(c.oid))
            ELSE pg_get_indexdef(i.indexrelid) END
FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype = 'u'
WHERE i.indrelid = %(table)s::regclass AND NOT i.indisprimary
"""
VOCABULARY_BATCH = 2000


def prepare_rows(corpus: Path, copies: dict, progress_every: int = 50_000) -> set[str]:
    """Read the corpus as the ingest reads it and stream the archive's rows into ``copies``
    (a COPY per table). Returns the spelling vocabulary of what was loaded."""
    from django.utils import timezone

    from archive.fingerprints import simhash
    from archive.ingest.errors import IngestError
    from archive.ingest.normalise import normalise, strip_markup
    from archive.ingest.pipeline import Ingester, read_source
    from archive.ingest.records import ReadContext
    from archive.ingest.sources import open_source
    from archive.models import Article
    from archive.places import places_covered
    from archive.text import content_hash
    from search.documents import SearchDocument, assemble_document
    from search.spelling import vocabulary_of

    ingester = Ingester()
    context = ReadContext(rules_for_outlet=ingester.rules_for_outlet)
    now = timezone.now()
    taken_slugs: set[str] = set()
    seen_urls: set[str] = set()
    seen_hashes: set[str] = set()
    vocabulary: set[str] = set()
    pending: list[SearchDocument] = []
    article_id = 0
    source = open_source(str(corpus))
    try:
        for record in read_source(source, context):
            if isinstance(record, IngestError):
                raise SystemExit(f"The corpus has a bad record: {record}")
            data = normalise(strip_markup(record), ingester.rules_for_outlet(record.outlet_name))
            digest = content_hash(data.title, data.body)
            if (data.canonical_url and data.canonical_url in seen_urls) or digest in seen_hashes:
                continue  # the ingest skips a page it has (none in a generated corpus)
            seen_urls.add(data.canonical_url)
            seen_hashes.add(digest)
            article = ingester._new_article(data, None, digest, simhash(data.body))
            article_id += 1
            article.pk = article.id = article_id
            article.slug = _free_slug(Article.base_slug_for(article.title), taken_slugs)
            article.ingested_at = article.updated_at = now
            copies["archive_article"].write_row(_article_row(article))
            tags = list({tag.pk: tag for tag in ingester.tags_for(data)}.values())
            for tag in tags:
                copies["archive_article_tags"].write_row((article_id, tag.pk))
            for region_id in places_covered(article):
                copies["archive_article_regions"].write_row((article_id, region_id))
            # The vocabulary reads a document's texts only: no lineages needed.
            pending.append(assemble_document(article, tags, lineages=()))
            if len(pending) >= VOCABULARY_BATCH:
                vocabulary |= vocabulary_of(pending)
                pending = []
            if article_id % progress_every == 0:
                print(f"{article_id:,} articles read", file=sys.stderr, flush=True)
    finally:
        source.stream.close()
    return vocabulary | vocabulary_of(pending)


def _free_slug(base: str, taken: set[str]) -> str:
    """Article.unique_slug_for with every slug of the archive in ``taken``."""
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(slug)
    return slug


def _article_row(article) -> tuple:
    values = {column: getattr(article, column, None) for column in ARTICLE_COLUMNS}
    values["extra"] = json.dumps(article.extra)
    values["near_duplicate_of_id"] = None
    return tuple(values[column] for column in ARTICLE_COLUMNS)


def drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop a table's indexes but its primary key; returns the statements that remake them."""
    cursor.execute(SECONDARY_INDEXES, {"table": table})
    remake = []
    for index, constraint, statement in cursor.fetchall():
        if constraint:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        else:
            cursor.execute(f"DROP INDEX {index}")
        remake.append(statement)
    return remake


def bulk_build(corpus: Path) -> dict:
    """Load the corpus; returns seconds per step."""
    import psycopg
    from django.conf import settings

    from archive.models.places import PATH_WIDTH

    django_database = settings.DATABASES["default"]
    dsn = psycopg.conninfo.make_conninfo(
        dbname=django_database["NAME"],
        user=django_database["USER"],
        host=django_database["HOST"],
        port=django_database["PORT"] or None,
        password=django_database["PASSWORD"] or None,
    )
    steps: dict[str, float] = {}
    started = time.perf_counter()
    links = ("archive_article_tags", "archive_article_regions")
    with psycopg.connect(dsn) as connection:
        with connection.cursor() as cursor:
            remake = [
                statement
                for table in LOADED_TABLES
                for statement in drop_secondary_indexes(cursor, table)
            ]
        connection.commit()
        # Each table its own connection, so that the three COPYs stream side by side; the
        # foreign keys' triggers are off for the load (the rows are ours, made consistent).
        extra = [psycopg.connect(dsn) for _ in links]
        try:
            for conn in (connection, *extra):
                conn.execute("SET session_replication_role = replica")
                conn.execute("SET synchronous_commit = off")
            with (
                connection.cursor().copy(
                    f"COPY archive_article ({', '.join(ARTICLE_COLUMNS)}) FROM STDIN"
                ) as articles,
                extra[0].cursor().copy(f"COPY {links[0]} (article_id, tag_id) FROM STDIN") as tags,
                extra[1]
                .cursor()
                .copy(f"COPY {links[1]} (article_id, region_id) FROM STDIN") as regions,
            ):
                names = ("archive_article", *links)
                copies = dict(zip(names, (articles, tags, regions), strict=True))
                vocabulary = prepare_rows(corpus, copies)
            for conn in (connection, *extra):
                conn.commit()
        finally:
            for conn in extra:
                conn.close()
        steps["read and copy the articles"] = time.perf_counter() - started

        mark = time.perf_counter()
        with connection.cursor() as cursor:
            # Triggers on again: search_document's keep the sample table (search/0009).
            cursor.execute("RESET session_replication_role")
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.execute("SET work_mem = '512MB'")
            cursor.execute(FILL_SEARCH_DOCUMENTS, {"width": PATH_WIDTH})
            with cursor.copy("COPY search_word (word) FROM STDIN") as words:
                words.write("".join(f"{word}\n" for word in sorted(vocabulary)))
        connection.commit()
        steps["fill search_document (tsvectors)"] = time.perf_counter() - mark

        mark = time.perf_counter()
        with connection.cursor() as cursor:
            # One core's worth: the machine is shared (see README's How fast).
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 0")
            for statement in remake:
                cursor.execute(statement)
            # Article ids were given here; the link tables' came from their sequences.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('archive_article', 'id'),"
                " (SELECT max(id) FROM archive_article))"
            )
        connection.commit()
        steps["make the indexes"] = time.perf_counter() - mark

        mark = time.perf_counter()
        connection.autocommit = True
        for table in (*LOADED_TABLES, "archive_tag", "search_word", "search_sample"):
            connection.execute(f"VACUUM ANALYZE {table}")
        steps["vacuum analyze"] = time.perf_counter() - mark
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--report", type=Path, help="write the steps' seconds here as JSON")
    args = parser.parse_args()
    django.setup()
    steps = bulk_build(args.corpus.resolve())
    for step, seconds in steps.items():
        print(f"{step}: {seconds:,.0f} s", file=sys.stderr)
    if args.report:
        args.report.write_text(json.dumps(steps))


if __name__ == "__main__":
    main()
