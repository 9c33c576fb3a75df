"""Articles' bodies compressed with lz4 on PostgreSQL (nothing on SQLite).

A news body (a few KB) is compressed as it is saved, and pglz, PostgreSQL's default, was a
tenth of the server's CPU in an ingest (with the search backend's copy of the body, search
0007). lz4 takes a fraction of that time for a sixth more bytes. A server built without
lz4 keeps pglz. Bodies already saved keep pglz (both are read alike) until rewritten; this
changes the catalog only and takes no time on any archive.
"""

from django.db import NotSupportedError, migrations, transaction

FORWARD = "ALTER TABLE archive_article ALTER COLUMN body SET COMPRESSION lz4"
BACKWARD = "ALTER TABLE archive_article ALTER COLUMN body SET COMPRESSION DEFAULT"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(FORWARD)
    except NotSupportedError:  # "compression method lz4 not supported": pglz stays
        pass


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0014_outlet_updated_at"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
