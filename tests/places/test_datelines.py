"""Dateline resolution: real-world dateline forms, ambiguous names included."""

import pytest

from archive.datelines import Dateline, split_dateline
from archive.models import Region
from archive.places import dateline_place, resolve_dateline

pytestmark = pytest.mark.django_db

# (first paragraph as printed, outlet's country, expected place, its country, a region the
# place must lie in or "")
DATELINES = [
    ("ERBIL, Kurdistan Region – The Syrian army ...", "", "Erbil", "IQ", "Kurdistan Region"),
    ("HEWLER, Kurdistan Region – ...", "", "Erbil", "IQ", ""),
    ("Erbil (AFP) - ...", "", "Erbil", "IQ", ""),
    ("TRIPOLI, Lebanon: Protesters ...", "", "Tripoli", "LB", ""),
    ("TRIPOLI, Libya – Militias ...", "", "Tripoli", "LY", ""),
    ("TRIPOLI (Reuters) - ...", "", "Tripoli", "LY", ""),
    ("TRIPOLI – Lebanese troops ...", "LB", "Tripoli", "LB", ""),
    ("PARIS (AFP) – ...", "", "Paris", "FR", ""),
    ("PARIS (AP) — ...", "US", "Paris", "FR", ""),
    ("PARIS, Texas (AP) — ...", "US", "Paris", "US", "Texas"),
    ("PARIS, Tex. — ...", "US", "Paris", "US", "Texas"),
    ("CAMBRIDGE, Mass. (AP) — ...", "US", "Cambridge", "US", "Massachusetts"),
    ("CAMBRIDGE, England — ...", "US", "Cambridge", "GB", "England"),
    ("CAMBRIDGE – ...", "GB", "Cambridge", "GB", ""),
    ("CAMBRIDGE – ...", "US", "Cambridge", "US", ""),
    ("BIRMINGHAM, Ala. — ...", "", "Birmingham", "US", "Alabama"),
    ("BIRMINGHAM, England — ...", "US", "Birmingham", "GB", ""),
    ("BIRMINGHAM – ...", "", "Birmingham", "GB", ""),
    ("BIRMINGHAM – ...", "US", "Birmingham", "US", "Alabama"),
    ("ALEXANDRIA, Egypt (Reuters) - ...", "", "Alexandria", "EG", ""),
    ("ALEXANDRIA, Va. (AP) — ...", "US", "Alexandria", "US", "Virginia"),
    ("ALEXANDRIA (Reuters) - ...", "US", "Alexandria", "EG", ""),
    ("SANTIAGO, Chile (AP) — ...", "", "Santiago", "CL", ""),
    ("SANTIAGO (Reuters) - ...", "", "Santiago", "CL", ""),
    ("SANTIAGO DE CUBA, Cuba – ...", "", "Santiago de Cuba", "CU", ""),
    ("VALENCIA, Spain – ...", "", "Valencia", "ES", ""),
    ("VALENCIA, Venezuela (Reuters) - ...", "", "Valencia", "VE", ""),
    ("VALENCIA – ...", "ES", "Valencia", "ES", ""),
    ("SAN JOSÉ, Costa Rica (AP) — ...", "", "San José", "CR", ""),
    ("SAN JOSE, Calif. (AP) — ...", "US", "San Jose", "US", "California"),
    ("SAN JOSE – ...", "US", "San Jose", "US", ""),
    ("WASHINGTON (Reuters) - ...", "", "Washington", "US", "District of Columbia"),
    ("NEW YORK — ...", "US", "New York City", "US", "New York"),
    ("LONDON (Reuters) - ...", "", "London", "GB", "England"),
    ("LONDON, Ontario – ...", "CA", "London", "CA", ""),
    ("PORTLAND, Maine (AP) — ...", "US", "Portland", "US", "Maine"),
    ("PORTLAND, Ore. (AP) — ...", "US", "Portland", "US", "Oregon"),
    ("ATHENS, Ga. (AP) — ...", "US", "Athens", "US", "Georgia"),
    ("ATHENS (Reuters) - ...", "", "Athens", "GR", ""),
    ("MOSCOW, Idaho (AP) — ...", "US", "Moscow", "US", "Idaho"),
    ("MOSCOW (Reuters) - ...", "", "Moscow", "RU", ""),
    ("SYDNEY, Nova Scotia – ...", "", "Sydney", "CA", ""),
    ("SYDNEY (AFP) – ...", "", "Sydney", "AU", ""),
    ("BAGHDAD (Reuters) - ...", "", "Baghdad", "IQ", ""),
    ("MOSUL, Iraq – ...", "", "Mosul", "IQ", ""),
    ("DAMASCUS, Syria – ...", "", "Damascus", "SY", ""),
    ("DEIR EZ-ZOR, Syria – ...", "", "Deir ez-Zor", "SY", ""),
    ("BEIRUT – ...", "", "Beirut", "LB", ""),
    ("BENGHAZI, Libya – ...", "", "Benghazi", "LY", ""),
    ("Déir ez-Zor — ...", "", "Deir ez-Zor", "SY", ""),
    ("KUWAIT CITY – ...", "", "Kuwait City", "KW", ""),
    ("MEXICO CITY (AP) — ...", "", "Mexico City", "MX", ""),
    ("KYIV, Ukraine – ...", "", "Kyiv", "UA", ""),
    ("KIEV (Reuters) - ...", "", "Kyiv", "UA", ""),
]


@pytest.mark.parametrize(
    ("paragraph", "outlet_country", "place", "country", "inside"),
    DATELINES,
    ids=[f"{row[0].split(' –')[0].split(' —')[0].split(' -')[0]}[{row[1]}]" for row in DATELINES],
)
def test_dateline_resolves_to_the_place_meant(
    world, paragraph, outlet_country, place, country, inside
):
    dateline, _rest = split_dateline(paragraph)
    assert dateline is not None

    region = resolve_dateline(dateline, outlet_country)

    assert region is not None, dateline
    assert (region.name, region.country_code) == (place, country)
    assert region.kind == Region.Kind.CITY
    if inside:
        assert inside in [a.name for a in region.ancestors()]


def test_the_table_covers_enough_forms():
    assert len(DATELINES) >= 30
    ambiguous = {"Tripoli", "Paris", "Cambridge", "Birmingham", "Alexandria", "Santiago",
                 "Valencia", "Portland", "Athens", "Moscow", "Sydney", "London"}  # fmt: skip
    assert ambiguous <= {row[2] for row in DATELINES}


def test_a_qualifier_for_a_place_we_do_not_know_gives_the_qualifiers_region(world):
    # Paris, Kentucky has fewer people than the gazetteer keeps: Kentucky, not Texas or France.
    assert dateline_place("PARIS", "Kentucky", "US").name == "Kentucky"
    assert dateline_place("AL-KOUM", "Syria").name == "Syria"


def test_an_unknown_place_without_a_qualifier_stays_unresolved(world):
    assert resolve_dateline(Dateline(printed="NOWHEREVILLE", place="NOWHEREVILLE")) is None


def test_a_province_or_country_datelines_when_no_city_has_the_name(world):
    assert dateline_place("KURDISTAN REGION").name == "Kurdistan Region"
    assert dateline_place("SYRIA").kind == Region.Kind.COUNTRY
