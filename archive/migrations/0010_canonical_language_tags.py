"""Articles' language tags in the one form the archive stores (archive.languages.language_tag:
"pt-br"). JSON Lines stored a record's "pt_BR" as "pt_br" (and, before 2026-12-06, any text
it held, lower-cased), and an article that declared no language and whose text told none took
its outlet's as an editor typed it ("pt-BR"): the browse pages and the API refuse "pt_br" as no
language tag, and search compares tags in lower case, so neither found those articles by
language. A value that is no tag at all ("english") is left as it is: nothing says which tag
it meant.

Each article changed gets a new updated_at (its API Last-Modified) and a row in the search
outbox, as a curation change does: the index holds the old tag until the outbox is applied
(by the next change, or manage.py sync_index).
"""

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

BATCH = 1000


def canonical_language_tags(apps, schema_editor):
    from archive.languages import language_tag

    Article = apps.get_model("archive", "Article")
    IndexOutbox = apps.get_model("search", "IndexOutbox")
    odd = Article.objects.filter(Q(language__contains="_") | ~Q(language=Lower("language")))
    for written in list(odd.order_by().values_list("language", flat=True).distinct()):
        tag = language_tag(written)
        if not tag or tag == written:
            continue
        ids = list(Article.objects.filter(language=written).values_list("id", flat=True))
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            Article.objects.filter(id__in=batch).update(language=tag, updated_at=timezone.now())
            IndexOutbox.objects.bulk_create(IndexOutbox(article_id=pk) for pk in batch)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_refingerprint_articles"),
        ("search", "0006_postgres_search_at_scale"),
    ]

    operations = [
        migrations.RunPython(canonical_language_tags, migrations.RunPython.noop, elidable=True)
    ]
