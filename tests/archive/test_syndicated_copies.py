"""A syndicated copy (an article linked as a near-duplicate of an earlier one) is listed
once, as its first copy, on every browse list, feed and count; it stays reachable by its
address and on the first copy's page. The API's article list keeps copies (a data feed)."""

import re
from datetime import UTC, datetime

import feedparser
import pytest
from django.urls import reverse

from archive.models import Article, Region
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def syndicated(gazetteer):
    """A wire story first published by Rudaw and copied by Other Paper, an unrelated
    article, all tagged Raqqa and covering the city of Deir ez-Zor (Syria), in August 2017."""
    rudaw, other = make_outlet("Rudaw"), make_outlet("Other Paper")
    raqqa_tag = make_tag("Raqqa")
    city = Region.objects.get(name="Deir ez-Zor", kind=Region.Kind.CITY, country_code="SY")

    def article(outlet, title, day, **fields):
        made = make_article(
            outlet,
            title=title,
            published_at=datetime(2017, 8, day, tzinfo=UTC),
            tags=[raqqa_tag],
            **fields,
        )
        made.regions.set([city])
        return made

    first = article(rudaw, "Offensive on Raqqa begins", 15)
    copy = article(other, "Offensive on Raqqa begins (copy)", 16, near_duplicate_of=first)
    other_story = article(rudaw, "Water shortage in Raqqa", 14)
    return {"first": first, "copy": copy, "other": other_story, "city": city}


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [article.title for article in response.context["articles"]]


FIRST_ONCE = ["Offensive on Raqqa begins", "Water shortage in Raqqa"]


@pytest.mark.parametrize(
    "url",
    ["/", "/tags/raqqa/", "/regions/syria/", "/archive/2017/", "/archive/2017/08/"],
)
def test_browse_lists_show_the_first_copy_once_and_count_what_they_list(client, syndicated, url):
    response = client.get(url)
    assert listed(response) == FIRST_ONCE
    assert response.context["page_obj"].paginator.count == 2


def test_the_city_page_lists_the_first_copy_once(client, syndicated):
    response = client.get(syndicated["city"].get_absolute_url())
    assert listed(response) == FIRST_ONCE


def test_the_copying_outlets_page_does_not_list_the_copy(client, syndicated):
    """As search finds it: a copy is shown as its first copy, whoever published it."""
    assert listed(client.get("/outlets/other-paper/")) == []
    assert listed(client.get("/outlets/rudaw/")) == FIRST_ONCE


def test_index_counts_agree_with_the_lists(client, syndicated):
    tags = client.get("/tags/").context["tags"]
    assert {tag.name: tag.count for tag in tags} == {"Raqqa": 2}

    outlets = client.get("/outlets/").context["outlets"]
    assert {outlet.name: outlet.count for outlet in outlets} == {"Other Paper": 0, "Rudaw": 2}

    assert client.get("/archive/").context["years"] == [(2017, 2)]

    year = client.get("/archive/2017/").context["periods"]
    assert [period.count for period in year if period.label == "August"] == [2]

    continents = client.get("/regions/").context["continents"]
    asia = next(c for c in continents if c["region"].name == "Asia")
    assert dict((country.name, n) for country, n in asia["countries"])["Syria"] == 2

    syria = client.get("/regions/syria/")
    assert syria.context["timeline"].total == 2


def test_feeds_leave_the_copy_out(client, syndicated):
    for url in ("/tags/raqqa/feed/", "/regions/syria/feed/", "/outlets/other-paper/feed/"):
        titles = [entry.title for entry in feedparser.parse(client.get(url).content).entries]
        assert "Offensive on Raqqa begins (copy)" not in titles, url


def test_the_copy_stays_reachable_and_listed_on_the_first_copys_page(client, syndicated):
    copy = syndicated["copy"]
    assert client.get(copy.get_absolute_url()).status_code == 200
    first_page = client.get(syndicated["first"].get_absolute_url()).content.decode()
    assert f'<a href="{copy.get_absolute_url()}">Other Paper</a>' in first_page


def test_a_copy_of_a_withdrawn_article_is_not_listed_either(client, syndicated):
    """Search leaves every copy out of its hits (search.documents); browse does the same,
    rather than have a story appear on one and not the other."""
    Article.objects.filter(pk=syndicated["first"].pk).update(status=Article.Status.WITHDRAWN)
    assert listed(client.get("/")) == ["Water shortage in Raqqa"]


def test_the_sitemap_keeps_the_copys_page_but_not_an_outlet_with_only_copies(client, syndicated):
    def locations(section: str) -> set[str]:
        xml = client.get(f"/sitemap-{section}.xml").content.decode()
        return set(re.findall(r"<loc>http://testserver([^<]+)</loc>", xml))

    assert syndicated["copy"].get_absolute_url() in locations("articles")
    assert locations("outlets") == {"/outlets/rudaw/"}


def test_the_api_article_list_keeps_copies(client, syndicated):
    response = client.get(reverse("api:articles"), {"tag": "raqqa"})
    first = syndicated["first"].pk
    assert [(a["title"], a["near_duplicate_of"]) for a in response.json()["results"]] == [
        ("Offensive on Raqqa begins (copy)", first),
        ("Offensive on Raqqa begins", None),
        ("Water shortage in Raqqa", None),
    ]
