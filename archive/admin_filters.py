"""The article list's own filters: datelines to fix, and places covered (with the places
inside them)."""

from django.contrib import admin
from django.db.models import Q

from archive.locate import unresolved_datelines
from archive.models import Article, Region


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


class RegionFilter(admin.SimpleListFilter):
    """Articles covering a place or anywhere inside it: ?region=<slug>."""

    title = "place covered"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        # Countries to click; any region's slug works in the address (?region=erbil).
        shown = Q(kind=Region.Kind.COUNTRY) | Q(slug=self.value() or "")
        return list(Region.objects.filter(shown).order_by("name").values_list("slug", "name"))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        region = Region.objects.filter(slug=self.value()).first()
        if region is None:
            return queryset.none()
        # A subquery, not a join: a join would multiply the comment counts.
        covering = Article.regions.through.objects.filter(
            region__in=Region.objects.subtree_of(region).values("pk")
        )
        return queryset.filter(pk__in=covering.values("article_id"))
