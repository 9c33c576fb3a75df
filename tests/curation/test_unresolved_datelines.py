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


def test_each_count_links_to_exactly_its_articles(editor_client):
    same = {unresolved("SMALLTOWN", "Kurdistan").title for _ in range(2)}
    unresolved("SMALLTOWN")  # the same place, another qualifier: another row
    make_article(title="Mentions SMALLTOWN", body="SMALLTOWN, Kurdistan was quiet.")
    page = editor_client.get(reverse(PAGE))
    group = next(g for g in page.context["groups"] if g["dateline_qualifier"] == "Kurdistan")
    assert f'href="{group["list_url"].replace("&", "&amp;")}"' in page.content.decode()

    listed = editor_client.get(group["list_url"])
    assert {a.title for a in listed.context["cl"].result_list} == same
    assert "SMALLTOWN, Kurdistan" in listed.content.decode()  # the filter shows what it is


def test_moderators_may_neither_see_nor_use_the_page(client, moderator, gazetteer):
    article = unresolved("SMALLTOWN")
    erbil = Region.objects.filter(name="Erbil", kind=Region.Kind.CITY).first()
    client.force_login(moderator)
    assert client.get(reverse(PAGE)).status_code == 403
    fix = {"place": "SMALLTOWN", "qualifier": "", "region": erbil.pk}
    assert client.post(reverse(PAGE), fix).status_code == 403
    article.refresh_from_db()
    assert article.dateline_region is None
