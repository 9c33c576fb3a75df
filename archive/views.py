from collections.abc import Callable

from django.conf import settings
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import DetailView, ListView

from archive.filters import ArticleFilter
from archive.metadata import article_metadata, canonical_url
from archive.models import Article, Outlet, Tag
from archive.models.slug_redirects import SlugRedirectQuerySet
from archive.timeline import timeline_for
from moderation.article_comments import comment_section_context


def moved_permanently(request: HttpRequest, url: str) -> HttpResponsePermanentRedirect:
    """A 301 to ``url`` keeping the request's query string (filters, page number), for the
    old addresses of a renamed or merged-away tag and of a region whose slug changed."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def object_or_moved(
    request: HttpRequest,
    queryset: SlugRedirectQuerySet,
    slug: str,
    address: Callable[[Model], str] = lambda found: found.get_absolute_url(),
) -> tuple[Model, HttpResponsePermanentRedirect | None]:
    """The tag or region whose address names ``slug``, and the answer to give instead of
    the page when the slug is one it had before (a tag renamed or merged away, a region's
    slug changed): a 301 to its ``address`` now, the query string kept, so that a bookmark
    or a feed reader's subscription moves for good. None when the slug is its own; a 404
    when no object has or had it. One query (``resolving``).

    For every page and feed addressed by a slug that may be an old one:
    ``found, moved = object_or_moved(...)``, then ``return moved or ...``.
    """
    found = queryset.resolving(slug).first()
    if found is None:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.")
    if found.slug != slug:
        return found, moved_permanently(request, address(found))
    return found, None


def page_number(asked: str | None, num_pages: int) -> int:
    """The page to show for the ``page`` a reader asked for: a number past the end is the
    last page, and anything else that is not a page (a word, zero, a negative number) the
    first. Django's ListView answers a bare 404 to both, for a link that went stale as the
    list shrank (articles withdrawn, filters changed) or a hand-edited address."""
    if asked == "last":
        return num_pages
    try:
        number = int(asked or 1)
    except ValueError:
        return 1
    return min(number, num_pages) if number >= 1 else 1


class ForgivingPaginationMixin:
    """A ListView's pagination that never answers 404 for a page number (``page_number``).
    ``page_moved`` in the context is true when the page shown is not the one asked for, so
    the page can say so; the canonical address names the page shown."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        asked = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg)
        page = paginator.page(page_number(asked, paginator.num_pages))
        self.page_moved = asked not in (None, "") and str(asked).strip() != str(page.number)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_moved"] = self.page_moved
            context["canonical_url"] = canonical_url(self.request, page=page.number)
        return context


class ArticleListView(ForgivingPaginationMixin, ListView):
    """Published articles, newest first, a page at a time, narrowed by the reader's filters
    (ArticleFilter, kept in the query string). Pages that list a part of the archive say
    which part in ``scope``, and which filter that part makes pointless in ``scope_filter``."""

    template_name = "archive/article_list.html"
    context_object_name = "articles"
    scope_filter = ""
    with_timeline = False

    def get(self, request, *args, **kwargs):
        # A submitted filter form sends its empty fields too: drop them from the address.
        empty = [key for key, values in request.GET.lists() if not any(values)]
        if empty:
            query = request.GET.copy()
            for key in empty:
                del query[key]
            return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
        return super().get(request, *args, **kwargs)

    def get_paginate_by(self, queryset) -> int:
        return settings.ARTICLES_PER_PAGE

    def scope(self, articles):
        return articles

    def get_queryset(self):
        articles = self.scope(Article.objects.listed().for_listing())
        self.filterset = ArticleFilter(self.request.GET, queryset=articles)
        self.filterset.form.fields.pop(self.scope_filter, None)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        filters = self.request.GET.copy()
        filters.pop("page", None)
        context = {
            "filterset": self.filterset,
            "filter_query": filters.urlencode(),
            "canonical_url": canonical_url(self.request),
        }
        if self.with_timeline:
            context["timeline"] = timeline_for(self.object_list, filters.urlencode())
        return super().get_context_data(**context, **kwargs)


class HomeView(ArticleListView):
    template_name = "archive/home.html"


class OutletArticlesView(ArticleListView):
    template_name = "archive/outlet_detail.html"
    scope_filter = "outlet"
    with_timeline = True

    def scope(self, articles):
        self.outlet = get_object_or_404(Outlet, slug=self.kwargs["slug"])
        return articles.filter(outlet=self.outlet)

    def get_context_data(self, **kwargs):
        return super().get_context_data(outlet=self.outlet, **kwargs)


class TagArticlesView(ArticleListView):
    template_name = "archive/tag_detail.html"
    scope_filter = "tag"
    with_timeline = True

    def get(self, request, *args, **kwargs):
        self.tag, moved = object_or_moved(request, Tag.objects, self.kwargs["slug"])
        return moved or super().get(request, *args, **kwargs)

    def scope(self, articles):
        return articles.filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class ArticleDetailView(DetailView):
    template_name = "archive/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.select_related(
            "outlet", "dateline_region__parent", "near_duplicate_of__outlet"
        )

    def get_context_data(self, **kwargs):
        # The comment form is passed in when a post to it is shown again with its errors.
        comments = comment_section_context(self.object, kwargs.pop("comment_form", None))
        context = super().get_context_data(**comments, **kwargs)
        context.update(article_metadata(self.object, self.request))  # canonical, OG, JSON-LD
        context["also_published_by"] = self.object.syndicated_copies.published().select_related(
            "outlet"
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        if not self.object.is_published:
            # Withdrawn: say so plainly rather than pretend it never existed.
            return render(self.request, "archive/article_withdrawn.html", context, status=410)
        return super().render_to_response(context, **response_kwargs)
