"""The PostgreSQL backend's sample (search.backends.postgres_sql.SAMPLE) as a small table of
its own, kept by triggers, in place of a partial index of search_document; nothing on SQLite.

A common word's total and facets are estimated on one document in 64. With a partial index,
the sample's rows were still search_document's: at 1,000,000 articles the 7,600 sampled rows
of a word in half the archive lay on as many pages of a 500 MB table, read from the
operating system's cache twice a search (the count, 10 ms, and the facets, 15 ms). Here they
are 15,000 rows on a few hundred pages, which stay in shared buffers.

The triggers copy a sampled row's searched columns on every insert or update of
search_document and remove it on delete, whatever writes it (the backend, a COPY, a
rebuild), in the writer's own transaction: readers never see one without the other. The
WHEN conditions keep 63 rows in 64 from calling the function at all.

Filling the table reads every row of search_document once: a few seconds at 1,000,000
articles, during which searches estimate from no index (slower, not wrong).
"""

from django.db import migrations

from search.migrations._postgres import on_postgres

# The columns a search's conditions read (search.backends.postgres_query.conditions).
COLUMNS = "article_id, title, vector, tag_slugs, outlet_slug, region_ids, language, published_at"
NEW_COLUMNS = ", ".join(f"NEW.{column.strip()}" for column in COLUMNS.split(","))
UPDATED_COLUMNS = ", ".join(
    f"{column.strip()} = EXCLUDED.{column.strip()}" for column in COLUMNS.split(",")[1:]
)

FORWARD = [
    """
    CREATE TABLE search_sample (
        article_id bigint PRIMARY KEY,
        title text NOT NULL,
        vector tsvector NOT NULL,
        tag_slugs text[] NOT NULL,
        outlet_slug text NOT NULL,
        region_ids bigint[] NOT NULL,
        language text NOT NULL,
        published_at timestamptz NOT NULL
    ) WITH (toast_tuple_target = 512)
    """,
    # As search_document's (migration 0007): pglz gives up on tsvectors anyway.
    "ALTER TABLE search_sample ALTER COLUMN vector SET STORAGE EXTERNAL",
    f"""
    CREATE FUNCTION search_sample_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_sample WHERE article_id = OLD.article_id;
        ELSE
            INSERT INTO search_sample ({COLUMNS}) VALUES ({NEW_COLUMNS})
            ON CONFLICT (article_id) DO UPDATE SET {UPDATED_COLUMNS};
        END IF;
        RETURN NULL;
    END
    $$
    """,
    # AFTER: a generated column (the tsvector) has its value only then.
    """
    CREATE TRIGGER search_sample_written AFTER INSERT OR UPDATE ON search_document
    FOR EACH ROW WHEN ((hashint8(NEW.article_id) & 63) = 0)
    EXECUTE FUNCTION search_sample_follow()
    """,
    """
    CREATE TRIGGER search_sample_deleted AFTER DELETE ON search_document
    FOR EACH ROW WHEN ((hashint8(OLD.article_id) & 63) = 0)
    EXECUTE FUNCTION search_sample_follow()
    """,
    f"""
    INSERT INTO search_sample ({COLUMNS})
    SELECT {COLUMNS} FROM search_document WHERE (hashint8(article_id) & 63) = 0
    """,
    "CREATE INDEX search_sample_vector ON search_sample USING gin (vector)",
    # The same expression as search_document_title_vector's (migration 0006).
    "CREATE INDEX search_sample_title_vector ON search_sample USING gin"
    " (to_tsvector('dateline_search'::regconfig, translate(title, '<>/', '   ')))",
    "ANALYZE search_sample",
    "DROP INDEX IF EXISTS search_document_vector_sample",
]
BACKWARD = [
    "CREATE INDEX search_document_vector_sample ON search_document USING gin (vector)"
    " WHERE (hashint8(article_id) & 63) = 0",
    "DROP TRIGGER search_sample_deleted ON search_document",
    "DROP TRIGGER search_sample_written ON search_document",
    "DROP FUNCTION search_sample_follow()",
    "DROP TABLE search_sample",
]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_postgres_hashed_sample"),
    ]

    operations = [on_postgres(FORWARD, BACKWARD)]
