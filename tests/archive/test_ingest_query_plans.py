"""The ingest's per-batch lookups go by an index, never by reading the whole table: each
batch asks them once, so a lookup that scans makes the ingest slower with every article the
archive holds (at 600,000 articles on SQLite, 260 articles/s instead of 1,200).

SQLite plans without statistics (nobody runs ANALYZE), so its plan is checked as it comes;
PostgreSQL, on a test table of a few rows, would rightly scan it, so sequential scans are
switched off for the question: the index must be usable, not merely preferred."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from archive.ingest.pipeline import articles_at
from archive.ingest.syndication import SyndicationFinder

pytestmark = pytest.mark.django_db


def plan_of(queryset) -> str:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def test_articles_are_found_by_canonical_url_through_its_unique_index():
    plan = plan_of(articles_at(["https://www.rudaw.net/english/a", "https://example.org/b"]))
    assert "unique_canonical_url_when_known" in plan, plan


def test_first_copies_are_looked_for_through_the_date_index():
    window = [(datetime(2017, 8, 1, tzinfo=UTC), datetime(2017, 8, 20, tzinfo=UTC))]
    plan = plan_of(SyndicationFinder.published_within(window))
    assert "article_newest_first" in plan, plan
    assert "near_duplicate_of" not in plan, plan
