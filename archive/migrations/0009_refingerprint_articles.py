"""Recompute every article's SimHash: the fingerprint now combines per-word hashes (five
times faster to compute at ingest), so fingerprints made the old way no longer compare
with new ones. Near-duplicate links already made stay as they are."""

from django.db import migrations

BATCH = 1000


def refingerprint(apps, schema_editor):
    from archive.fingerprints import simhash

    Article = apps.get_model("archive", "Article")
    last_id = 0
    while True:
        batch = list(
            Article.objects.filter(id__gt=last_id).order_by("id").only("id", "body")[:BATCH]
        )
        if not batch:
            return
        for article in batch:
            article.simhash = simhash(article.body)
        Article.objects.bulk_update(batch, ["simhash"])
        last_id = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [("archive", "0008_article_history_tags_and_places")]

    operations = [migrations.RunPython(refingerprint, migrations.RunPython.noop, elidable=True)]
