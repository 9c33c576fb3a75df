"""sitemap.xml: published articles, and the tags, outlets and places that have some.

Served as an index (``/sitemap.xml``) of sections (``/sitemap-articles.xml`` ...), each
paginated at Django's 50,000 URLs, so the archive can grow past one file's limit.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse

from archive.models import Article, Outlet, Region, Tag
from archive.models.articles import listed_condition
from archive.models.places import path_ids


def _with_published_articles(model):
    # Pages that list something: a tag or outlet whose only articles are syndicated copies
    # has an empty page (browse lists leave copies to their first copy's page).
    through = Article.objects.listed()
    field = {Tag: "tags", Outlet: "outlet"}[model]
    return model.objects.filter(Exists(through.filter(**{field: OuterRef("pk")})))


class ArticleSitemap(Sitemap):
    changefreq = "never"
    priority = 0.8

    def items(self):
        # Syndicated copies too: each is a page of its own, reachable by its address.
        return Article.objects.published().order_by("id").only("slug", "updated_at")

    def lastmod(self, article: Article):
        return article.updated_at


class TagSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return _with_published_articles(Tag).order_by("name")


class OutletSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return _with_published_articles(Outlet).order_by("name")


class RegionSitemap(Sitemap):
    """Places with articles: those articles cover, and every place they lie in."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        paths = (
            Region.objects.filter(listed_condition("articles__"))
            .values_list("path", flat=True)
            .distinct()
        )
        ids = {region_id for path in paths for region_id in path_ids(path)}
        return Region.objects.filter(id__in=ids).order_by("path")


class BrowsePagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return [
            "archive:home",
            "archive:regions",
            "archive:tags",
            "archive:outlets",
            "archive:archive_index",
        ]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {
    "pages": BrowsePagesSitemap,
    "articles": ArticleSitemap,
    "places": RegionSitemap,
    "tags": TagSitemap,
    "outlets": OutletSitemap,
}
