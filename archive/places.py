"""Gazetteer look-ups: from printed place names to Regions."""

from collections.abc import Iterable

from django.db.models import F, Q

from archive.datelines import Dateline
from archive.models import Region, RegionName
from archive.text import fold


def regions_named(folded_names: Iterable[str]) -> dict[str, list[Region]]:
    """Every region known by each folded name, in one query."""
    found: dict[str, list[Region]] = {}
    rows = RegionName.objects.filter(folded__in=set(folded_names)).select_related("region__parent")
    for row in rows:
        found.setdefault(row.folded, []).append(row.region)
    return found


def resolve_dateline(dateline: Dateline, outlet_country: str = "") -> Region | None:
    """The best region for a dateline's place, or None when the gazetteer has no such place.

    Candidates are the regions known by the place's name. The dateline's qualifier picks
    among them first ("TRIPOLI, Lebanon"), then the outlet's country, then population.
    """
    candidates = regions_named([fold(dateline.place)]).get(fold(dateline.place), [])
    if not candidates:
        return None
    qualifier_countries = _countries_named(dateline.qualifier) if dateline.qualifier else set()

    def preference(region: Region) -> tuple:
        return (
            region.country_code in qualifier_countries,
            bool(outlet_country) and region.country_code == outlet_country,
            # A city is what a dateline names far more often than a country or continent.
            region.kind == Region.Kind.CITY,
            region.population,
        )

    return max(candidates, key=preference)


def _countries_named(text: str) -> set[str]:
    """Country codes of the regions a qualifier names ("Lebanon", "Kurdistan Region")."""
    folded = fold(text)
    regions = Region.objects.filter(Q(names__folded=folded) | Q(name__iexact=text)).exclude(
        country_code=""
    )
    return set(regions.values_list("country_code", flat=True))


def known_place_names(folded_candidates: Iterable[str], *, primary_only: bool = False) -> set[str]:
    """Which of these folded strings name a region.

    ``primary_only`` counts only a region's own name, not its alternates: alternates include
    words such as "Valley" (The Valley, Anguilla) that would split ordinary phrases.
    """
    names = RegionName.objects.filter(folded__in=set(folded_candidates))
    if primary_only:
        names = names.filter(name=F("region__name"))
    return set(names.values_list("folded", flat=True))
