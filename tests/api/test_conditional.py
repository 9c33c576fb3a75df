"""An article's Last-Modified moves when its outlet or a place it shows changes (renamed, its
slug changed, a place reloaded from the gazetteer, a tag or place deleted), not only when the
article does: a client that revalidates by date alone must not be told 304 over an old name or
address."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from archive.gazetteer import load_regions
from archive.models import Article, Outlet, Region, Tag
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def rename(place: Region) -> None:
    place.name = "Hawler"
    place.save()


def change_slug(place: Region) -> None:
    place.slug = "hawler"
    place.save()


def change_in_the_admin(place: Region, admin_client) -> None:
    response = admin_client.post(
        reverse("admin:archive_region_change", args=[place.pk]),
        {
            "name": place.name,
            "slug": "hawler",
            "kind": place.kind,
            "parent": place.parent_id or "",
            "country_code": place.country_code,
            "population": place.population,
            "iso_code": place.iso_code or "",
            "geonames_id": place.geonames_id or "",
            "names-TOTAL_FORMS": "0",
            "names-INITIAL_FORMS": "0",
            "names-MIN_NUM_FORMS": "0",
            "names-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302


@pytest.fixture
def erbil_article(gazetteer) -> Article:
    """An article about Erbil and filed from it, both last changed an hour ago (HTTP dates
    count whole seconds: a change now must be a later date)."""
    erbil = Region.objects.get(name="Erbil", kind=Region.Kind.CITY, country_code="IQ")
    article = make_article(dateline_region=erbil)
    article.regions.add(erbil)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(updated_at=an_hour_ago)
    Region.objects.filter(pk=erbil.pk).update(updated_at=an_hour_ago)
    Outlet.objects.filter(pk=article.outlet_id).update(updated_at=an_hour_ago)
    return article


def test_an_article_whose_places_did_not_change_answers_304_by_date(client, erbil_article):
    url = reverse("api:article", args=[erbil_article.pk])
    first = client.get(url)
    assert first["Last-Modified"] == http_date(
        Article.objects.get(pk=erbil_article.pk).updated_at.timestamp()
    )
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


@pytest.mark.parametrize(
    "change",
    [
        lambda place, admin_client: rename(place),
        lambda place, admin_client: change_slug(place),
        change_in_the_admin,
    ],
    ids=["renamed", "slug changed", "slug changed in the admin"],
)
def test_a_place_changed_after_the_clients_copy_is_sent_again(
    api, admin_client, erbil_article, change
):
    url = reverse("api:article", args=[erbil_article.pk])
    before = api.get(url)

    change(Region.objects.get(pk=erbil_article.dateline_region_id), admin_client)

    after = api.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert after.json() != before.json()
    assert after["Last-Modified"] != before["Last-Modified"]


def test_an_outlet_renamed_after_the_clients_copy_is_sent_again(api, erbil_article):
    url = reverse("api:article", args=[erbil_article.pk])
    before = api.get(url)

    outlet = Outlet.objects.get(pk=erbil_article.outlet_id)
    outlet.name = "Rudaw English"
    outlet.save()

    after = api.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert after.json()["outlet"]["name"] == "Rudaw English"


def test_a_deleted_place_is_a_change_of_the_articles_that_showed_it(api, erbil_article):
    """The place carrying the latest date goes: the article's date must not go back to an
    earlier one, which a client's copy (still showing the place) would pass for current."""
    erbil = Region.objects.get(pk=erbil_article.dateline_region_id)
    # The place changed after the article: the article's date is the place's.
    Region.objects.filter(pk=erbil.pk).update(updated_at=timezone.now() - timedelta(minutes=30))
    url = reverse("api:article", args=[erbil_article.pk])
    before = api.get(url)

    erbil.delete()

    after = api.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert after.json()["regions"] == []
    assert after.json()["dateline_region"] is None


def test_a_deleted_tag_is_a_change_of_the_articles_that_carried_it(api, erbil_article):
    tag = Tag.objects.create(name="Oil", slug="oil")
    erbil_article.tags.add(tag)
    Article.objects.filter(pk=erbil_article.pk).update(
        updated_at=timezone.now() - timedelta(minutes=30)
    )
    url = reverse("api:article", args=[erbil_article.pk])
    before = api.get(url)

    tag.delete()

    after = api.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert after.json()["tags"] == []


def test_a_gazetteer_reload_that_renames_a_place_is_a_change_of_its_places(api, erbil_article):
    """The bundled data names the place otherwise than its row (a newer package, say): the
    reload renames it, and the client's copy is stale."""
    Region.objects.filter(pk=erbil_article.dateline_region_id).update(name="Arbil")
    url = reverse("api:article", args=[erbil_article.pk])
    before = api.get(url)

    load_regions(["IQ"])

    after = api.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert after.json() != before.json()


def test_a_gazetteer_reload_that_changes_nothing_changes_no_articles_date(api, erbil_article):
    url = reverse("api:article", args=[erbil_article.pk])
    before = api.get(url)

    load_regions(["IQ"])

    after = api.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 304


def test_the_date_is_read_from_what_the_answer_was_made_of(api, erbil_article):
    """The article, its tags and its places are read once, for the body and the date."""
    url = reverse("api:article", args=[erbil_article.pk])
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    articles = [q for q in queries.captured_queries if 'FROM "archive_article"' in q["sql"]]
    assert len(articles) == 1, articles
