"""The read API: articles (the browse pages' filters, cursor pages), tags, outlets, regions,
conditional requests, CORS, throttling, the schema and its docs page."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from api.throttling import AnonymousClientThrottle
from archive import curation
from archive.models import Article, Outlet, Region, Tag
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


@pytest.mark.parametrize(
    "query",
    [
        {"outlet": "rudaw"},
        {"tag": "Raqqa"},  # by name, as the browse pages take it
        {"region": "syria"},
        {"region": "Syrie"},  # by any of its names
        {"since": "2017-08-02", "until": "2017-08-03"},
        {"language": "fr"},
        {"language": "FR"},
        {"outlet": "rudaw", "tag": "raqqa", "since": "2017-08-02"},
        {"outlet": "no-such-outlet"},
        {"tag": "no-such-tag"},
        {"region": "atlantis"},
        {"language": "xx"},  # a language tag no article has
        {"language": "not a language"},
        {"since": "15/08/2017"},
    ],
)
def test_the_api_lists_what_the_browse_pages_list_for_the_same_filters(
    api, client, gazetteer, query
):
    rudaw, afp = make_outlet("Rudaw"), make_outlet("AFP")
    raqqa = make_tag("Raqqa")
    city = Region.objects.filter(country_code="SY", kind=Region.Kind.CITY).first()
    make_article(rudaw, title="First", published_at=on(1), tags=[raqqa]).regions.add(city)
    make_article(afp, title="Second", published_at=on(2), language="fr")
    make_article(rudaw, title="Third", published_at=on(3), tags=[raqqa])
    make_article(rudaw, title="Gone", published_at=on(3), status=Article.Status.WITHDRAWN)

    page = client.get(reverse("archive:home"), query)
    api_response = api.get(reverse("api:articles"), query)
    refused = page.context["filterset"].errors
    if not refused:
        assert titles(api_response) == [article.title for article in page.context["articles"]]
    else:  # the page shows the FilterSet's error by the form; the API answers it as a 400
        assert api_response.status_code == 400
        said = {
            field: [e["message"] for e in errors]
            for field, errors in refused.get_json_data().items()
        }
        assert api_response.json() == said


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"outlet": "no-such-outlet"}, 'There is no outlet "no-such-outlet".'),
        ({"tag": "no-such-tag"}, 'There is no tag "no-such-tag".'),
        ({"region": "atlantis"}, 'There is no place "atlantis".'),
        ({"language": "english"}, 'Enter a language tag such as "en" or "pt-BR", not "english".'),
        ({"language": "pt_BR"}, 'Enter a language tag such as "en" or "pt-BR", not "pt_BR".'),
    ],
)
def test_a_filter_value_naming_nothing_is_a_400_naming_parameter_and_value(
    api, gazetteer, query, said
):
    """Not an empty list: a client cannot tell "no articles about it" from a typo."""
    make_article(tags=[make_tag("Raqqa")])
    response = api.get(reverse("api:articles"), {**query, "since": "2017-01-01"})
    assert response.status_code == 400
    assert response.json() == {name: [said] for name in query}


def test_a_well_formed_language_tag_no_article_has_lists_nothing(api):
    make_article(title="Portuguese", language="pt-br")
    make_article(title="English", language="en")
    assert titles(api.get(reverse("api:articles"), {"language": "pt-BR"})) == ["Portuguese"]
    assert titles(api.get(reverse("api:articles"), {"language": "pt-PT"})) == []
    assert titles(api.get(reverse("api:articles"), {"language": "ckb"})) == []


def test_a_language_is_a_range_that_lists_its_regional_tags(api):
    """RFC 4647 basic filtering: "en" lists "en" and "en-*", "en-us" only "en-us"."""
    make_article(title="Detected", language="en", published_at=on(1))
    make_article(title="American", language="en-us", published_at=on(2))
    make_article(title="British", language="en-gb", published_at=on(3))
    make_article(title="Endo", language="enq", published_at=on(4))  # not "en-"
    url = reverse("api:articles")
    assert titles(api.get(url, {"language": "en"})) == ["British", "American", "Detected"]
    assert titles(api.get(url, {"language": "EN"})) == ["British", "American", "Detected"]
    assert titles(api.get(url, {"language": "en-US"})) == ["American"]
    assert titles(api.get(url, {"language": "en-us-x"})) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda tag: curation.rename_tag(tag, "Raqqa city"),
        lambda tag: curation.merge_tags([tag], into=make_tag("Ar-Raqqah")),
    ],
    ids=["renamed", "merged"],
)
def test_a_tags_old_slug_still_filters_by_the_tag_it_is_now(api, change):
    make_article(title="Tagged", tags=[make_tag("Raqqa")])
    make_article(title="Untagged")
    change(Tag.objects.get(slug="raqqa"))
    assert titles(api.get(reverse("api:articles"), {"tag": "raqqa"})) == ["Tagged"]


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


def an_hour_ago(article: Article) -> None:
    """HTTP dates count whole seconds: age the article and its outlet (whose date its
    Last-Modified counts too) so a change now is a later date."""
    hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(updated_at=hour_ago)
    Outlet.objects.filter(pk=article.outlet_id).update(updated_at=hour_ago)


def test_an_unchanged_article_answers_304_by_etag_and_by_date(api):
    article = make_article()
    url = reverse("api:article", args=[article.pk])
    first = api.get(url)
    assert first["ETag"]
    assert first["Last-Modified"]

    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert api.head(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"something else"').status_code == 200

    Article.objects.filter(pk=article.pk).update(title="Changed")
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        lambda article: curation.set_comments_open([article], False),
        lambda article: curation.add_tag([article], make_tag("Mosul")),
        lambda article: curation.rename_tag(article.tags.get(), "Kirkuk city"),
        lambda article: curation.merge_tags([article.tags.get()], into=make_tag("Kerkuk")),
    ],
    ids=["comments closed", "tag added", "tag renamed", "tag merged"],
)
def test_a_curation_change_moves_the_articles_date(api, change):
    """A client that revalidates by date alone must not be told 304 after a bulk change."""
    article = make_article(tags=[make_tag("Kirkuk")])
    an_hour_ago(article)
    url = reverse("api:article", args=[article.pk])
    before = api.get(url)
    change(article)
    after = api.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert after.json() != before.json()


def test_a_list_answers_304_until_an_article_changes_or_leaves_it(api):
    article, other = make_article(), make_article()
    url = reverse("api:articles")
    etag = api.get(url)["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    article.title = "Retitled"
    article.save()
    etag = api.get(url)["ETag"]
    curation.withdraw_articles([other])
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_list_has_no_date_to_revalidate_by(api):
    """An article withdrawn or deleted leaves a list with no newer date in it: a date would
    answer 304 to a list that changed, so lists carry only an ETag."""
    make_article()
    response = api.get(reverse("api:articles"))
    assert response["ETag"]
    assert "Last-Modified" not in response


def test_cors_is_off_by_default(api):
    origin = "https://research.example.org"
    response = api.get(reverse("api:tags"), HTTP_ORIGIN=origin)
    assert "Access-Control-Allow-Origin" not in response
    preflight = api.options(
        reverse("api:post_comment", args=[1]),
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "Access-Control-Allow-Origin" not in preflight


def test_cors_answers_configured_origins_on_the_api_only(api, client, settings):
    origin, other = "https://research.example.org", "https://elsewhere.example.org"
    settings.CORS_ALLOWED_ORIGINS = [origin]
    assert api.get(reverse("api:tags"), HTTP_ORIGIN=origin)["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Origin" not in api.get(reverse("api:tags"), HTTP_ORIGIN=other)
    preflight = api.options(
        reverse("api:post_comment", args=[1]),
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert preflight["Access-Control-Allow-Origin"] == origin
    # The site's own pages (and their cookies) are never shared with another origin.
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN=origin)


def test_cors_origins_come_from_the_environment():
    code = "from django.conf import settings; print(','.join(settings.CORS_ALLOWED_ORIGINS))"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "API_CORS_ALLOWED_ORIGINS": "https://a.example.org,https://b.example.org",
    }
    shown = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "https://a.example.org,https://b.example.org"


def test_anonymous_clients_are_throttled(api, monkeypatch):
    monkeypatch.setattr(AnonymousClientThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [api.get(reverse("api:tags")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api.get(reverse("api:tags"), REMOTE_ADDR="198.51.100.9").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(api, monkeypatch):
    monkeypatch.setattr(AnonymousClientThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    statuses = [
        api.get(reverse("api:tags"), HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own(api, monkeypatch, settings):
    settings.COMMENT_TRUSTED_PROXIES = 1
    monkeypatch.setattr(AnonymousClientThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    url = reverse("api:tags")
    assert api.get(url, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 200
    assert api.get(url, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
    assert api.get(url, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 200


def test_the_schema_is_openapi_3_and_names_every_endpoint(api):
    response = api.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/articles/",
        "/api/articles/{id}/",
        "/api/articles/{id}/comments/",
        "/api/articles/{id}/comments/stamp/",
        "/api/search/",
        "/api/search/export.csv",
        "/api/tags/",
        "/api/outlets/",
        "/api/regions/",
        "/api/regions/{id}/",
    ]:
        assert path in schema["paths"], path


EXTERNAL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""", re.IGNORECASE)
REFERENCES = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def test_the_docs_page_needs_nothing_from_another_site(client):
    """No CDN: every script, stylesheet and icon the page names is one of our own static
    files, its own start-up script included; and Swagger UI is told not to call its
    online validator."""
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    texts = [page.content.decode()]
    for reference in REFERENCES.findall(texts[0]):
        url = urlsplit(reference)
        assert not url.scheme, f"an external reference: {reference}"
        assert not url.netloc, f"an external reference: {reference}"
        if url.path.startswith(django_settings.STATIC_URL):
            assert finders.find(url.path.removeprefix(django_settings.STATIC_URL)), reference
        else:  # a script the view serves itself (Swagger UI's start-up, when split out)
            served = client.get(reference)
            assert served.status_code == 200, reference
            texts.append(served.content.decode())
    everything = "\n".join(texts)
    assert EXTERNAL.findall(everything) == []
    assert "swagger-ui" in everything
    assert '"validatorUrl": null' in everything
