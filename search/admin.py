"""Search insight for editors: the week's top queries and the queries that found nothing
(SearchLog's list), and the articles pinned to queries (SearchPromotion)."""

from datetime import date, timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone

from search import insight
from search.models import SearchLog, SearchPromotion


@admin.register(SearchPromotion)
class SearchPromotionAdmin(admin.ModelAdmin):
    list_display = ["query", "article_count", "created_at"]
    search_fields = ["query"]
    autocomplete_fields = ["articles"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, promotion: SearchPromotion) -> int:
        return promotion.article_count


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the portal. Its list is the weekly report."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        monday, _ = insight.week_of(_week_asked(request.GET.get("week")))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Searches in the week of {monday:%d %B %Y}",
            "opts": self.model._meta,
            "monday": monday,
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
            "top": insight.top_queries(monday),
            "zero_hits": insight.zero_hit_queries(monday),
        }
        return TemplateResponse(request, "admin/search/searchlog/week.html", context)


def _week_asked(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.now().date()
    except ValueError:
        return timezone.now().date()
