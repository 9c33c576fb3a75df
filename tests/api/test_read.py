"""The read API: articles (the browse pages' filters, cursor pages), tags, outlets, regions,
and conditional requests."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from archive.models import Article, Region
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db


def on(day: int) -> datetime:
    return datetime(2017, 8, day, 12, tzinfo=UTC)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [article["title"] for article in response.json()["results"]]


def test_articles_are_published_ones_newest_first_with_the_browse_filters(api):
    rudaw, afp = make_outlet("Rudaw"), make_outlet("AFP")
    raqqa = make_tag("Raqqa")
    make_article(rudaw, title="First", published_at=on(1), tags=[raqqa])
    make_article(afp, title="Second", published_at=on(2), language="fr")
    make_article(rudaw, title="Third", published_at=on(3), tags=[raqqa])
    make_article(rudaw, title="Gone", published_at=on(4), status=Article.Status.WITHDRAWN)
    url = reverse("api:articles")

    assert titles(api.get(url)) == ["Third", "Second", "First"]
    assert titles(api.get(url, {"outlet": "rudaw"})) == ["Third", "First"]
    assert titles(api.get(url, {"tag": "raqqa", "since": "2017-08-02"})) == ["Third"]
    assert titles(api.get(url, {"language": "fr"})) == ["Second"]


def test_region_filter_takes_the_places_inside(api, gazetteer):
    city = Region.objects.filter(country_code="SY", kind=Region.Kind.CITY).first()
    make_article(title="In Syria").regions.add(city)
    make_article(title="Elsewhere")
    assert titles(api.get(reverse("api:articles"), {"region": "syria"})) == ["In Syria"]


def test_cursor_pages_walk_the_list_once(api):
    for day in range(1, 8):
        make_article(title=f"Day {day}", published_at=on(day))
    seen, url = [], reverse("api:articles") + "?page_size=3"
    while url:
        page = api.get(url).json()
        seen += [article["title"] for article in page["results"]]
        url = page["next"]
    assert seen == [f"Day {day}" for day in range(7, 0, -1)]


def test_article_detail_has_body_tags_and_no_withdrawn(api):
    article = make_article(title="Detail", tags=[make_tag("Mosul")])
    gone = make_article(status=Article.Status.WITHDRAWN)
    data = api.get(reverse("api:article", args=[article.pk])).json()
    assert data["title"] == "Detail"
    assert [tag["slug"] for tag in data["tags"]] == ["mosul"]
    assert data["body"].startswith("Body of article")
    assert data["url"].endswith(article.get_absolute_url())
    assert api.get(reverse("api:article", args=[gone.pk])).status_code == 404


def test_tags_and_outlets(api):
    make_tag("Raqqa"), make_tag("Erbil")
    make_outlet("Rudaw")
    assert [t["slug"] for t in api.get(reverse("api:tags")).json()["results"]] == [
        "erbil",
        "raqqa",
    ]
    assert [o["name"] for o in api.get(reverse("api:outlets")).json()["results"]] == ["Rudaw"]


def test_regions_as_a_tree_and_by_id(api, gazetteer):
    tree = api.get(reverse("api:regions")).json()
    asia = next(continent for continent in tree if continent["name"] == "Asia")
    assert "Iraq" in [country["name"] for country in asia["children"]]

    continent = api.get(reverse("api:region", args=[asia["id"]])).json()
    assert continent["parent"] is None  # nullable in the schema too (schemathesis found it)

    iraq = Region.objects.get(slug="iraq")
    data = api.get(reverse("api:region", args=[iraq.pk])).json()
    assert [a["name"] for a in data["ancestors"]] == ["Asia"]
    assert data["children"]


def test_an_unchanged_article_answers_304_by_etag_and_by_date(api):
    article = make_article()
    url = reverse("api:article", args=[article.pk])
    first = api.get(url)
    assert first["ETag"]
    assert first["Last-Modified"]

    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    Article.objects.filter(pk=article.pk).update(title="Changed")
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_list_answers_304_until_an_article_changes(api):
    article = make_article()
    url = reverse("api:articles")
    etag = api.get(url)["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    article.title = "Retitled"
    article.save()
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_cors_is_off_by_default_and_on_for_configured_origins(api, settings):
    url = reverse("api:tags")
    origin = "https://research.example.org"
    assert "Access-Control-Allow-Origin" not in api.get(url, HTTP_ORIGIN=origin)
    settings.CORS_ALLOWED_ORIGINS = [origin]
    assert api.get(url, HTTP_ORIGIN=origin)["Access-Control-Allow-Origin"] == origin


def test_anonymous_clients_are_throttled(api, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [api.get(reverse("api:tags")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_schema_and_docs_are_served_without_a_cdn(api, client):
    schema = api.get(reverse("api:schema"))
    assert schema.status_code == 200
    assert b"/api/articles/" in schema.content
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "swagger-ui" in html
