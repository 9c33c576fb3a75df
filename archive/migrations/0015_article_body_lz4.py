"""Articles' bodies compressed with lz4 on PostgreSQL (nothing on SQLite).

A news body (a few KB) is compressed as it is saved, and pglz, PostgreSQL's default, was a
tenth of the server's CPU in an ingest (with the search backend's copy of the body, search
0007). lz4 takes a fraction of that time for a sixth more bytes. A server built without
lz4 keeps pglz. Bodies already saved keep pglz (both are read alike) until rewritten; this
changes the catalog only and takes no time on any archive.
"""

from django.db import migrations

from search.migrations._postgres import on_postgres

LZ4 = ["ALTER TABLE archive_article ALTER COLUMN body SET COMPRESSION lz4"]
BACKWARD = ["ALTER TABLE archive_article ALTER COLUMN body SET COMPRESSION DEFAULT"]


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0014_outlet_updated_at"),
    ]

    operations = [
        # A server built without lz4 ("compression method lz4 not supported") keeps pglz.
        on_postgres([], BACKWARD, where_supported=LZ4),
    ]
