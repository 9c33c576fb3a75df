"""Indexes for the PostgreSQL search backend at archive scale (search.backends.postgres_sql);
nothing on SQLite.

- A GIN index of one document in SAMPLE_EVERY (64): a common word's total and facets are
  estimated on that sample instead of read from every match.
- A GIN index of the title alone: the articles with the words in their title, the first
  candidates when a common word is ranked by relevance.
- (published_at, article_id) in place of published_at: newest first walks the index in the
  order pages show, ties included.
- Rows of a few hundred bytes in the table itself: the body goes to TOAST like the
  tsvector (the columns facets read stay, under 512 bytes), so that counting and faceting
  many matches read a tenth of the pages. Rows written before keep their layout until
  rewritten (`manage.py rebuild_index`, or VACUUM FULL search_document).

On an archive of 1,000,000 articles this migration takes minutes (the title index reads
every title); searches keep working meanwhile, without the new indexes.
"""

from django.db import migrations

from search.migrations._postgres import on_postgres

FORWARD = [
    "CREATE INDEX search_document_vector_sample ON search_document USING gin (vector)"
    " WHERE article_id % 64 = 0",
    "CREATE INDEX search_document_title_vector ON search_document USING gin"
    " (to_tsvector('dateline_search'::regconfig, translate(title, '<>/', '   ')))",
    "CREATE INDEX search_document_newest ON search_document (published_at, article_id)",
    "DROP INDEX search_document_published_at",
    "ALTER TABLE search_document SET (toast_tuple_target = 512)",
]
BACKWARD = [
    "ALTER TABLE search_document RESET (toast_tuple_target)",
    "CREATE INDEX search_document_published_at ON search_document (published_at)",
    "DROP INDEX search_document_newest",
    "DROP INDEX search_document_title_vector",
    "DROP INDEX search_document_vector_sample",
]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_index_followers"),
    ]

    operations = [on_postgres(FORWARD, BACKWARD)]
