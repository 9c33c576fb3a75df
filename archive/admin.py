from django.contrib import admin
from django.db.models import Count

from archive.locate import locate_articles, unresolved_datelines
from archive.models import Article, Comment, ModerationEvent, Outlet, Region, RegionName, Tag
from archive.models.comments import RejectionReason
from archive.places import forget_gazetteer
from archive.text import fold
from moderation.roles import MODERATE_PERMISSION
from moderation.services import approve_comments, reject_comments


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
    """The gazetteer's tree. Editors add areas ("Middle Euphrates Valley") under any region;
    load_regions keeps what they add and only refreshes what it loaded."""

    list_display = ["name", "kind", "parent", "country_code", "iso_code", "population"]
    list_filter = ["kind"]
    search_fields = ["name", "names__folded"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["lies_in"]
    fields = [
        "name",
        "slug",
        "kind",
        "parent",
        "lies_in",
        "country_code",
        "population",
        "iso_code",
        "geonames_id",
    ]
    inlines = [RegionNameInline]

    def get_search_results(self, request, queryset, search_term):
        found, _may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if folded := fold(search_term):
            # "Déir ez-Zor" finds "deir ez zor": names are searched folded, as look-ups do.
            found |= queryset.filter(names__folded__startswith=folded)
        return found.distinct(), False

    @admin.display(description="Lies in")
    def lies_in(self, region: Region) -> str:
        return " › ".join(a.name for a in region.ancestors()) or "–"


class DatelinePlaceFilter(admin.SimpleListFilter):
    """Editors' list of datelines to fix: printed, but no region found for them."""

    title = "dateline place"
    parameter_name = "dateline_place"

    def lookups(self, request, model_admin):
        return [
            ("unresolved", "Unresolved dateline"),
            ("resolved", "Resolved"),
            ("none", "No dateline"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "unresolved":
            return unresolved_datelines(queryset)
        if self.value() == "resolved":
            return queryset.exclude(dateline_region=None)
        if self.value() == "none":
            return queryset.filter(dateline_place="", dateline_region=None)
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "published_at", "dateline", "dateline_region", "status"]
    list_filter = [DatelinePlaceFilter, "status", "outlet", "comments_open"]
    actions = ["locate_again"]
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

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        article = form.instance
        # The dateline's place is always one of the places covered: browsing counts those.
        if article.dateline_region_id:
            article.regions.add(article.dateline_region_id)

    @admin.action(permissions=["change"], description="Find the dateline place and places again")
    def locate_again(self, request, queryset) -> None:
        forget_gazetteer()  # regions as they are now, whichever process last changed them
        report = locate_articles(queryset)
        self.message_user(request, report.summary())


def _reject_action(reason: RejectionReason):
    def reject(modeladmin, request, queryset) -> None:
        events = reject_comments(
            queryset.values_list("pk", flat=True), moderator=request.user, reason=reason
        )
        modeladmin.message_user(request, f"Rejected {len(events)} comments ({reason.label}).")

    reject.__name__ = f"reject_as_{reason.value}"
    return admin.action(permissions=["moderate"], description=f"Reject as {reason.label}")(reject)


class ModerationEventInline(admin.TabularInline):
    model = ModerationEvent
    fields = ["created_at", "actor", "from_status", "to_status", "reason", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments are never edited. Status changes only through the actions below, which go
    through moderation.services and record a ModerationEvent; the queue is at /moderation/."""

    list_display = [
        "author_name",
        "article",
        "status",
        "rejection_reason",
        "screening_score",
        "submitted_at",
    ]
    list_filter = ["status", "rejection_reason"]
    list_select_related = ["article"]
    search_fields = ["author_name", "body"]
    inlines = [ModerationEventInline]
    actions = ["approve", *(_reject_action(reason) for reason in RejectionReason)]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm(MODERATE_PERMISSION)

    @admin.action(permissions=["moderate"], description="Approve selected comments")
    def approve(self, request, queryset) -> None:
        events = approve_comments(queryset.values_list("pk", flat=True), moderator=request.user)
        self.message_user(request, f"Approved {len(events)} comments.")


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
