"""Articles per month, and the small bar chart of them drawn on the server as inline SVG.

No chart library: the view computes each bar's box here and ``archive/includes/timeline.html``
writes the SVG, with a title and a description for screen readers and one link per month.
"""

from dataclasses import dataclass
from datetime import UTC, date

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.dateformat import format as format_date

MAX_MONTHS = 120  # ten years of bars; older months are left out of the chart
MIN_MONTHS = 12
WIDTH, HEIGHT = 600, 96  # the SVG's own units; CSS scales it to the page


@dataclass(frozen=True)
class MonthBar:
    month: date
    count: int
    x: float
    y: float
    width: float
    height: float
    url: str

    @property
    def label(self) -> str:
        articles = "article" if self.count == 1 else "articles"
        return f"{format_date(self.month, 'F Y')}: {self.count} {articles}"


@dataclass(frozen=True)
class Timeline:
    bars: list[MonthBar]
    total: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def first(self) -> date:
        return self.bars[0].month

    @property
    def last(self) -> date:
        return self.bars[-1].month

    @property
    def busiest(self) -> MonthBar:
        return max(self.bars, key=lambda bar: (bar.count, bar.month))

    @property
    def description(self) -> str:
        span = (
            format_date(self.first, "F Y")
            if self.first == self.last
            else f"{format_date(self.first, 'F Y')} to {format_date(self.last, 'F Y')}"
        )
        articles = "article" if self.total == 1 else "articles"
        return (
            f"{self.total} {articles} from {span}; the busiest month was "
            f"{format_date(self.busiest.month, 'F Y')} with {self.busiest.count}."
        )


def monthly_counts(articles: QuerySet) -> dict[date, int]:
    """Articles per month (UTC months, as the date archive counts them), in one query."""
    rows = (
        articles.order_by()
        .annotate(month=TruncMonth("published_at", tzinfo=UTC))
        .values("month")
        .annotate(count=Count("id", distinct=True))
        .values_list("month", "count")
    )
    return {_as_date(month): count for month, count in rows}


def _as_date(month) -> date:
    return month.date() if hasattr(month, "date") else month


def _months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def timeline_for(articles: QuerySet, query_string: str = "") -> Timeline | None:
    """The chart of these articles, or None when there are none. Each bar links to its month
    in the date archive, keeping ``query_string`` (the page's filters)."""
    counts = monthly_counts(articles)
    if not counts:
        return None
    months = []
    month, last = min(counts), max(counts)
    # At least a year of bars, so that a single month does not fill the chart.
    month = min(month, _months_before(last, MIN_MONTHS - 1))
    while month <= last:
        months.append(month)
        month = _next_month(month)
    months = months[-MAX_MONTHS:]
    tallest = max(counts.get(m, 0) for m in months) or 1
    slot = WIDTH / len(months)
    gap = min(2.0, slot * 0.2)
    bars = []
    for index, month in enumerate(months):
        count = counts.get(month, 0)
        # A month with articles stays visible however tall the busiest month is.
        height = max(1.5, (HEIGHT - 4) * count / tallest) if count else 0
        url = reverse("archive:archive_month", kwargs={"year": month.year, "month": month.month})
        bars.append(
            MonthBar(
                month=month,
                count=count,
                x=round(index * slot + gap / 2, 2),
                y=round(HEIGHT - height, 2),
                width=round(slot - gap, 2),
                height=round(height, 2),
                url=f"{url}?{query_string}" if query_string else url,
            )
        )
    return Timeline(bars=bars, total=sum(bar.count for bar in bars))
