import logging

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from archive import curation
from archive.admin_filters import (
    DatelinePlaceFilter,
    PrintedDatelineFilter,
    RegionFilter,
    TagFilter,
)
from archive.admin_forms import (
    ChooseRegionForm,
    ChooseTagForm,
    FixDatelineTextForm,
    MergeTagsForm,
    action_form,
)
from archive.curation import merge_tags, rename_tag
from archive.locate import locate_articles
from archive.models import (
    Article,
    Comment,
    ModerationEvent,
    Outlet,
    Region,
    RegionName,
    RegionRedirect,
    Tag,
    TagRedirect,
)
from archive.models.comments import CommentStatus, RejectionReason
from archive.models.history import REASON_MAX_LENGTH
from archive.places import forget_gazetteer
from archive.text import fold
from moderation.roles import MODERATE_PERMISSION
from moderation.services import approve_comments, reject_comments
from search.backends.base import SearchBackendError
from search.matching import matching_article_ids

logger = logging.getLogger(__name__)


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
    """Renaming a tag here keeps its old address (a redirect); "Merge" moves the articles of
    the selected tags to one of them. Both go through archive.curation."""

    list_display = ["name", "slug", "article_count", "published_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                article_count=Count("articles", distinct=True),
                published_count=Count(
                    "articles",
                    filter=Q(articles__status=Article.Status.PUBLISHED),
                    distinct=True,
                ),
            )
        )

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, tag: Tag) -> str:
        # A link to the article list filtered by this tag (the list's tag filter).
        url = reverse("admin:archive_article_changelist") + "?" + urlencode({"tag": tag.slug})
        return format_html('<a href="{}">{}</a>', url, tag.article_count)

    @admin.display(ordering="published_count", description="Published")
    def published_count(self, tag: Tag) -> int:
        return tag.published_count

    def save_model(self, request, obj: Tag, form, change: bool) -> None:
        if change and {"name", "slug"} & set(form.changed_data):
            original = Tag.objects.get(pk=obj.pk)
            rename_tag(original, obj.name, obj.slug)
            return
        super().save_model(request, obj, form, change)

    @admin.action(permissions=["change"], description="Merge selected tags into one…")
    def merge(self, request, queryset):
        form, page = action_form(
            self,
            request,
            queryset,
            MergeTagsForm,
            title="Merge tags",
            intro="The articles of these tags move to the tag you choose; the other tags are "
            "deleted and their addresses redirect to it.",
            form_kwargs={"selected": queryset},
            into=queryset.order_by("-article_count", "name").first(),
        )
        if page:
            return page
        into = form.cleaned_data["into"]
        sources = list(queryset.exclude(pk=into.pk))
        names = ", ".join(tag.name for tag in sources)
        moved = merge_tags(sources, into, by=request.user)
        self.log_change(request, into, f"Merged {names} into it.")
        merged = ngettext(
            "Merged %(count)d tag into %(into)s",
            "Merged %(count)d tags into %(into)s",
            len(sources),
        ) % {"count": len(sources), "into": into.name}
        changed = ngettext("%(count)d article changed.", "%(count)d articles changed.", moved) % {
            "count": moved
        }
        self.message_user(request, f"{merged}; {changed}")
        return None


class SlugRedirectAdmin(admin.ModelAdmin):
    """Old slugs and what they lead to, for editors to see, and to delete one that should
    lead nowhere any more (its address then answers 404). Never added or edited here: the
    rename, merge or save that changes a slug keeps them right, with no loop and no chain
    (archive.models.slug_redirects).

    Permissions follow the model the old slugs lead to, as no grant of their own exists for
    the Editors group: who may see tags (regions) sees their old slugs, and who may change
    them, which changes their addresses anyway, may delete one. A grant of the redirect
    model's own permissions works as well."""

    list_display = ["old_slug", "leads_to", "created_at"]
    readonly_fields = ["old_slug", "leads_to", "created_at"]
    fields = readonly_fields
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.model.target_field)

    def get_search_fields(self, request) -> list[str]:
        # An old slug, or the slug or name of the tag (region) it leads to now.
        target = self.model.target_field
        return ["old_slug", f"{target}__slug", f"{target}__name"]

    @admin.display(description="Leads to")
    def leads_to(self, redirect) -> str:
        target = redirect.target
        url = reverse(f"admin:archive_{target._meta.model_name}_change", args=[target.pk])
        return format_html('<a href="{}">{}</a> ({})', url, target, target.slug)

    def _may_on_target(self, request, action: str) -> bool:
        target = self.model._meta.get_field(self.model.target_field).related_model._meta
        return request.user.has_perm(f"{target.app_label}.{action}_{target.model_name}")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) or any(
            self._may_on_target(request, action) for action in ("view", "change")
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) or self._may_on_target(request, "change")


@admin.register(TagRedirect)
class TagRedirectAdmin(SlugRedirectAdmin):
    pass


@admin.register(RegionRedirect)
class RegionRedirectAdmin(SlugRedirectAdmin):
    pass


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


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "outlet",
        "published_at",
        "dateline",
        "dateline_region",
        "status",
        "comments_open",
        "approved_comments",
        "pending_comments",
    ]
    list_filter = [
        DatelinePlaceFilter,
        PrintedDatelineFilter,
        "status",
        "outlet",
        "comments_open",
        "published_at",
        TagFilter,
        RegionFilter,
    ]
    actions = [
        "withdraw",
        "republish",
        "add_tag",
        "remove_tag",
        "set_dateline_region",
        "close_comments",
        "open_comments",
        "reindex",
        "locate_again",
    ]
    list_select_related = ["outlet", "dateline_region__parent"]
    # The database half of the search box (the index does the rest): titles, which finds
    # withdrawn articles the index does not hold, and a pasted URL, exactly (indexed).
    search_fields = ["title", "=canonical_url"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["outlet", "tags", "regions", "dateline_region"]
    readonly_fields = ["as_readers_see_it", "content_hash", "source", "ingested_at", "updated_at"]
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
        ("Text", {"fields": ["summary", "body", "as_readers_see_it", "language"]}),
        ("Classification", {"fields": ["tags", "regions"]}),
        ("Publication", {"fields": ["status", "comments_open", "canonical_url"]}),
        (
            "Provenance",
            {"fields": ["content_hash", "source", "extra", "ingested_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                approved_count=Count("comments", filter=Q(comments__status=CommentStatus.APPROVED)),
                pending_count=Count("comments", filter=Q(comments__status=CommentStatus.PENDING)),
            )
        )

    @admin.display(ordering="approved_count", description="Comments")
    def approved_comments(self, article: Article) -> int:
        return article.approved_count

    @admin.display(ordering="pending_count", description="Pending")
    def pending_comments(self, article: Article) -> int:
        return article.pending_count

    def get_urls(self):
        unresolved = path(
            "unresolved-datelines/",
            self.admin_site.admin_view(self.unresolved_datelines_view),
            name="archive_article_unresolved_datelines",
        )
        return [unresolved, *super().get_urls()]

    def unresolved_datelines_view(self, request):
        """Datelines no region was found for, with counts; one form fixes all the articles
        printing the same place and qualifier."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = FixDatelineTextForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                count = curation.fix_dateline_text(
                    data["place"], data["qualifier"], data["region"], by=request.user
                )
                self._done(request, f"Placed in {data['region'].name}:", count)
                return redirect(request.path)
        changelist = reverse("admin:archive_article_changelist")
        groups = [
            {
                **group,
                "list_url": changelist
                + "?"
                + urlencode(
                    {
                        "dateline_place": "unresolved",
                        PrintedDatelineFilter.parameter_name: PrintedDatelineFilter.value_for(
                            group["dateline_place"], group["dateline_qualifier"]
                        ),
                    }
                ),
                "form": FixDatelineTextForm(
                    initial={
                        "place": group["dateline_place"],
                        "qualifier": group["dateline_qualifier"],
                    },
                    auto_id=f"id_%s_{number}",  # one form per row: ids stay unique
                ),
            }
            for number, group in enumerate(curation.unresolved_dateline_groups()[:200])
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Unresolved datelines",
            "opts": self.model._meta,
            "groups": groups,
            "media": self.media + FixDatelineTextForm().media,
        }
        return TemplateResponse(request, "admin/archive/unresolved_datelines.html", context)

    @admin.display(description="As readers see it")
    def as_readers_see_it(self, article: Article) -> str:
        # The article page's own template for its text: the same paragraphs, dateline and
        # escaping, by construction.
        return render_to_string("archive/includes/article_body.html", {"article": article})

    def get_search_results(self, request, queryset, search_term):
        """Search as the portal does (the backend, fast on a large archive) for published
        articles, plus titles and URLs in the database, which finds withdrawn ones too."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return found, may_have_duplicates
        try:
            ids = matching_article_ids(search_term, limit=settings.ADMIN_SEARCH_LIMIT)
        except SearchBackendError as error:
            logger.warning("Admin search falls back to the database: %s", error)
            return found, may_have_duplicates
        return found | queryset.filter(pk__in=ids), may_have_duplicates

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        """The version this save writes says what the form changed (its first version may
        have no earlier one to compare with); a save that changed nothing writes none."""
        if change and not form.changed_data:
            obj.skip_history_when_saving = True
        elif change:
            labels = [str(form.fields[name].label or name).lower() for name in form.changed_data]
            obj._change_reason = f"Edited: {', '.join(labels)}"[:REASON_MAX_LENGTH]
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        article = form.instance
        # The dateline's place is always one of the places covered: browsing counts those.
        if article.dateline_region_id:
            article.regions.add(article.dateline_region_id)

    def _done(self, request, verb: str, count: int) -> None:
        self.message_user(request, f"{verb} {count} article{'s' if count != 1 else ''}.")

    @admin.action(permissions=["change"], description="Withdraw selected articles")
    def withdraw(self, request, queryset) -> None:
        self._done(request, "Withdrew", curation.withdraw_articles(queryset, request.user))

    @admin.action(permissions=["change"], description="Republish selected articles")
    def republish(self, request, queryset) -> None:
        self._done(request, "Republished", curation.republish_articles(queryset, request.user))

    @admin.action(permissions=["change"], description="Close comments on selected articles")
    def close_comments(self, request, queryset) -> None:
        self._done(
            request, "Closed comments on", curation.set_comments_open(queryset, False, request.user)
        )

    @admin.action(permissions=["change"], description="Open comments on selected articles")
    def open_comments(self, request, queryset) -> None:
        self._done(
            request, "Opened comments on", curation.set_comments_open(queryset, True, request.user)
        )

    @admin.action(permissions=["change"], description="Reindex selected articles")
    def reindex(self, request, queryset) -> None:
        self._done(request, "Sent to the index", curation.reindex_articles(queryset))

    @admin.action(permissions=["change"], description="Add a tag to selected articles…")
    def add_tag(self, request, queryset):
        form, page = action_form(
            self, request, queryset, ChooseTagForm, title="Add a tag", intro="Tag these articles:"
        )
        if page:
            return page
        tag = form.cleaned_data["tag"]
        self._done(request, f"Tagged {tag.name}:", curation.add_tag(queryset, tag, by=request.user))
        return None

    @admin.action(permissions=["change"], description="Remove a tag from selected articles…")
    def remove_tag(self, request, queryset):
        form, page = action_form(
            self,
            request,
            queryset,
            ChooseTagForm,
            title="Remove a tag",
            intro="Take a tag off these articles:",
        )
        if page:
            return page
        tag = form.cleaned_data["tag"]
        self._done(
            request, f"Untagged {tag.name}:", curation.remove_tag(queryset, tag, by=request.user)
        )
        return None

    @admin.action(permissions=["change"], description="Set the dateline place of selected…")
    def set_dateline_region(self, request, queryset):
        form, page = action_form(
            self,
            request,
            queryset,
            ChooseRegionForm,
            title="Set the dateline place",
            intro="These articles were filed from:",
        )
        if page:
            return page
        region = form.cleaned_data["region"]
        self._done(
            request,
            f"Placed in {region.name}:",
            curation.set_dateline_region(queryset, region, request.user),
        )
        return None

    @admin.action(permissions=["change"], description="Find the dateline place and places again")
    def locate_again(self, request, queryset) -> None:
        forget_gazetteer()  # regions as they are now, whichever process last changed them
        report = locate_articles(
            queryset, on_changed=lambda ids: curation.record_placed_again(ids, by=request.user)
        )
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
