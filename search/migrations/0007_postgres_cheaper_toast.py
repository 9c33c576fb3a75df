"""Less CPU for each document the PostgreSQL backend writes (search.backends.postgres);
nothing on SQLite.

Every row of search_document goes to TOAST (toast_tuple_target 512, migration 0006), and
TOAST tried to compress its body and its tsvector with pglz, the server's slowest step after
the text search parsing and the GIN index: a tenth of the ingest's server CPU.

- The tsvector is stored out of line without compression (STORAGE EXTERNAL): pglz gave up on
  it anyway (lexemes and positions do not shrink by the quarter pglz asks), so the rows are
  stored as before, without the failed attempt.
- The body is compressed with lz4 where the server has it (PostgreSQL 14 and later, built
  with lz4, as Debian's and the official images are), several times faster than pglz for a
  sixth more bytes; a server without lz4 keeps pglz.

Only new values are written so: rows already there keep their layout (both are read
alike) until rewritten (`manage.py rebuild_index`). This changes the catalog only and takes
no time on any archive.
"""

from django.db import migrations

from search.migrations._postgres import on_postgres

FORWARD = ["ALTER TABLE search_document ALTER COLUMN vector SET STORAGE EXTERNAL"]
LZ4 = ["ALTER TABLE search_document ALTER COLUMN body SET COMPRESSION lz4"]
BACKWARD = [
    "ALTER TABLE search_document ALTER COLUMN vector SET STORAGE EXTENDED",
    "ALTER TABLE search_document ALTER COLUMN body SET COMPRESSION DEFAULT",
]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_postgres_search_at_scale"),
    ]

    operations = [
        # A server built without lz4 ("compression method lz4 not supported") keeps pglz.
        on_postgres(FORWARD, BACKWARD, where_supported=LZ4),
    ]
