"""What readers search for, for editors: each portal search logged without personal data,
the week's top queries and the queries that found nothing; and editors' picks.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max
from django.utils import timezone

from archive.models import Article
from search.forms import SearchParams
from search.models import SearchLog, SearchPromotion

MAX_QUERY_LENGTH = 200


def fold_query(q: str) -> str:
    """One form per query: "Deir  EZ-Zor " and "deir ez-zor" count together."""
    return " ".join(q.casefold().split())[:MAX_QUERY_LENGTH]


def log_search(params: SearchParams, hit_count: int) -> None:
    """Log a portal search: its query, filters, hit count and day. Further pages of the
    same search are not new searches."""
    if params.page != 1 or params.is_blank:
        return
    filters = {
        "outlet": list(params.outlets),
        "tag": list(params.tags),
        "region": list(params.regions),
        "language": params.language,
        "since": params.date_from.isoformat() if params.date_from else "",
        "until": params.date_to.isoformat() if params.date_to else "",
    }
    SearchLog.objects.create(
        query=fold_query(params.q),
        filters={key: value for key, value in filters.items() if value},
        hit_count=hit_count,
        day=timezone.now().date(),
    )


@dataclass(frozen=True)
class QueryCount:
    query: str
    searches: int
    hits: int  # the most any of those searches found


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week ``day`` is in."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _counts(logs, limit: int) -> list[QueryCount]:
    rows = (
        logs.values("query")
        .annotate(searches=Count("id"), hits=Max("hit_count"))
        .order_by("-searches", "query")[:limit]
    )
    return [QueryCount(row["query"], row["searches"], row["hits"]) for row in rows]


def top_queries(monday: date, limit: int = 50) -> list[QueryCount]:
    return _counts(SearchLog.objects.filter(day__range=week_of(monday)).exclude(query=""), limit)


def zero_hit_queries(monday: date, limit: int = 50) -> list[QueryCount]:
    week = SearchLog.objects.filter(day__range=week_of(monday), hit_count=0)
    return _counts(week.exclude(query=""), limit)


def editors_picks(q: str) -> list[Article]:
    """The published articles editors pinned to this query, newest first."""
    promotion = SearchPromotion.objects.filter(query=fold_query(q)).first()
    if promotion is None:
        return []
    return list(promotion.articles.published().for_listing())
