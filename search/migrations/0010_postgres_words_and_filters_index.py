"""One GIN index of the PostgreSQL backend's words and array filters together, in place of a
GIN index each for the tsvector, the tags and the regions; nothing on SQLite.

A common word with a region or a tag was found by intersecting bitmaps: the word's whole
posting list made a bitmap first (at 1,000,000 articles, 495,000 rows and 23 ms for a word in
half the archive) to keep the 2,300 that are in the region. With the columns in one GIN
index, the scan moves through the word's postings by the filter's (GIN skips ahead in a
posting tree to the next item another key of the scan holds): the same 2,300 in 2 ms.

Left out: the dates, as btree_gin would index them: a date range is thousands of keys, which
the scan reads one by one (the date range class went from 29 to 169 ms with published_at in
it); and the outlet, whose condition (= ANY of a list) no GIN index answers. Both keep their
btree indexes, intersected as before.

A search with words alone reads only the tsvector's keys of the index, as it read the
tsvector's own index before. On an archive of 1,000,000 articles the index takes about four
minutes to build (one core); searches keep working meanwhile, on the old indexes.
"""

from django.db import migrations

from search.migrations._postgres import on_postgres

FORWARD = [
    "CREATE INDEX search_document_words_and_filters ON search_document"
    " USING gin (vector, region_ids, tag_slugs)",
    "DROP INDEX search_document_vector",
    "DROP INDEX search_document_tag_slugs",
    "DROP INDEX search_document_region_ids",
]
BACKWARD = [
    "CREATE INDEX search_document_vector ON search_document USING gin (vector)",
    "CREATE INDEX search_document_tag_slugs ON search_document USING gin (tag_slugs)",
    "CREATE INDEX search_document_region_ids ON search_document USING gin (region_ids)",
    "DROP INDEX search_document_words_and_filters",
]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0009_postgres_sample_table"),
    ]

    operations = [on_postgres(FORWARD, BACKWARD)]
