"""A place named in a filter is the same place on the browse pages, in the API and in search:
one rule (``Region.objects.named``) picks among regions that share a name."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from archive.filters import ArticleFilter
from archive.models import Article, Region, RegionName
from search import service
from search.forms import SearchForm

pytestmark = pytest.mark.django_db

Kind = Region.Kind


def make_region(name: str, kind: str, parent: Region | None = None, **fields) -> Region:
    slug = fields.pop("slug", f"{name.lower()}-{kind}")
    region = Region.objects.create(name=name, slug=slug, kind=kind, parent=parent, **fields)
    RegionName.objects.create(region=region, name=name)
    return region


def browse_picks(name: str) -> Region:
    articles = ArticleFilter(data={"region": name}, queryset=Article.objects.all())
    assert articles.is_valid(), articles.errors
    return articles.form.cleaned_data["region"]


def search_picks(name: str) -> Region:
    (region_id,) = service.resolve_regions([name])
    # The slug the search page's links name it by.
    (slug,) = SearchForm(QueryDict(urlencode({"region": name}))).params().regions
    assert Region.objects.get(slug=slug).id == region_id
    return Region.objects.get(id=region_id)


def test_a_country_comes_before_the_continent_of_its_name():
    continent = make_region("Atlantis", Kind.CONTINENT, population=0)
    country = make_region("Atlantis", Kind.COUNTRY, parent=continent, population=1000)

    assert browse_picks("Atlantis") == search_picks("Atlantis") == country
    assert browse_picks("atlantis") == search_picks("atlantis") == country


@pytest.mark.parametrize(
    ("kinds", "meant"),
    [
        ((Kind.CITY, Kind.COUNTRY), Kind.COUNTRY),
        ((Kind.CITY, Kind.PROVINCE), Kind.PROVINCE),
        ((Kind.CITY, Kind.AREA), Kind.AREA),  # search took the city: areas have no population
        ((Kind.AREA, Kind.PROVINCE), Kind.PROVINCE),
        ((Kind.PROVINCE, Kind.CONTINENT), Kind.CONTINENT),
    ],
)
def test_browse_and_search_pick_the_same_place_for_a_shared_name(kinds, meant):
    populations = {Kind.CITY: 2_000_000, Kind.AREA: 0, Kind.PROVINCE: 900_000}
    regions = {
        kind: make_region("Lemuria", kind, population=populations.get(kind, 5_000_000))
        for kind in kinds
    }

    assert browse_picks("Lemuria") == search_picks("Lemuria") == regions[meant]


def test_of_two_places_of_one_kind_the_more_populous():
    make_region("Ys", Kind.CITY, slug="ys-north", population=230_000)
    south = make_region("Ys", Kind.CITY, slug="ys-south", population=1_150_000)

    assert browse_picks("Ys") == search_picks("Ys") == south
