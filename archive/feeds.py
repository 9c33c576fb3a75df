"""Atom feeds of the newest published articles of a place (and the places inside it), a tag
and an outlet."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from archive.filters import in_region
from archive.languages import declared_language
from archive.metadata import description_of
from archive.models import Article, Outlet, Region, Tag
from archive.views import object_or_moved

FEED_ITEMS = 20


class MultilingualAtomFeed(Atom1Feed):
    """Atom whose entries each say their own language (``xml:lang``, RFC 4287 section 2).

    The feed's own xml:lang is the site's (its title and subtitle are English), and every
    entry would inherit it: an Arabic or Sorani article declared English. An entry whose
    language is not known gets ``xml:lang=""``, which XML defines as undoing the inherited
    one without naming another (XML 1.0, 2.12), rather than a guess or "und".
    """

    def item_attributes(self, item) -> dict[str, str]:
        return {**super().item_attributes(item), "xml:lang": item["language"]}


def entry_language(article: Article) -> dict[str, str]:
    """A feed's ``item_extra_kwargs`` for an article: its language for the entry."""
    return {"language": declared_language(article.language)}


class ArticlesFeed(Feed):
    feed_type = MultilingualAtomFeed
    author_name = "Dateline"
    model: type = Region
    url_name = ""

    def get_object(self, request, slug: str):
        return get_object_or_404(self.model, slug=slug)

    def articles(self, obj):
        raise NotImplementedError

    def title(self, obj) -> str:
        return f"Dateline: {obj}"

    def link(self, obj) -> str:
        return obj.get_absolute_url()

    def feed_url(self, obj) -> str:
        return reverse(self.url_name, kwargs={"slug": obj.slug})

    def items(self, obj):
        # As the page the feed belongs to lists them: a syndicated story once.
        published = Article.objects.listed().select_related("outlet")
        return self.articles(published, obj).prefetch_related("tags")[:FEED_ITEMS]

    def item_title(self, article: Article) -> str:
        return article.title

    def item_link(self, article: Article) -> str:
        return article.get_absolute_url()

    def item_description(self, article: Article) -> str:
        return description_of(article)

    def item_pubdate(self, article: Article):
        return article.published_at

    def item_updateddate(self, article: Article):
        # RFC 4287 wants an <updated> in every entry; later edits in the archive are not news.
        return article.published_at

    def item_author_name(self, article: Article) -> str:
        return article.outlet.name

    def item_categories(self, article: Article) -> list[str]:
        return [tag.name for tag in article.tags.all()]

    def item_extra_kwargs(self, article: Article) -> dict[str, str]:
        return entry_language(article)


class FollowsOldSlugs:
    """A feed of a tag or region asked for by an old slug (a tag renamed or merged away, a
    region's slug changed) moves for good, as the page does: a feed reader subscribed to the
    old address follows it to the feed now (``object_or_moved``)."""

    model: type[Tag | Region]

    def __call__(self, request, *args, slug: str, **kwargs):
        found, moved = object_or_moved(request, self.model.objects, slug, self.feed_url)
        # Feed.__call__ hands its keyword arguments to get_object: the object found here,
        # not looked up a second time. (One Feed instance serves every request: nothing
        # of a request is kept on it.)
        return moved or super().__call__(request, *args, found=found, **kwargs)

    def get_object(self, request, found: Tag | Region) -> Tag | Region:
        return found


class RegionFeed(FollowsOldSlugs, ArticlesFeed):
    model = Region
    url_name = "archive:region_feed"

    def subtitle(self, region: Region) -> str:
        return f"The newest articles about {region.name} and the places in it."

    def articles(self, articles, region: Region):
        return in_region(articles, region)


class TagFeed(FollowsOldSlugs, ArticlesFeed):
    model = Tag
    url_name = "archive:tag_feed"

    def subtitle(self, tag: Tag) -> str:
        return f"The newest articles tagged {tag.name}."

    def articles(self, articles, tag: Tag):
        return articles.filter(tags=tag)


class OutletFeed(ArticlesFeed):
    model = Outlet
    url_name = "archive:outlet_feed"

    def subtitle(self, outlet: Outlet) -> str:
        return f"The newest articles from {outlet.name}."

    def articles(self, articles, outlet: Outlet):
        return articles.filter(outlet=outlet)
