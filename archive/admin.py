from django.contrib import admin
from django.db.models import Count

from archive.models import Article, Comment, ModerationEvent, Outlet, Region, RegionName, Tag


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "language", "date_order", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, outlet: Outlet) -> int:
        return outlet.article_count


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, tag: Tag) -> int:
        return tag.article_count


class RegionNameInline(admin.TabularInline):
    model = RegionName
    extra = 1
    fields = ["name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "country_code", "population"]
    list_filter = ["kind"]
    search_fields = ["name", "names__folded"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [RegionNameInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, _may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "published_at", "dateline", "dateline_region", "status"]
    list_filter = ["status", "outlet", "comments_open"]
    list_select_related = ["outlet", "dateline_region__parent"]
    search_fields = ["title", "canonical_url"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["outlet", "tags", "regions", "dateline_region"]
    readonly_fields = ["content_hash", "source", "ingested_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "outlet", "published_at", "published_time_known"]}),
        (
            "Dateline",
            {
                "fields": [
                    "dateline",
                    "dateline_place",
                    "dateline_qualifier",
                    "dateline_agency",
                    "dateline_region",
                ]
            },
        ),
        ("Text", {"fields": ["summary", "body", "language"]}),
        ("Classification", {"fields": ["tags", "regions"]}),
        ("Publication", {"fields": ["status", "comments_open", "canonical_url"]}),
        (
            "Provenance",
            {"fields": ["content_hash", "source", "extra", "ingested_at", "updated_at"]},
        ),
    ]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments are never edited: browse them here, moderate them in the queue."""

    list_display = ["author_name", "article", "status", "rejection_reason", "submitted_at"]
    list_filter = ["status", "rejection_reason"]
    list_select_related = ["article"]
    search_fields = ["author_name", "body"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    """The audit trail: append-only, so read-only here."""

    list_display = ["comment", "actor", "from_status", "to_status", "reason", "created_at"]
    list_filter = ["to_status", "reason"]
    list_select_related = ["comment", "actor"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
