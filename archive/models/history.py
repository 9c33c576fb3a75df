"""Who changed what in an article, and when (django-simple-history): one row per saved
version, shown under "History" in the admin, with what changed since the version before.

A version holds the article's own fields and, as simple-history's ``m2m_fields``, its tags
and places covered: retagging, merging tags and fixing places are changes of the article
like any other. Two departures from simple-history's defaults, both to keep one row per
change rather than one per signal:

- A save and the tag and place changes that follow it in the same transaction (the admin's
  form saves the article, then its tags, then its places; an ingested new version the
  same) are one version: the related changes refresh the snapshot of the version the save
  wrote instead of adding a version each.
- Changes made from the tag's or region's side (``tag.articles.add(...)``) and bulk
  changes (archive.curation) send no usable signal for the article: whoever makes them
  writes the versions with ``record_versions``, in batches.

An ingested article gets no version for its first state (archive.ingest.pipeline): its
source is its record, and a copy of every body ingested would double the archive. So each
version also says, in its change reason, what was changed and why ("Tag Raqqa added"): the
first version of an article has no earlier one to compare with.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from simple_history import register
from simple_history.models import HistoricalRecords

from .articles import Article

VERSIONED_RELATIONS = ("tags", "regions")
REASON_MAX_LENGTH = 100  # simple-history's history_change_reason column


class ArticleHistoricalRecords(HistoricalRecords):
    def create_historical_record_m2ms(self, history_instance, instance):
        super().create_historical_record_m2ms(history_instance, instance)
        # The version a related change in this transaction belongs to. Forgotten at commit
        # (at once outside a transaction): a later change is a version of its own.
        instance._history_version = history_instance
        transaction.on_commit(lambda: instance.__dict__.pop("_history_version", None))

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if reverse or action not in ("post_add", "post_remove", "post_clear"):
            # From the tag's or region's side the instance is not an article; those
            # changes are recorded by whoever makes them (record_versions).
            return
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        if hasattr(instance, "skip_history_when_saving"):
            return
        version = getattr(instance, "_history_version", None)
        if version is None:
            self.create_historical_record(instance, "~")
            return
        snapshot_relations([version], names=[attr])


def _relation_history_model(name: str):
    return HistoricalRecords.m2m_models[Article._meta.get_field(name)]


def snapshot_relations(versions: list, names: Iterable[str] = VERSIONED_RELATIONS) -> None:
    """Store each version's tags and places as the database holds them now (replacing what
    the version held): three queries per relation, however many versions."""
    if not versions:
        return
    for name in names:
        field = Article._meta.get_field(name)
        model = _relation_history_model(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        model.objects.filter(history__in=versions).delete()
        links = defaultdict(list)
        rows = through.objects.filter(
            **{f"{source}_id__in": {version.id for version in versions}}
        ).values_list("id", f"{source}_id", f"{target}_id")
        for link_id, article_id, target_id in rows:
            links[article_id].append((link_id, target_id))
        model.objects.bulk_create(
            [
                model(
                    history=version, id=link_id, **{f"{source}_id": version.id, f"{target}_id": t}
                )
                for version in versions
                for link_id, t in links[version.id]
            ]
        )


def record_versions(article_ids: Iterable[int], *, by=None, reason: str = "") -> int:
    """Write a version of each of these articles as they are now (fields, tags, places),
    by ``by`` (a user, or None for the system), saying ``reason``. For changes that send no
    signal: bulk updates and changes made from a tag's or region's side. One batch: callers
    split large sets (archive.curation does)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    articles = list(Article.objects.filter(pk__in=list(article_ids)).order_by("pk"))
    versions = Article.history.bulk_history_create(
        articles,
        update=True,
        default_user=by,
        default_change_reason=reason[:REASON_MAX_LENGTH],
    )
    snapshot_relations(versions)
    return len(versions)


register(
    Article,
    app="archive",
    records_class=ArticleHistoricalRecords,
    excluded_fields=["content_hash", "simhash", "updated_at"],
    m2m_fields=list(VERSIONED_RELATIONS),
)
