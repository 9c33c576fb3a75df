from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView, ListView

from archive.models import Article, Outlet, Tag


class ArticleListView(ListView):
    """Published articles, newest first, a page at a time."""

    template_name = "archive/article_list.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset) -> int:
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_listing()


class HomeView(ArticleListView):
    template_name = "archive/home.html"


class OutletArticlesView(ArticleListView):
    template_name = "archive/outlet_detail.html"

    def get_queryset(self):
        self.outlet = get_object_or_404(Outlet, slug=self.kwargs["slug"])
        return super().get_queryset().filter(outlet=self.outlet)

    def get_context_data(self, **kwargs):
        return super().get_context_data(outlet=self.outlet, **kwargs)


class TagArticlesView(ArticleListView):
    template_name = "archive/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class ArticleDetailView(DetailView):
    template_name = "archive/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.select_related("outlet", "dateline_region__parent")

    def render_to_response(self, context, **response_kwargs):
        if not self.object.is_published:
            # Withdrawn: say so plainly rather than pretend it never existed.
            return render(self.request, "archive/article_withdrawn.html", context, status=410)
        return super().render_to_response(context, **response_kwargs)
