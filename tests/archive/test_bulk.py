"""archive.bulk.insert_all: the rows bulk_create would write, without its work per value."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

import archive.bulk
from archive.bulk import insert_all
from archive.models import Article
from search.models import IndexOutbox
from tests.factories import make_article, make_outlet

pytestmark = pytest.mark.django_db

# Set by the database, not by the values given: compared apart.
STAMPS_AND_KEYS = {"id", "ingested_at", "updated_at"}


def articles(outlet, label: str, first_copy: Article) -> list[Article]:
    """Articles whose values take every way a value can go: already of its column's type,
    None, a value its field converts (a language tag as written, "pt_BR"), a JSON object,
    a big signed fingerprint, a link to another row."""
    return [
        Article(
            outlet=outlet,
            title=f"Title {label} {n} — été",
            slug=f"{label}-{n}",
            canonical_url=f"https://example.com/{label}/{n}" if n % 2 else "",
            published_at=datetime(2017, 8, 15, 6, 30, tzinfo=UTC) + timedelta(hours=n),
            published_time_known=bool(n % 2),
            dateline="ERBIL, Kurdistan Region",
            dateline_place="ERBIL",
            body=f"Body {n}.\n\nSecond paragraph with 'quotes' and %s and %(name)s.",
            language="pt_BR" if n % 2 else "en",
            content_hash=f"{label}-{n}",
            simhash=None if n == 0 else -(2**63) + n,
            near_duplicate_of=first_copy if n == 3 else None,
            extra={"section": "World", "n": n, "nested": [1, None, "x"]},
        )
        for n in range(5)
    ]


def rows_of(objects: list[Article]) -> list[dict]:
    return list(Article.objects.filter(pk__in=[o.pk for o in objects]).order_by("pk").values())


def test_insert_all_writes_what_bulk_create_writes():
    outlet = make_outlet()
    first_copy = make_article(outlet)
    by_django = Article.objects.bulk_create(articles(outlet, "django", first_copy))
    ours = articles(outlet, "ours", first_copy)

    insert_all(ours)

    def comparable(row: dict, label: str) -> dict:
        # The label each batch's slugs, hashes, titles and addresses hold (unique columns).
        return {
            key: value.replace(label, "LABEL") if isinstance(value, str) else value
            for key, value in row.items()
            if key not in STAMPS_AND_KEYS
        }

    ours_rows = rows_of(ours)
    assert [comparable(row, "ours") for row in ours_rows] == [
        comparable(row, "django") for row in rows_of(by_django)
    ]
    assert ours_rows[1]["language"] == "pt-br"  # through the field's own conversion
    assert ours_rows[3]["near_duplicate_of_id"] == first_copy.pk
    assert ours_rows[1]["simhash"] == -(2**63) + 1


def test_insert_all_sets_each_instance_to_its_own_row():
    outlet = make_outlet()
    ours = articles(outlet, "keys", make_article(outlet))
    before = datetime.now(UTC)

    insert_all(ours)

    assert all(article.pk and not article._state.adding for article in ours)
    assert all(article._state.db == connection.alias for article in ours)
    for article in ours:
        saved = Article.objects.get(pk=article.pk)
        assert saved.slug == article.slug
        assert saved.ingested_at == article.ingested_at >= before
        assert saved.updated_at == article.updated_at


def test_insert_all_splits_what_one_statement_cannot_carry(monkeypatch):
    # Three articles' values a statement: five articles take two statements.
    columns = len(archive.bulk._columns(Article)[0])
    monkeypatch.setattr(archive.bulk, "_max_parameters", lambda db: columns * 3)
    outlet = make_outlet()
    ours = articles(outlet, "split", make_article(outlet))

    insert_all(ours)

    assert [row["slug"] for row in rows_of(ours)] == [f"split-{n}" for n in range(5)]
    assert len({article.pk for article in ours}) == 5


def test_a_value_of_another_type_goes_through_its_field():
    """A date for a time stamp and a number as text: each field converts what it is given,
    as bulk_create has it converted."""
    rows = [IndexOutbox(article_id="41"), IndexOutbox(article_id=42)]
    outlet = make_outlet()
    first = Article(
        outlet=outlet,
        title=1234,
        slug="a-date",
        published_at=datetime(2017, 8, 15, tzinfo=UTC).date(),
        body="Body.",
        content_hash="0" * 64,
    )

    insert_all(rows)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        insert_all([first])

    assert sorted(IndexOutbox.objects.values_list("article_id", flat=True)) == [41, 42]
    saved = Article.objects.get(slug="a-date")
    assert saved.title == "1234"
    assert saved.published_at.date() == date(2017, 8, 15)


def test_an_instance_given_its_key_is_inserted_with_it():
    outlet = make_outlet()
    ours = articles(outlet, "keyed", make_article(outlet))
    ours[0].pk = 10_000_001

    insert_all(ours)

    assert Article.objects.get(pk=10_000_001).slug == "keyed-0"
    assert Article.objects.filter(slug__startswith="keyed-").count() == 5


def test_nothing_to_insert_touches_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_all([])
