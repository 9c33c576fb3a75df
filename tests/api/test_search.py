"""The API's search (the portal's) and the CSV export of a search, from the API and the
portal."""

import csv
import io

import pytest
from django.urls import reverse

from api.throttling import AnonymousClientThrottle
from archive import curation
from archive.models import Article, Region, Tag
from search.sync import record_changes
from tests.factories import make_article, make_outlet, make_tag
from tests.search.conftest import when

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(sync):
    rudaw = make_outlet("Rudaw")
    raqqa = make_tag("Raqqa")
    make_article(
        rudaw,
        title="Army takes the airport",
        body="Fighting near the airport runway.",
        tags=[raqqa],
    )
    make_article(make_outlet("AFP"), title="Airport reopens", body="Flights resume at the airport.")
    make_article(rudaw, title="Dam repairs", body="Engineers at the dam.")
    make_article(rudaw, title="Kurdish parliament votes on budget", body="The parliament met.")
    sync()


def test_search_has_hits_highlights_facets_and_filters(api, archive):
    data = api.get(reverse("api:search"), {"q": "airport"}).json()
    assert data["total"] == 2
    assert (data["total_is_estimate"], data["facets_are_estimates"]) == (False, False)
    assert all("<mark>" in hit["title_html"] for hit in data["hits"])
    assert {o["value"] for o in data["facets"]["outlet"]} == {"rudaw", "afp"}

    narrowed = api.get(reverse("api:search"), {"q": "airport outlet:rudaw"}).json()
    assert [hit["article"]["title"] for hit in narrowed["hits"]] == ["Army takes the airport"]
    by_tag = api.get(reverse("api:search"), {"q": "airport", "tag": "raqqa"}).json()
    assert by_tag["total"] == 1


def test_search_values_place_facets_by_the_slug_its_region_filter_takes(
    api, archive, gazetteer, sync
):
    """Outlets and tags are facet values by slug; places too (the index counts them by id)."""
    erbil = Region.objects.get(slug="erbil-iq")
    Article.objects.get(title="Dam repairs").regions.add(erbil)
    sync()

    places = api.get(reverse("api:search"), {"q": "dam"}).json()["facets"]["region"]

    assert {"value": "erbil-iq", "label": "Erbil", "count": 1, "active": False} in places
    assert not any(option["value"].isdigit() for option in places)
    for value in ("erbil-iq", str(erbil.id)):  # an id, as clients sent before, still filters
        narrowed = api.get(reverse("api:search"), {"q": "dam", "region": value}).json()
        assert narrowed["total"] == 1
        assert {"value": "erbil-iq", "label": "Erbil", "count": 1, "active": True} in (
            narrowed["facets"]["region"]
        )


def test_search_suggests_a_spelling(api, archive):
    data = api.get(reverse("api:search"), {"q": "parliment"}).json()
    assert data["total"] == 0
    assert data["suggestion"] == "parliament"


def test_search_sorts_newest_first_on_request(api, archive):
    data = api.get(reverse("api:search"), {"q": "airport", "sort": "newest"}).json()
    dates = [hit["article"]["published_at"] for hit in data["hits"]]
    assert dates == sorted(dates, reverse=True)


def test_search_and_its_export_narrow_by_since_and_until(api, archive, sync):
    Article.objects.filter(title="Airport reopens").update(published_at=when(2017, 8, 20))
    Article.objects.filter(title="Army takes the airport").update(published_at=when(2017, 8, 10))
    record_changes(Article.objects.values_list("pk", flat=True))
    sync()

    def titles(**params) -> list[str]:
        hits = api.get(reverse("api:search"), {"q": "airport", **params}).json()["hits"]
        return [hit["article"]["title"] for hit in hits]

    assert titles(since="2017-08-15") == ["Airport reopens"]
    assert titles(until="2017-08-15") == ["Army takes the airport"]
    export = api.get("/api/search/export.csv", {"q": "airport", "since": "2017-08-15"})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert [row[0] for row in rows[1:]] == ["Airport reopens"]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "garbage"},
        {"until": "2017-02-30"},
        {"page": "abc"},
        {"page": "101"},
        {"sort": "best"},
    ],
)
def test_search_answers_400_naming_a_value_it_cannot_read(api, archive, params):
    for url in (reverse("api:search"), "/api/search/export.csv"):
        response = api.get(url, {"q": "airport", **params})
        assert response.status_code == 400
        assert set(response.json()) == set(params)


SEARCH_AND_EXPORT = ["/api/search/", "/api/search/export.csv"]


@pytest.mark.parametrize("url", SEARCH_AND_EXPORT)
@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"outlet": "no-such-outlet"}, {"outlet": ['There is no outlet "no-such-outlet".']}),
        ({"tag": "raqa"}, {"tag": ['There is no tag "raqa".']}),
        ({"region": "atlantis"}, {"region": ['There is no place "atlantis".']}),
        ({"region": "99999999999"}, {"region": ['There is no place "99999999999".']}),
        (  # each value that names nothing, and only those
            {"tag": ["raqqa", "raqa", "mosul"]},
            {"tag": ['There is no tag "raqa".', 'There is no tag "mosul".']},
        ),
    ],
)
def test_a_filter_parameter_naming_nothing_is_a_400_naming_it(api, archive, url, params, said):
    """As /api/articles/ answers: not an empty 200, which a client cannot tell from "no
    articles about it"."""
    response = api.get(url, {"q": "airport", **params})
    assert response.status_code == 400
    assert response.json() == said


@pytest.mark.parametrize("url", SEARCH_AND_EXPORT)
def test_filter_parameters_name_outlets_tags_and_places_by_slug_or_name(
    api, archive, gazetteer, url
):
    named = {"outlet": "Rudaw", "tag": "Raqqa", "region": "Syria"}
    by_slug = {"outlet": "rudaw", "tag": "raqqa", "region": "syria"}
    for params in (named, by_slug):
        response = api.get(url, {"q": "airport", **params})
        assert response.status_code == 200, response.content


def test_a_tags_old_slug_still_filters_search(api, archive, sync):
    curation.rename_tag(Tag.objects.get(slug="raqqa"), "Raqqa city")
    sync()
    response = api.get(reverse("api:search"), {"q": "airport", "tag": "raqqa"})
    assert [hit["article"]["title"] for hit in response.json()["hits"]] == [
        "Army takes the airport"
    ]


def test_a_tag_value_names_the_same_tag_in_search_as_in_the_article_list(api, archive, sync):
    """One reading of a tag value (archive.filters.tags_named) for both: a slug, live or
    old, before a name, so that a filter bookmarked before a rename leads where the tag's
    page at that slug does, even once another tag has the name that slug was made from."""
    curation.rename_tag(Tag.objects.get(slug="raqqa"), "Raqqa city")  # "raqqa" redirects
    province = make_tag("Raqqa", slug="raqqa-province")
    make_article(make_outlet("Wire"), title="Airport in the province", tags=[province])
    sync()

    search = api.get(reverse("api:search"), {"q": "airport", "tag": "raqqa"})
    articles = api.get(reverse("api:articles"), {"tag": "raqqa"})

    assert [hit["article"]["title"] for hit in search.json()["hits"]] == ["Army takes the airport"]
    assert [article["title"] for article in articles.json()["results"]] == [
        "Army takes the airport"
    ]


@pytest.mark.parametrize("q", ["airport outlet:nosuch", "airport tag:raqa", "region:atlantis"])
def test_a_filter_in_the_query_text_is_part_of_the_search_and_finds_nothing(api, archive, q):
    """The query language forgives anything typed (README, "Search"): outlet:nosuch is a
    search that finds nothing, not an error."""
    response = api.get(reverse("api:search"), {"q": q})
    assert response.status_code == 200
    assert response.json()["total"] == 0
    export = api.get("/api/search/export.csv", {"q": q})
    assert (export.status_code, export.content.decode().count("\n")) == (200, 1)


def test_every_tag_in_the_query_narrows_so_one_naming_nothing_finds_nothing(api, archive):
    """Tags are all required (each one more narrows, as a place does): a tag naming nothing
    among known ones is not left out, which would widen the search."""

    def total(q: str) -> int:
        return api.get(reverse("api:search"), {"q": q}).json()["total"]

    assert total("airport tag:raqqa") == 1
    assert total("airport tag:raqqa tag:raqa") == 0
    assert total("airport tag:raqqa region:atlantis") == 0  # as a place naming nothing did


@pytest.mark.parametrize("q", ["*", "-", "🙂", "()"])
def test_a_query_of_no_words_finds_nothing_not_everything(api, archive, client, q):
    assert api.get(reverse("api:search"), {"q": q}).json()["total"] == 0
    assert api.get("/api/search/export.csv", {"q": q}).content.decode().count("\n") == 1
    assert "<entry>" not in client.get("/search/feed/", {"q": q}).content.decode()
    # No text at all lists what the filters allow, as before.
    assert api.get(reverse("api:search"), {"q": "", "outlet": "rudaw"}).json()["total"] == 3


def test_search_without_an_index_is_503_not_an_error(api, db):
    # Each test's index directory starts empty: no index was ever built there.
    response = api.get(reverse("api:search"), {"q": "airport"})
    assert response.status_code == 503
    assert "unavailable" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/search/export.csv", "/search/export.csv"])
def test_csv_export_from_api_and_portal_up_to_the_limit(client, archive, settings, url):
    settings.SEARCH_EXPORT_LIMIT = 1
    response = client.get(url, {"q": "airport"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["title", "outlet", "published_at", "dateline", "language", "url"]
    assert len(rows) == 2


FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB"]


@pytest.mark.parametrize("url", ["/api/search/export.csv", "/search/export.csv"])
def test_csv_cells_that_a_spreadsheet_would_run_are_made_text(client, sync, url):
    outlet = make_outlet("=cmd|' /C calc'!A0", slug="evil-outlet")
    for number, formula in enumerate(FORMULAS):
        make_article(outlet, title=f"{formula} ceasefire {number}", dateline=formula)
    make_article(outlet, title="A plain ceasefire title - with a dash", dateline="ERBIL")
    sync()
    response = client.get(url, {"q": "ceasefire"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(FORMULAS) + 1
    for row in rows:
        for column in ("title", "outlet", "dateline", "language", "url"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row
    titles = {row["title"] for row in rows}
    assert '\'=HYPERLINK("http://evil.example") ceasefire 0' in titles
    assert "A plain ceasefire title - with a dash" in titles  # only a leading sign counts
    assert {row["outlet"] for row in rows} == {"'=cmd|' /C calc'!A0"}


def test_the_portal_links_to_the_csv_of_its_search(client, archive):
    response = client.get("/search/", {"q": "airport"})
    assert b'href="/search/export.csv?q=airport"' in response.content


def test_the_portals_csv_shares_the_apis_throttle(client, archive, monkeypatch):
    monkeypatch.setattr(AnonymousClientThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    statuses = [client.get("/search/export.csv", {"q": "airport"}).status_code for _ in range(2)]
    assert statuses == [200, 200]
    refused = client.get("/search/export.csv", {"q": "airport"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert client.get("/api/search/export.csv", {"q": "airport"}).status_code == 429
