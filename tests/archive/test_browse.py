"""Browsing pages: places, tags, outlets and dates, their filters, feeds, sitemap and metadata.

Every count a page shows is checked against a count the database makes another way (the
tree walked through parent links, not through the materialised paths the pages use).
"""

import json
import re
from datetime import UTC, datetime

import feedparser
import pytest
from django.urls import reverse
from django.utils.html import escape

from archive.models import Article, Outlet, Region, Tag
from archive.places import forget_gazetteer
from archive.timeline import timeline_for
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_gazetteer():
    forget_gazetteer()
    yield
    forget_gazetteer()


def place(name: str, country: str = "", kind: str = Region.Kind.CITY) -> Region:
    regions = Region.objects.filter(name=name, kind=kind)
    return regions.get(country_code=country) if country else regions.get()


def country(code: str) -> Region:
    return Region.objects.get(kind=Region.Kind.COUNTRY, country_code=code)


def published_count(region: Region) -> int:
    """Published articles covering the region or a place inside it, walking parent links."""
    ids, frontier = {region.id}, [region.id]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids.update(frontier)
    return Article.objects.published().filter(regions__in=ids).distinct().count()


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def archive(gazetteer):
    """Six articles in Iraq, Syria, Lebanon and France, one of them withdrawn."""
    rudaw = make_outlet("Rudaw", country="IQ", language="en")
    wire = make_outlet("Example Wire", country="US", language="en")
    arabic = make_outlet("Al Mithal", country="LB", language="ar")
    deir_tag, iraq_tag = make_tag("Deir ez-Zor"), make_tag("Iraq politics")
    make_tag("Unused tag")
    erbil, baghdad = place("Erbil", "IQ"), place("Baghdad", "IQ")
    valley = Region.objects.get(name="Middle Euphrates Valley")

    def article(title, outlet, when, regions, tags=(), **fields):
        made = make_article(outlet, title=title, published_at=when, tags=list(tags), **fields)
        made.regions.set(regions)
        return made

    return {
        "erbil": article(
            "Fighting near Deir ez-Zor",
            rudaw,
            at(2017, 8, 15),
            [erbil, place("Deir ez-Zor", "SY"), country("SY")],
            [deir_tag],
            dateline="ERBIL, Kurdistan Region",
            dateline_place="ERBIL",
            dateline_qualifier="Kurdistan Region",
            dateline_region=erbil,
            language="en",
        ),
        "baghdad": article("Parliament meets", rudaw, at(2017, 8, 20), [baghdad], [iraq_tag]),
        "paris": article("Talks in Paris", wire, at(2017, 9, 1), [place("Paris", "FR")]),
        "beirut": article(
            "Valley farmers", arabic, at(2016, 3, 10), [place("Beirut", "LB"), valley], [deir_tag],
            language="ar",
        ),
        "withdrawn": article(
            "Withdrawn story", rudaw, at(2017, 8, 15), [erbil], [deir_tag],
            status=Article.Status.WITHDRAWN,
        ),
        "two_iraqi_cities": article(
            "Erbil and Baghdad agree", wire, at(2017, 8, 15, 12), [erbil, baghdad], [iraq_tag]
        ),
    }  # fmt: skip


def titles(response) -> list[str]:
    return [a.title for a in response.context["articles"]]


# Places


def test_regions_lists_continents_then_countries_with_database_counts(client, archive):
    response = client.get(reverse("archive:regions"))

    assert response.status_code == 200
    continents = {c["region"].name: c for c in response.context["continents"]}
    assert set(continents) == set(
        Region.objects.filter(kind=Region.Kind.CONTINENT).values_list("name", flat=True)
    )
    for entry in continents.values():
        assert entry["count"] == published_count(entry["region"])
        for listed, count in entry["countries"]:
            assert count == published_count(listed) > 0
    assert continents["Asia"]["count"] == 4  # the withdrawn one left out
    assert [c.name for c, _ in continents["Asia"]["countries"]] == ["Iraq", "Lebanon", "Syria"]
    assert dict((c.name, n) for c, n in continents["Asia"]["countries"])["Iraq"] == 3
    html = response.content.decode()
    assert html.index(">Africa<") < html.index(">Asia<") < html.index(">Europe<")


def test_a_country_page_lists_the_articles_of_its_provinces_and_cities(client, archive):
    iraq = country("IQ")

    response = client.get(iraq.get_absolute_url())

    assert response.status_code == 200
    assert titles(response) == [
        "Parliament meets",
        "Erbil and Baghdad agree",
        "Fighting near Deir ez-Zor",
    ]
    assert response.context["page_obj"].paginator.count == published_count(iraq) == 3
    sub_regions = dict((r.name, n) for r, n in response.context["sub_regions"])
    assert sub_regions == {"Kurdistan Region": 2, "Baghdād": 2}
    for region, count in response.context["sub_regions"] + response.context["cities"]:
        assert count == published_count(region)
    assert {c.name for c, _ in response.context["cities"]} == {"Erbil", "Baghdad"}
    assert [a.name for a in response.context["ancestors"]] == ["Asia"]


def test_a_place_counts_an_article_once_however_many_of_its_places_it_covers(client, archive):
    response = client.get(country("IQ").get_absolute_url())
    # "Erbil and Baghdad agree" covers two Iraqi cities and is one of Iraq's three articles.
    assert response.context["page_obj"].paginator.count == 3


def test_areas_editors_add_count_for_the_country_they_sit_in(client, archive):
    response = client.get(country("SY").get_absolute_url())
    assert titles(response) == ["Fighting near Deir ez-Zor", "Valley farmers"]
    assert (
        dict((r.name, n) for r, n in response.context["sub_regions"])["Middle Euphrates Valley"]
        == 1
    )


def test_a_city_page_lists_its_articles(client, archive):
    response = client.get(place("Erbil", "IQ").get_absolute_url())
    assert titles(response) == ["Erbil and Baghdad agree", "Fighting near Deir ez-Zor"]
    assert response.context["sub_regions"] == []
    assert [a.name for a in response.context["ancestors"]] == [
        "Asia",
        "Iraq",
        "Kurdistan Region",
        "Erbil Governorate",
    ]


def test_an_unknown_place_is_not_found(client, archive):
    assert client.get(reverse("archive:region", args=["atlantis"])).status_code == 404


# Tags and outlets


def test_tags_lists_every_tag_with_its_count_by_name_or_by_count(client, archive):
    by_name = client.get(reverse("archive:tags"))
    by_count = client.get(reverse("archive:tags"), {"sort": "count"})

    expected = {
        tag.name: tag.articles.filter(status=Article.Status.PUBLISHED).count()
        for tag in Tag.objects.all()
    }
    assert {t.name: t.count for t in by_name.context["tags"]} == expected
    assert [t.name for t in by_name.context["tags"]] == sorted(expected, key=str.casefold)
    assert [t.name for t in by_count.context["tags"]] == [
        "Deir ez-Zor",
        "Iraq politics",
        "Unused tag",
    ]
    assert expected["Deir ez-Zor"] == 2
    assert expected["Unused tag"] == 0


def test_the_tag_filter_box_narrows_the_list(client, archive):
    response = client.get(reverse("archive:tags"), {"q": "iraq"})
    assert [t.name for t in response.context["tags"]] == ["Iraq politics"]
    assert 'value="iraq"' in response.content.decode()


def test_a_tag_page_has_a_timeline_and_its_feed(client, archive):
    response = client.get(reverse("archive:tag", args=["deir-ez-zor"]))
    html = response.content.decode()

    assert titles(response) == ["Fighting near Deir ez-Zor", "Valley farmers"]
    assert response.context["timeline"].total == 2
    assert '<svg class="timeline__chart"' in html
    assert '<title id="timeline-title">Articles per month</title>' in html
    assert "2 articles from" in html
    assert reverse("archive:tag_feed", args=["deir-ez-zor"]) in html


def test_outlets_lists_outlets_with_their_counts(client, archive):
    response = client.get(reverse("archive:outlets"))
    counts = {o.name: o.count for o in response.context["outlets"]}
    assert counts == {
        outlet.name: outlet.articles.filter(status=Article.Status.PUBLISHED).count()
        for outlet in Outlet.objects.all()
    }
    assert counts == {"Al Mithal": 1, "Example Wire": 2, "Rudaw": 2}


def test_an_outlet_page_has_its_articles_and_a_timeline(client, archive):
    response = client.get(reverse("archive:outlet", args=["rudaw"]))
    assert titles(response) == ["Parliament meets", "Fighting near Deir ez-Zor"]
    bars = {bar.month.isoformat(): bar.count for bar in response.context["timeline"].bars}
    assert bars["2017-08-01"] == 2
    assert len(bars) == 12  # at least a year of months


# The one FilterSet


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"outlet": "rudaw"}, ["Parliament meets", "Fighting near Deir ez-Zor"]),
        ({"tag": "iraq-politics"}, ["Parliament meets", "Erbil and Baghdad agree"]),
        ({"tag": "Iraq Politics"}, ["Parliament meets", "Erbil and Baghdad agree"]),
        ({"region": "syria"}, ["Fighting near Deir ez-Zor", "Valley farmers"]),
        ({"region": "Kurdistan Region"}, ["Erbil and Baghdad agree", "Fighting near Deir ez-Zor"]),
        ({"since": "2017-08-20"}, ["Talks in Paris", "Parliament meets"]),
        (
            {"since": "2017-08-15", "until": "2017-08-15"},
            ["Erbil and Baghdad agree", "Fighting near Deir ez-Zor"],
        ),
        ({"language": "ar"}, ["Valley farmers"]),
        ({"language": "AR"}, ["Valley farmers"]),
        ({"language": "pt-BR"}, []),  # a language tag, of no article here
        (
            {"outlet": "rudaw", "region": "iraq", "until": "2017-08-19"},
            ["Fighting near Deir ez-Zor"],
        ),
    ],
)
def test_every_list_filters_by_outlet_tag_place_dates_and_language(
    client, archive, query, expected
):
    assert titles(client.get(reverse("archive:home"), query)) == expected


def test_a_language_lists_the_articles_of_its_regional_tags_too(client, db):
    """The language filter is a range (RFC 4647 basic filtering): "en" lists "en-us" and
    "en-gb" articles as well as "en" ones, "en-gb" lists "en-gb" ones only."""
    outlet = make_outlet("Example Wire")
    for day, (title, language) in enumerate(
        [("Detected", "en"), ("American", "en-us"), ("British", "en-gb"), ("Arabic", "ar")],
        start=1,
    ):
        make_article(
            outlet, title=title, language=language, published_at=datetime(2017, 8, day, tzinfo=UTC)
        )
    home = reverse("archive:home")
    assert titles(client.get(home, {"language": "en"})) == ["British", "American", "Detected"]
    assert titles(client.get(home, {"language": "en-GB"})) == ["British"]
    assert titles(client.get(home, {"language": "en-u"})) == []  # whole subtags only


def test_a_pages_own_scope_is_not_offered_as_a_filter(client, archive):
    response = client.get(reverse("archive:outlet", args=["rudaw"]))
    assert "outlet" not in response.context["filterset"].form.fields
    assert "region" in response.context["filterset"].form.fields


def test_filters_live_in_the_url_and_survive_paging(client, archive, settings):
    settings.ARTICLES_PER_PAGE = 1
    first = client.get(reverse("archive:home"), {"region": "iraq", "since": "2017-01-01"})

    html = first.content.decode()
    assert first.context["page_obj"].paginator.count == 3
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "region=iraq" in next_link
    assert "page=2" in next_link
    second = client.get(reverse("archive:home") + next_link)
    assert titles(second) == ["Erbil and Baghdad agree"]
    assert 'value="iraq"' in html  # the form shows the filters it applied


def test_a_malformed_date_is_ignored_and_said_so(client, archive):
    response = client.get(reverse("archive:home"), {"since": "15/08/2017"})
    assert response.status_code == 200
    assert len(titles(response)) == 5
    assert "Enter a valid date" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"outlet": "no-such-outlet"}, 'There is no outlet "no-such-outlet".'),
        ({"tag": "no-such-tag"}, 'There is no tag "no-such-tag".'),
        ({"tag": "<b>bold</b>"}, 'There is no tag "<b>bold</b>".'),  # echoed, escaped
        ({"region": "atlantis"}, 'There is no place "atlantis".'),
        ({"language": "english"}, 'Enter a language tag such as "en" or "pt-BR", not "english".'),
    ],
)
def test_a_filter_naming_nothing_is_ignored_and_said_so(client, archive, query, said):
    """As a malformed date: the reader sees why the filter did nothing, not an empty list
    that reads as "no articles about it" (the API answers the same error as a 400)."""
    response = client.get(reverse("archive:home"), query)
    assert response.status_code == 200
    assert len(titles(response)) == 5
    (field,) = query
    assert response.context["filterset"].errors[field] == [said]
    assert escape(said) in response.content.decode()


# Dates


def test_a_year_page_counts_its_months(client, archive):
    response = client.get(reverse("archive:archive_year", args=[2017]))

    months = {p.label: p.count for p in response.context["periods"]}
    for number, label in enumerate(["January", "February", "March", "April", "May", "June",
                                    "July", "August", "September", "October", "November",
                                    "December"], start=1):  # fmt: skip
        start = at(2017, number, 1)
        end = at(2017 + number // 12, number % 12 + 1, 1)
        expected = (
            Article.objects.published()
            .filter(published_at__gte=start, published_at__lt=end)
            .count()
        )
        assert months[label] == expected
    assert months["August"] == 3
    assert months["September"] == 1
    assert response.context["page_obj"].paginator.count == 4


def test_a_month_page_counts_its_days_and_a_day_page_lists_them(client, archive):
    month = client.get(reverse("archive:archive_month", args=[2017, 8]))
    day = client.get(reverse("archive:archive_day", args=[2017, 8, 15]))

    days = {p.label: p.count for p in month.context["periods"]}
    assert len(days) == 31
    assert days["15 Tue"] == 2
    assert days["20 Sun"] == 1
    assert sum(days.values()) == month.context["page_obj"].paginator.count == 3
    assert titles(day) == ["Erbil and Baghdad agree", "Fighting near Deir ez-Zor"]


def test_date_counts_follow_the_filters(client, archive):
    response = client.get(reverse("archive:archive_year", args=[2017]), {"outlet": "rudaw"})
    months = {p.label: p.count for p in response.context["periods"]}
    assert months["August"] == 2
    august = next(p for p in response.context["periods"] if p.label == "August")
    assert august.url.endswith("?outlet=rudaw")


@pytest.mark.parametrize("path", ["/archive/2017/13/", "/archive/2017/02/30/", "/archive/0/"])
def test_dates_that_do_not_exist_are_not_found(client, archive, path):
    assert client.get(path).status_code == 404


def test_the_archive_index_counts_years(client, archive):
    response = client.get(reverse("archive:archive_index"))
    assert response.context["years"] == [(2017, 4), (2016, 1)]
    for year, count in response.context["years"]:
        in_year = Article.objects.published().filter(
            published_at__gte=at(year, 1, 1), published_at__lt=at(year + 1, 1, 1)
        )
        assert count == in_year.count()


# Feeds, sitemap and metadata


@pytest.mark.parametrize(
    ("url_name", "slug", "expected"),
    [
        (
            "archive:region_feed",
            "iraq",
            ["Parliament meets", "Erbil and Baghdad agree", "Fighting near Deir ez-Zor"],
        ),
        ("archive:tag_feed", "deir-ez-zor", ["Fighting near Deir ez-Zor", "Valley farmers"]),
        ("archive:outlet_feed", "rudaw", ["Parliament meets", "Fighting near Deir ez-Zor"]),
    ],
)
def test_feeds_are_atom_with_the_newest_published_articles(
    client, archive, url_name, slug, expected
):
    response = client.get(reverse(url_name, args=[slug]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert [entry.title for entry in feed.entries] == expected
    assert "Withdrawn story" not in response.content.decode()
    assert all(entry.link.startswith("http://testserver/articles/") for entry in feed.entries)
    assert all(entry.get("updated") and entry.get("author") for entry in feed.entries)


def test_the_sitemap_lists_published_articles_and_places_tags_outlets_with_some(client, archive):
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>http://testserver(/sitemap-[a-z]+\.xml)</loc>", index)
    assert set(sections) == {
        f"/sitemap-{s}.xml" for s in ("pages", "articles", "places", "tags", "outlets")
    }

    def locations(section: str) -> set[str]:
        xml = client.get(f"/sitemap-{section}.xml").content.decode()
        return set(re.findall(r"<loc>http://testserver([^<]+)</loc>", xml))

    published = Article.objects.published()
    assert locations("articles") == {a.get_absolute_url() for a in published}
    assert archive["withdrawn"].get_absolute_url() not in locations("articles")
    assert locations("tags") == {"/tags/deir-ez-zor/", "/tags/iraq-politics/"}
    assert len(locations("outlets")) == 3
    places = locations("places")
    assert country("IQ").get_absolute_url() in places
    assert place("Erbil", "IQ").get_absolute_url() in places
    assert Region.objects.get(iso_code="IQ-KR").get_absolute_url() in places  # an ancestor
    assert country("GB").get_absolute_url() not in places
    assert "/regions/" in locations("pages")


def test_pages_name_their_canonical_address_without_filters(client, archive, settings):
    settings.ARTICLES_PER_PAGE = 1
    html = client.get(
        reverse("archive:region", args=["iraq"]), {"outlet": "rudaw", "page": 2}
    ).content.decode()
    assert '<link rel="canonical" href="http://testserver/regions/iraq/?page=2">' in html
    for url in [reverse("archive:regions"), reverse("archive:tags"), reverse("archive:outlets"),
                reverse("archive:archive_year", args=[2017]), reverse("archive:home")]:  # fmt: skip
        assert (
            f'<link rel="canonical" href="http://testserver{url}">'
            in client.get(url).content.decode()
        )


def test_an_article_page_has_open_graph_and_news_article_json_ld(client, archive):
    article = archive["erbil"]
    html = client.get(article.get_absolute_url()).content.decode()

    url = f"http://testserver{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Fighting near Deir ez-Zor">' in html
    assert '<meta property="article:published_time" content="2017-08-15">' in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Fighting near Deir ez-Zor"
    assert data["datePublished"] == "2017-08-15"
    assert data["publisher"]["name"] == "Rudaw"
    assert data["contentLocation"]["name"] == "Erbil, Iraq"
    assert data["mainEntityOfPage"] == url


def test_json_ld_cannot_be_broken_out_of(client, gazetteer):
    hostile = 'Title </script><script>alert("x")</script> & <b>'
    article = make_article(title=hostile, summary="</SCRIPT> & more")
    html = client.get(article.get_absolute_url()).content.decode()

    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in script
    assert ">" not in script
    assert json.loads(script)["headline"] == hostile
    assert "<script>alert" not in html


def test_the_article_page_links_its_places(client, archive):
    html = client.get(archive["erbil"].get_absolute_url()).content.decode()
    assert f'href="{place("Erbil", "IQ").get_absolute_url()}">Erbil, Iraq</a>' in html
    assert f'href="{country("SY").get_absolute_url()}">Syria</a>' in html


def test_the_header_links_every_way_of_browsing_and_keeps_the_search_form(client, archive):
    html = client.get(reverse("archive:tags")).content.decode()
    nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    for label, url in [("Regions", "/regions/"), ("Tags", "/tags/"), ("Outlets", "/outlets/"),
                       ("Archive", "/archive/"), ("Search", "/search/")]:  # fmt: skip
        assert f'href="{url}"' in nav
        assert f">{label}</a>" in nav
    assert 'href="/tags/" aria-current="page"' in nav
    assert '<form class="site-search" role="search"' in html


@pytest.mark.parametrize(
    "url",
    ["/", "/regions/", "/regions/iraq/", "/tags/", "/tags/deir-ez-zor/", "/outlets/",
     "/outlets/rudaw/", "/archive/", "/archive/2017/", "/archive/2017/08/", "/archive/2017/08/15/"],
)  # fmt: skip
def test_browse_pages_take_a_fixed_number_of_queries(
    client, archive, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    for number in range(30):
        make_article(
            archive["erbil"].outlet, title=f"More {number}", published_at=at(2017, 8, 15)
        ).regions.set([place("Erbil", "IQ")])
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_the_timeline_describes_itself(archive):
    timeline = timeline_for(Article.objects.published())
    assert timeline.first.isoformat() == "2016-03-01"
    assert timeline.last.isoformat() == "2017-09-01"
    assert timeline.total == 5
    assert timeline.description == (
        "5 articles from March 2016 to September 2017; the busiest month was August 2017 with 3."
    )
    assert timeline_for(Article.objects.none()) is None


def test_empty_fields_of_a_submitted_filter_form_leave_the_address(client, archive):
    response = client.get(reverse("archive:home"), {"outlet": "", "region": "syria", "tag": ""})
    assert response.status_code == 302
    assert response["Location"] == "/?region=syria"
    assert client.get("/regions/iraq/?since=&until=")["Location"] == "/regions/iraq/"
