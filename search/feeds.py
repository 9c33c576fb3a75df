"""An Atom feed of any search's newest hits: the search page's parameters, newest first."""

from dataclasses import replace

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.utils.html import strip_tags

from archive.feeds import MultilingualAtomFeed, entry_language
from search import service
from search.backends.base import SearchBackendError, Sort
from search.forms import SearchForm, SearchParams
from search.views import RETRY_AFTER_SECONDS

FEED_ITEMS = 20


class SearchFeed(Feed):
    feed_type = MultilingualAtomFeed
    author_name = "Dateline"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except SearchBackendError:
            return HttpResponse(
                "Search is unavailable right now; try again in a minute.\n",
                content_type="text/plain; charset=utf-8",
                status=503,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )

    def get_object(self, request, *args, **kwargs) -> SearchParams:
        return SearchForm(request.GET).params()

    def title(self, params: SearchParams) -> str:
        return f"Dateline search: {params.q}" if params.q.strip() else "Dateline: newest articles"

    def subtitle(self, params: SearchParams) -> str:
        return "The newest articles matching this search."

    def link(self, params: SearchParams) -> str:
        return replace(params, sort="", page=1).url()

    def feed_url(self, params: SearchParams) -> str:
        return params.feed_url()

    def items(self, params: SearchParams) -> list[tuple]:
        request = params.search_request(
            page_size=FEED_ITEMS, sort=Sort.NEWEST, page=1, facets=False
        )
        return service.search(request).hits

    def item_title(self, item) -> str:
        return item[1].title

    def item_link(self, item) -> str:
        return item[1].get_absolute_url()

    def item_pubdate(self, item):
        return item[1].published_at

    def item_updateddate(self, item):
        # RFC 4287 wants an <updated> in every entry; later edits in the archive are not news.
        return item[1].published_at

    def item_author_name(self, item) -> str:
        return item[1].outlet.name

    def item_extra_kwargs(self, item) -> dict[str, str]:
        return entry_language(item[1])

    def item_description(self, item) -> str:
        # The backend's snippet is escaped HTML with <mark>s; without the marks it is the
        # plain text, still escaped as the Atom summary (type="html") needs.
        return strip_tags(item[0].snippet_html)
