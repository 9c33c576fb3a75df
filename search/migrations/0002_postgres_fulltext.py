"""The PostgreSQL search backend's tables (search.backends.postgres); nothing on SQLite.

The tsvector is a generated column, so the database keeps it true to the text whatever
writes the row. Accents fold through the unaccent dictionary in a text search
configuration of our own, ``dateline_search``; pg_trgm serves spelling suggestions.
"""

from django.db import migrations

from search.migrations._postgres import on_postgres

FORWARD = [
    # Both are trusted extensions: a database owner may create them without superuser.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TEXT SEARCH CONFIGURATION dateline_search (COPY = english)",
    """
    ALTER TEXT SEARCH CONFIGURATION dateline_search
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem
    """,
    # to_tsvector(regconfig, text) is immutable, as a generated column needs. Angle brackets
    # and slashes become spaces first: PostgreSQL's parser drops anything shaped like an HTML
    # tag and reads "a/b" as a file path, where Whoosh sees words. Our text is plain text,
    # never markup, and both backends must find the same articles.
    """
    CREATE TABLE search_document (
        article_id bigint PRIMARY KEY,
        title text NOT NULL,
        body text NOT NULL,
        dateline text NOT NULL DEFAULT '',
        tags_text text NOT NULL DEFAULT '',
        tag_slugs text[] NOT NULL DEFAULT '{}',
        outlet_slug text NOT NULL,
        region_ids bigint[] NOT NULL DEFAULT '{}',
        language text NOT NULL,
        published_at timestamptz NOT NULL,
        vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('dateline_search', translate(title, '<>/', '   ')), 'A')
            || setweight(
                to_tsvector(
                    'dateline_search',
                    translate(
                        coalesce(tags_text, '') || ' ' || coalesce(dateline, ''), '<>/', '   '
                    )
                ),
                'B'
            )
            || setweight(to_tsvector('dateline_search', translate(body, '<>/', '   ')), 'C')
        ) STORED
    )
    """,
    "CREATE INDEX search_document_vector ON search_document USING gin (vector)",
    "CREATE INDEX search_document_tag_slugs ON search_document USING gin (tag_slugs)",
    "CREATE INDEX search_document_region_ids ON search_document USING gin (region_ids)",
    "CREATE INDEX search_document_published_at ON search_document (published_at)",
    "CREATE INDEX search_document_outlet_slug ON search_document (outlet_slug)",
    # Every word indexed (unstemmed, folded), for "did you mean" by trigram similarity.
    "CREATE TABLE search_word (word text PRIMARY KEY)",
    "CREATE INDEX search_word_trigrams ON search_word USING gin (word gin_trgm_ops)",
]

# The extensions stay: other schemas or databases' objects may use them.
BACKWARD = [
    "DROP TABLE IF EXISTS search_word",
    "DROP TABLE IF EXISTS search_document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS dateline_search",
]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [on_postgres(FORWARD, BACKWARD)]
