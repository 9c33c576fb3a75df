"""Place existing articles again: dateline regions and places covered, in batches.

For articles ingested before the gazetteer had their places, or after it changed
(``load_regions``, areas added by editors). Changes are written in bulk, so they send no
signals: each batch records its changed articles in the search outbox itself, in the same
transaction (regions feed the search index's region filter).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from archive.models import Article
from archive.places import Gazetteer, current_gazetteer, dateline_place, places_covered
from search.sync import record_changes

DEFAULT_BATCH_SIZE = 500


@dataclass
class LocateReport:
    articles: int = 0
    datelines_changed: int = 0
    places_changed: int = 0
    unresolved: int = 0  # articles with a printed dateline place and no region for it

    def summary(self) -> str:
        return (
            f"{self.articles} articles: {self.datelines_changed} dateline places changed, "
            f"{self.places_changed} lists of places covered changed, "
            f"{self.unresolved} datelines unresolved."
        )


def unresolved_datelines(articles=None):
    """Articles whose printed dateline names a place the gazetteer could not find."""
    articles = Article.objects.all() if articles is None else articles
    return articles.filter(dateline_region=None).exclude(dateline_place="")


def locate_articles(
    articles=None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    gazetteer: Gazetteer | None = None,
    on_batch: Callable[[int], None] = lambda count: None,
    on_changed: Callable[[list[int]], None] = lambda article_ids: None,
) -> LocateReport:
    """Resolve the datelines and find the places covered of these articles (all by default).

    A dateline the gazetteer cannot resolve keeps the region it has (an editor may have set
    it by hand); places covered are replaced by what the text says now. ``on_changed`` gets
    the ids each batch changed, inside its transaction (the admin records versions there).
    """
    gazetteer = gazetteer or current_gazetteer()
    articles = (Article.objects.all() if articles is None else articles).select_related("outlet")
    report = LocateReport()
    last_id = 0
    while True:
        batch = list(articles.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return report
        _locate_batch(batch, gazetteer, report, on_changed)
        last_id = batch[-1].id
        on_batch(len(batch))


@transaction.atomic
def _locate_batch(
    batch: list[Article],
    gazetteer: Gazetteer,
    report: LocateReport,
    on_changed: Callable[[list[int]], None],
) -> None:
    through = Article.regions.through
    current: dict[int, set[int]] = defaultdict(set)
    for article_id, region_id in through.objects.filter(
        article_id__in=[a.id for a in batch]
    ).values_list("article_id", "region_id"):
        current[article_id].add(region_id)

    moved, replaced = [], {}
    for article in batch:
        report.articles += 1
        if article.dateline_place:
            place = dateline_place(
                article.dateline_place,
                article.dateline_qualifier,
                article.outlet.country,
                gazetteer,
            )
            if place and place.id != article.dateline_region_id:
                article.dateline_region_id = place.id
                moved.append(article)
            if article.dateline_region_id is None:
                report.unresolved += 1
        covered = places_covered(article, gazetteer)
        if set(covered) != current[article.id]:
            replaced[article.id] = covered

    Article.objects.bulk_update(moved, ["dateline_region"])
    through.objects.filter(article_id__in=list(replaced)).delete()
    through.objects.bulk_create(
        [
            through(article_id=article_id, region_id=region_id)
            for article_id, region_ids in replaced.items()
            for region_id in region_ids
        ]
    )
    changed = sorted({a.id for a in moved} | set(replaced))
    record_changes(changed)
    on_changed(changed)
    report.datelines_changed += len(moved)
    report.places_changed += len(replaced)
