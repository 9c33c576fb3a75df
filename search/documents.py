"""The one place that decides what of an Article is indexed, and how."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from archive.models import Article, Tag
from archive.models.places import path_ids


@dataclass(frozen=True)
class SearchDocument:
    article_id: int
    title: str
    body: str
    dateline: str
    tag_names: tuple[str, ...]
    tag_slugs: tuple[str, ...]
    outlet_slug: str
    outlet_name: str
    # The regions covered and the dateline's region, each with all its ancestors, so a
    # filter on a country finds articles about its cities.
    region_ids: tuple[int, ...]
    language: str
    published_at: datetime

    @property
    def year(self) -> int:
        return self.published_at.year


def document_for(article: Article) -> SearchDocument:
    regions = list(article.regions.all())
    if article.dateline_region_id:
        regions.append(article.dateline_region)
    # Each region's path holds its ancestors' ids: no walk up the tree, no extra query.
    return assemble_document(
        article, list(article.tags.all()), [path_ids(region.path) for region in regions]
    )


def assemble_document(
    article: Article, tags: Sequence[Tag], lineages: Iterable[Iterable[int]]
) -> SearchDocument:
    """The document of an article from what it holds: ``tags`` in the order Tag's ordering
    gives, ``lineages`` the region ids of each region it covers and of its dateline's,
    root first. An ingest that has them all in memory builds the document without a query."""
    return SearchDocument(
        article_id=article.id,
        title=article.title,
        body=article.body,
        dateline=article.dateline,
        tag_names=tuple(tag.name for tag in tags),
        tag_slugs=tuple(tag.slug for tag in tags),
        outlet_slug=article.outlet.slug,
        outlet_name=article.outlet.name,
        region_ids=tuple(sorted({region_id for lineage in lineages for region_id in lineage})),
        language=article.language,
        # As read back from the database: in UTC, whatever zone the source wrote it in.
        published_at=article.published_at.astimezone(UTC),
    )


def indexable_articles():
    """Articles that belong in the index, with what documents need: published ones that are
    not a syndicated copy of another (those show on the first copy's page instead)."""
    return (
        Article.objects.published()
        .filter(near_duplicate_of=None)
        .select_related("outlet", "dateline_region")
        .prefetch_related("tags", "regions")
        .order_by("id")
    )


def documents_for(article_ids: Iterable[int]) -> list[SearchDocument]:
    """Documents for those of these articles that belong in the index."""
    articles = indexable_articles().filter(id__in=list(article_ids))
    return [document_for(article) for article in articles]


def iter_all_documents(batch_size: int = 500) -> Iterator[list[SearchDocument]]:
    """Every indexable article's document, in batches, with constant memory."""
    last_id = 0
    while True:
        batch = list(indexable_articles().filter(id__gt=last_id)[:batch_size])
        if not batch:
            return
        yield [document_for(article) for article in batch]
        last_id = batch[-1].id
