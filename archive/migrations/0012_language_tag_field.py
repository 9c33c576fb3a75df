"""Article.language, its history's and Outlet.language become archive.languages'
LanguageTagField: the model keeps a tag in the one form ("pt_BR" saved is "pt-br") and its
validator refuses what is no tag, where only the ingest and the admin's form did before.

The column is the same varchar(16), so the change is to the migration state alone: as a plain
AlterField, SQLite copied the article and history tables row by row into new ones (its way to
alter a column) to change nothing. Rows already stored are not rewritten: 0010 wrote
articles' tags in the one form; an outlet's is read through archive.languages.language_tag
by the ingest, and stored in the one form when next saved.
"""

from django.db import migrations

import archive.languages


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0011_region_redirects"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="language",
                    field=archive.languages.LanguageTagField(blank=True, max_length=16),
                ),
                migrations.AlterField(
                    model_name="historicalarticle",
                    name="language",
                    field=archive.languages.LanguageTagField(blank=True, max_length=16),
                ),
                migrations.AlterField(
                    model_name="outlet",
                    name="language",
                    field=archive.languages.LanguageTagField(
                        blank=True, help_text="BCP 47 code, e.g. en.", max_length=16
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
