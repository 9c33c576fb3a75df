"""Browsing pages: places, tags, outlets and dates, each with counts the database agrees with.

Every count is of the articles the lists show (published, a syndicated copy left to its
first copy's page: ``Article.objects.listed``), and an article covering several places of
one branch counts once for it. A place's articles include those of every place inside it, found
through the regions' materialised paths (``Region.objects.subtree_of``): one indexed range,
however deep the tree.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Max
from django.db.models.functions import Length, TruncDay, TruncYear
from django.http import Http404
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.views.generic import ListView, TemplateView

from archive.filters import in_region
from archive.metadata import canonical_url
from archive.models import Article, Outlet, Region, Tag
from archive.models.articles import listed_condition
from archive.models.places import PATH_WIDTH
from archive.timeline import monthly_counts
from archive.views import ArticleListView, ForgivingPaginationMixin, object_or_moved

TAGS_PER_PAGE = 200


class RegionIndexView(TemplateView):
    """Continents, then the countries of each, with their articles counted."""

    template_name = "archive/region_index.html"

    def get_context_data(self, **kwargs):
        by_continent = Region.objects.published_article_counts_by_branch("", depth=1)
        by_country = Region.objects.published_article_counts_by_branch("", depth=2)
        countries = Region.objects.filter(id__in=by_country).order_by("name")
        continents = []
        for continent in Region.objects.filter(kind=Region.Kind.CONTINENT).order_by("name"):
            continents.append(
                {
                    "region": continent,
                    "count": by_continent.get(continent.id, 0),
                    "countries": [
                        (country, by_country[country.id])
                        for country in countries
                        if country.parent_id == continent.id
                    ],
                }
            )
        return super().get_context_data(
            continents=continents, canonical_url=canonical_url(self.request), **kwargs
        )


class RegionArticlesView(ArticleListView):
    """A place: where it is, the places inside it, and its articles (theirs included)."""

    template_name = "archive/region_detail.html"
    scope_filter = "region"
    with_timeline = True

    def get(self, request, *args, **kwargs):
        # A slug an editor changed: its old address moves for good, filters kept.
        self.region, moved = object_or_moved(request, Region.objects, self.kwargs["slug"])
        return moved or super().get(request, *args, **kwargs)

    def scope(self, articles):
        return in_region(articles, self.region)

    def get_context_data(self, **kwargs):
        region = self.region
        depth = len(region.path) // PATH_WIDTH
        counts = self._counts_by_depth(depth)
        by_child = counts.get(depth + 1, {})
        children = sorted(
            Region.objects.filter(id__in=by_child), key=lambda r: (-by_child[r.id], r.name)
        )
        return super().get_context_data(
            region=region,
            ancestors=region.ancestors(),
            sub_regions=[(child, by_child[child.id]) for child in children],
            cities=self._cities(counts, exclude={child.id for child in children}),
            **kwargs,
        )

    def _counts_by_depth(self, depth: int) -> dict[int, dict[int, int]]:
        """Articles per place inside the region, one query per level of the tree below it
        (each place's count includes the places inside it)."""
        longest = Region.objects.subtree_of(self.region).aggregate(longest=Max(Length("path")))
        levels = range(depth + 1, (longest["longest"] or 0) // PATH_WIDTH + 1)
        return {
            level: Region.objects.published_article_counts_by_branch(self.region.path, level)
            for level in levels
        }

    def _cities(self, counts: dict[int, dict[int, int]], exclude: set[int]) -> list:
        """The cities anywhere inside the region with their articles, busiest first, when
        some lie deeper than its own places (a country page reaches its cities whatever the
        provinces); none when they are all listed already."""
        by_region = {rid: n for level in counts.values() for rid, n in level.items()}
        cities = list(Region.objects.filter(id__in=by_region, kind=Region.Kind.CITY))
        if {city.id for city in cities} <= exclude:
            return []
        return sorted(((c, by_region[c.id]) for c in cities), key=lambda cn: (-cn[1], cn[0].name))


class TagIndexView(ForgivingPaginationMixin, ListView):
    """Every tag with its count of published articles, by name or by count, filterable."""

    template_name = "archive/tag_index.html"
    context_object_name = "tags"
    paginate_by = TAGS_PER_PAGE

    def get_queryset(self):
        # Counted as the pages list them: published, a syndicated story once.
        tags = Tag.objects.annotate(count=Count("articles", filter=listed_condition("articles__")))
        if query := self.request.GET.get("q", "").strip():
            tags = tags.filter(name__icontains=query)
        if self.sort == "count":
            return tags.order_by("-count", "name")
        return tags.order_by("name")

    @property
    def sort(self) -> str:
        return "count" if self.request.GET.get("sort") == "count" else "name"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.request.GET.get("q", "").strip(),
            sort=self.sort,
            canonical_url=canonical_url(self.request),
            **kwargs,
        )


class OutletIndexView(ListView):
    template_name = "archive/outlet_index.html"
    context_object_name = "outlets"

    def get_queryset(self):
        return Outlet.objects.annotate(
            count=Count("articles", filter=listed_condition("articles__"))
        ).order_by("name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(canonical_url=canonical_url(self.request), **kwargs)


class ArchiveIndexView(TemplateView):
    """The years of the archive, with their articles counted."""

    template_name = "archive/archive_index.html"

    def get_context_data(self, **kwargs):
        years = (
            Article.objects.listed()
            .order_by()
            .annotate(year=TruncYear("published_at", tzinfo=UTC))
            .values("year")
            .annotate(count=Count("id"))
            .order_by("-year")
            .values_list("year", "count")
        )
        return super().get_context_data(
            years=[(year.year, count) for year, count in years],
            canonical_url=canonical_url(self.request),
            **kwargs,
        )


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    """A month of a year's page, or a day of a month's page, with its articles counted."""

    label: str
    count: int
    url: str


class DateArchiveView(ArticleListView):
    """The articles of a year, a month or a day (UTC days, as dates are stored), with counts
    for the months or days inside. The reader's filters apply to the list and the counts."""

    template_name = "archive/date_archive.html"
    level = ""

    def period(self) -> tuple[date, date]:
        """The first day of the period and the first day after it."""
        raise NotImplementedError

    def scope(self, articles):
        try:
            self.start, self.end = self.period()
        except (ValueError, OverflowError) as error:  # no such date: 2017-02-30, month 13
            raise Http404("No such date.") from error
        return articles.filter(
            published_at__gte=_utc_midnight(self.start), published_at__lt=_utc_midnight(self.end)
        )

    def periods(self) -> list[Period]:
        return []

    def with_filters(self, url: str) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return f"{url}?{query.urlencode()}" if query else url

    def breadcrumbs(self) -> list[tuple[str, str]]:
        start = self.start
        crumbs = [("Archive", reverse("archive:archive_index"))]
        crumbs.append(
            (str(start.year), self.with_filters(reverse("archive:archive_year", args=[start.year])))
        )
        if self.level in ("month", "day"):
            url = reverse("archive:archive_month", args=[start.year, start.month])
            crumbs.append((date_format(start, "F"), self.with_filters(url)))
        if self.level == "day":
            crumbs.append((str(start.day), ""))
        crumbs[-1] = (crumbs[-1][0], "")  # the page itself
        return crumbs

    def get_context_data(self, **kwargs):
        titles = {
            "year": (date_format(self.start, "Y"), date_format(self.start, "Y"), "in"),
            "month": (date_format(self.start, "F Y"), date_format(self.start, "F Y"), "in"),
            "day": (date_format(self.start, "j F Y"), date_format(self.start, "l j F Y"), "on"),
        }
        title, heading, preposition = titles[self.level]
        return super().get_context_data(
            level=self.level,
            start=self.start,
            periods=self.periods(),
            period_label={"year": "Months", "month": "Days"}.get(self.level, ""),
            period_title=title,
            period_heading=heading,
            period_description=f"{preposition} {title}",
            breadcrumbs=self.breadcrumbs(),
            **kwargs,
        )


class YearArchiveView(DateArchiveView):
    level = "year"

    def period(self) -> tuple[date, date]:
        year = self.kwargs["year"]
        return date(year, 1, 1), date(year + 1, 1, 1)

    def periods(self) -> list[Period]:
        counts = monthly_counts(self.object_list)
        months = [date(self.start.year, month, 1) for month in range(1, 13)]
        return [
            Period(
                label=date_format(month, "F"),
                count=counts.get(month, 0),
                url=self.with_filters(
                    reverse("archive:archive_month", args=[month.year, month.month])
                ),
            )
            for month in months
        ]


class MonthArchiveView(DateArchiveView):
    level = "month"

    def period(self) -> tuple[date, date]:
        year, month = self.kwargs["year"], self.kwargs["month"]
        return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)

    def periods(self) -> list[Period]:
        rows = (
            self.object_list.order_by()
            .annotate(day=TruncDay("published_at", tzinfo=UTC))
            .values("day")
            .annotate(count=Count("id", distinct=True))
            .values_list("day", "count")
        )
        counts = {_as_date(day): count for day, count in rows}
        days_in_month = calendar.monthrange(self.start.year, self.start.month)[1]
        days = [date(self.start.year, self.start.month, d) for d in range(1, days_in_month + 1)]
        return [
            Period(
                label=date_format(day, "j D"),
                count=counts.get(day, 0),
                url=self.with_filters(
                    reverse("archive:archive_day", args=[day.year, day.month, day.day])
                ),
            )
            for day in days
        ]


class DayArchiveView(DateArchiveView):
    level = "day"

    def period(self) -> tuple[date, date]:
        start = date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
        return start, start + timedelta(days=1)


def _as_date(moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
