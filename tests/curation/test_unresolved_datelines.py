"""The page of unresolved datelines: counts per printed dateline, one fix for them all."""

import pytest
from django.urls import reverse

from archive.models import Region
from tests.factories import make_article

pytestmark = pytest.mark.django_db

PAGE = "admin:archive_article_unresolved_datelines"


def unresolved(place: str, qualifier: str = ""):
    dateline = f"{place}, {qualifier}" if qualifier else place
    return make_article(dateline=dateline, dateline_place=place, dateline_qualifier=qualifier)


def test_the_page_counts_articles_per_printed_dateline(editor_client):
    for _ in range(3):
        unresolved("SMALLTOWN", "Kurdistan")
    unresolved("OTHERVILLE")
    response = editor_client.get(reverse(PAGE))
    assert response.status_code == 200
    rows = [(g["dateline_place"], g["count"]) for g in response.context["groups"]]
    assert rows == [("SMALLTOWN", 3), ("OTHERVILLE", 1)]


def test_one_click_places_every_article_with_that_dateline(editor_client, gazetteer, outbox):
    erbil = Region.objects.filter(name="Erbil", kind=Region.Kind.CITY).first()
    same = [unresolved("SMALLTOWN", "Kurdistan") for _ in range(2)]
    other_qualifier = unresolved("SMALLTOWN")
    outbox.clear()

    response = editor_client.post(
        reverse(PAGE), {"place": "SMALLTOWN", "qualifier": "Kurdistan", "region": erbil.pk}
    )

    assert response.status_code == 302
    for article in same:
        article.refresh_from_db()
        assert article.dateline_region == erbil
        assert erbil in article.regions.all()
    other_qualifier.refresh_from_db()
    assert other_qualifier.dateline_region is None
    assert outbox() == {article.pk for article in same}
    assert [g["dateline_place"] for g in editor_client.get(reverse(PAGE)).context["groups"]] == [
        "SMALLTOWN"
    ]
