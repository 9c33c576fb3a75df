"""Record in the outbox every change that alters an article's search document.

Bulk updates (QuerySet.update, bulk_create) send no signals: code that makes them calls
search.sync.record_changes itself.
"""

from django.core.signals import request_finished
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from archive.models import Article, Outlet, Region, Tag
from archive.models.places import region_moved
from search.facet_labels import labels as facet_labels
from search.insight import promoted_queries, search_logs
from search.models import SearchPromotion
from search.sync import record_changes


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def article_changed(sender, instance: Article, **kwargs) -> None:
    record_changes([instance.pk])


@receiver(m2m_changed, sender=Article.tags.through)
@receiver(m2m_changed, sender=Article.regions.through)
def article_classification_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            record_changes([instance.pk])
    elif action == "pre_clear":
        # tag.articles.clear(): the ids are gone after the clear, so take them before.
        record_changes(instance.articles.values_list("id", flat=True))
    elif action in ("post_add", "post_remove") and pk_set:
        record_changes(pk_set)


@receiver(post_save, sender=Tag)
@receiver(pre_delete, sender=Tag)
def tag_changed(sender, instance: Tag, **kwargs) -> None:
    # A renamed or deleted tag changes the documents of the articles that carry it.
    if instance.pk:
        record_changes(instance.articles.values_list("id", flat=True))


@receiver(post_save, sender=Outlet)
def outlet_changed(sender, instance: Outlet, created: bool, **kwargs) -> None:
    if not created:
        record_changes(instance.articles.values_list("id", flat=True))


@receiver(post_save, sender=Outlet)
@receiver(post_save, sender=Tag)
@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Outlet)
@receiver(post_delete, sender=Tag)
@receiver(post_delete, sender=Region)
def facet_label_changed(sender, created: bool = False, **kwargs) -> None:
    # Now, for this request, and for a rename or deletion again at the commit: another
    # request may have looked the old name up in between. (A new outlet, tag or place has
    # no old name; the ingest makes them by the dozen and asks for no callbacks per save.)
    facet_labels.forget()
    if not created:
        transaction.on_commit(facet_labels.forget)


@receiver(post_save, sender=SearchPromotion)
@receiver(post_delete, sender=SearchPromotion)
def promotion_changed(sender, **kwargs) -> None:
    # Now, and again at the commit, as for facet labels: a request in between may have read
    # the queries without this one.
    promoted_queries.forget()
    transaction.on_commit(promoted_queries.forget)


@receiver(request_finished)
def write_due_search_logs(sender, **kwargs) -> None:
    # Any request, not only searches: a quiet worker's rows do not wait for the next search.
    search_logs.flush_if_due()


@receiver(pre_delete, sender=Region)
def region_deleted(sender, instance: Region, **kwargs) -> None:
    record_changes(
        [
            *instance.articles.values_list("id", flat=True),
            *instance.datelined_articles.values_list("id", flat=True),
        ]
    )


@receiver(region_moved)
def region_moved_under_another(sender, region: Region, **kwargs) -> None:
    # Documents hold each region's ancestors: every article covering, or filed from, a
    # place in the moved subtree has new ones.
    subtree = Region.objects.subtree_of(region).values("pk")
    record_changes(
        [
            *Article.regions.through.objects.filter(region__in=subtree).values_list(
                "article_id", flat=True
            ),
            *Article.objects.filter(dateline_region__in=subtree).values_list("pk", flat=True),
        ]
    )
