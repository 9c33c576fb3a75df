"""The regions' version token (archive.models.GazetteerVersion), which keys the gazetteer's
file (archive.gazetteer_file): its one row, with a first token, so that the archive's
existing regions are filed under it."""

import secrets

from django.db import migrations, models


def first_token(apps, schema_editor) -> None:
    version = apps.get_model("archive", "GazetteerVersion")
    version.objects.using(schema_editor.connection.alias).create(pk=1, token=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0015_article_body_lz4"),
    ]

    operations = [
        migrations.CreateModel(
            name="GazetteerVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
    ]
