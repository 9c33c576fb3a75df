"""CompiledInBulk gives what ``in_bulk`` gives, on the same ids, in one query."""

from datetime import UTC, datetime

import pytest

from archive.compiled import CompiledInBulk
from archive.models import Article, Region
from search.service import hit_articles
from tests.factories import make_article, make_outlet

pytestmark = pytest.mark.django_db

DEFERRED = ("body", "summary", "extra")


def hits_queryset():
    return Article.objects.published().select_related("outlet", "dateline_region").defer(*DEFERRED)


@pytest.fixture
def articles(gazetteer):
    erbil = Region.objects.filter(name="Erbil").first()
    assert erbil is not None
    rudaw, wire = make_outlet("Rudaw"), make_outlet("Wire")
    made = [
        make_article(
            rudaw if n % 2 else wire,
            published_at=datetime(2017, 8, n + 1, 9, n, tzinfo=UTC),
            published_time_known=bool(n % 3),
            dateline_region=erbil if n % 2 else None,
            dateline="ERBIL, Kurdistan Region" if n % 2 else "",
        )
        for n in range(12)
    ]
    made[3].status = Article.Status.WITHDRAWN
    made[3].save()
    return made


def loaded(article: Article) -> dict:
    """Every field an instance holds, its related objects' too, and what it left deferred."""
    fields = {
        field.attname: getattr(article, field.attname)
        for field in Article._meta.concrete_fields
        if field.attname not in article.get_deferred_fields()
    }
    return {
        "fields": fields,
        "deferred": article.get_deferred_fields(),
        "outlet": article.outlet.__dict__ | {"_state": None},
        "region": article.dateline_region and article.dateline_region.__dict__ | {"_state": None},
        "db": article._state.db,
        "adding": article._state.adding,
    }


def test_it_gives_what_in_bulk_gives(articles, django_assert_num_queries):
    compiled = CompiledInBulk(hits_queryset())
    ids = [a.pk for a in reversed(articles)] + [a.pk for a in articles[:2]] + [10**9]
    expected = hits_queryset().in_bulk(ids)
    for _ in range(2):  # compiled the first time, reused the second
        with django_assert_num_queries(1):
            found = compiled(ids)
            assert {pk: loaded(a) for pk, a in found.items()} == {
                pk: loaded(a) for pk, a in expected.items()
            }
    assert articles[3].pk not in found  # withdrawn
    assert found[articles[1].pk].published_at == datetime(2017, 8, 2, 9, 1, tzinfo=UTC)


def test_each_count_of_ids_gets_its_own_sql(articles):
    compiled = CompiledInBulk(hits_queryset())
    for count in range(1, len(articles) + 1):
        ids = [a.pk for a in articles[-count:]]
        assert set(compiled(ids)) == set(hits_queryset().in_bulk(ids))


def test_no_ids_ask_nothing(articles, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert CompiledInBulk(hits_queryset())([]) == {}


def test_more_ids_than_compiled_go_to_in_bulk(articles, django_assert_num_queries):
    compiled = CompiledInBulk(hits_queryset(), most_ids=3)
    ids = [a.pk for a in articles]
    with django_assert_num_queries(1):
        found = compiled(ids)
    assert {pk: loaded(a) for pk, a in found.items()} == {
        pk: loaded(a) for pk, a in hits_queryset().in_bulk(ids).items()
    }


def test_related_objects_need_no_query(articles, django_assert_num_queries):
    found = hit_articles([a.pk for a in articles])
    with django_assert_num_queries(0):
        names = {a.outlet.name for a in found.values()}
        places = {a.dateline_region and a.dateline_region.name for a in found.values()}
    assert names == {"Rudaw", "Wire"}
    assert places == {"Erbil", None}
