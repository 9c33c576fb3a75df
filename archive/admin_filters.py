"""The article list's own filters: datelines to fix, tags and places covered (with the
places inside them). Each filters through a subquery, not a join: a join would multiply the
list's comment counts. None of them lists thousands of choices on each page load."""

import functools

from django.contrib import admin
from django.db.models import Q

from archive.locate import unresolved_datelines
from archive.models import Article, Region, Tag


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


class PrintedDatelineFilter(admin.SimpleListFilter):
    """The articles printing one dateline: ``?printed_dateline=PLACE|QUALIFIER``, the link
    from each row of the unresolved datelines page. Shown only while it is on."""

    title = "printed dateline"
    parameter_name = "printed_dateline"

    @staticmethod
    def value_for(place: str, qualifier: str) -> str:
        return f"{place}|{qualifier}"

    def lookups(self, request, model_admin):
        if not self.value():
            return []
        place, _, qualifier = self.value().partition("|")
        return [(self.value(), f"{place}, {qualifier}" if qualifier else place)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        place, _, qualifier = self.value().partition("|")
        return queryset.filter(dateline_place=place, dateline_qualifier=qualifier)


class TagFilter(admin.SimpleListFilter):
    """Articles carrying a tag: ``?tag=<slug>``, the link from each tag's count in the tag
    list. Only the chosen tag is listed here: an archive has thousands of tags. A slug the
    tag had before a rename or a merge finds the tag it is now (``Tag.objects.resolving``),
    as the site's own tag filters do: an editor's bookmarked list keeps working."""

    title = "tag"
    parameter_name = "tag"

    @functools.cached_property
    def tag(self) -> Tag | None:
        # Read once a request: both lookups() and queryset() ask.
        return Tag.objects.resolving(self.value()).first() if self.value() else None

    def lookups(self, request, model_admin):
        if not self.value():
            return []
        # An unknown slug is listed as typed (and finds nothing) rather than ignored.
        return [(self.value(), self.tag.name if self.tag else self.value())]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if self.tag is None:
            return queryset.none()
        tagged = Article.tags.through.objects.filter(tag=self.tag)
        return queryset.filter(pk__in=tagged.values("article_id"))


class RegionFilter(admin.SimpleListFilter):
    """Articles covering a place or anywhere inside it: ?region=<slug>. A slug the place had
    before an editor changed it finds the place (``Region.objects.resolving``), as the
    site's own place filters do."""

    title = "place covered"
    parameter_name = "region"

    @functools.cached_property
    def region(self) -> Region | None:
        # Read once a request: both lookups() and queryset() ask.
        return Region.objects.resolving(self.value()).first() if self.value() else None

    def lookups(self, request, model_admin):
        # Countries to click; any region's slug works in the address (?region=erbil). The
        # place chosen is listed by the value asked, an old slug included, to show chosen.
        shown = Q(kind=Region.Kind.COUNTRY)
        chosen = self.region.pk if self.region else None
        if chosen:
            shown |= Q(pk=chosen)
        rows = Region.objects.filter(shown).order_by("name").values_list("pk", "slug", "name")
        return [(self.value() if pk == chosen else slug, name) for pk, slug, name in rows]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if self.region is None:
            return queryset.none()
        covering = Article.regions.through.objects.filter(
            region__in=Region.objects.subtree_of(self.region).values("pk")
        )
        return queryset.filter(pk__in=covering.values("article_id"))
