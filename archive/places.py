"""Gazetteer look-ups: from printed place names to Regions.

Two jobs: the place a dateline names (``resolve_dateline``) and the places an article covers
(``places_covered``). Both read ``Gazetteer``, every region name folded and held in memory:
built from the database once per process (about a second for the whole world) and then
used without a query, so the ingest can place thousands of articles a second. It is
rebuilt after ``load_regions``, after a region or name is saved in this process, and at
the latest ``settings.GAZETTEER_MAX_AGE`` seconds after it was built (edits made by
another process), unless it is pinned: an ingest run keeps the one it started with
(``gazetteer_pinned``).
"""

import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F

from archive import gazetteer_file
from archive.datelines import Dateline
from archive.mentions import Mention, find_mentions
from archive.models import Region, RegionName
from archive.models.places import path_ids
from archive.text import fold

# A place in the outlet's own country counts as if this many times more populous: an
# American outlet's "BIRMINGHAM" is Alabama's, but its "PARIS" is still France's (AP style
# names the state of any but the biggest American cities).
HOME_COUNTRY_WEIGHT = 10
# Places covered: named at least this often (or in the title), at most this many.
MIN_MENTIONS = 2
MAX_PLACES = 12
# Weights (in powers of ten of population) of what the rest of the article says.
_SAME_COUNTRY_BONUS = 1.0  # the dateline's country, or a country the article names
_NAMED_ANCESTOR_BONUS = 1.5  # a province or area the article names contains it
_POPULATION_FLOOR = 1000  # provinces and areas without a population still count

_DATELINE_KIND_ORDER = {
    Region.Kind.CITY: 4,
    Region.Kind.AREA: 3,
    Region.Kind.PROVINCE: 2,
    Region.Kind.COUNTRY: 1,
    Region.Kind.CONTINENT: 0,
}

# AP style's state abbreviations in datelines ("CAMBRIDGE, Mass."), folded. The eight
# states AP spells out, and two-letter postal codes, are found by name or code.
AP_STATE_ABBREVIATIONS = {
    "ala": "US-AL", "ariz": "US-AZ", "ark": "US-AR", "calif": "US-CA", "colo": "US-CO",
    "conn": "US-CT", "del": "US-DE", "fla": "US-FL", "ga": "US-GA", "ill": "US-IL",
    "ind": "US-IN", "kan": "US-KS", "kans": "US-KS", "ky": "US-KY", "la": "US-LA",
    "md": "US-MD", "mass": "US-MA", "mich": "US-MI", "minn": "US-MN", "miss": "US-MS",
    "mo": "US-MO", "mont": "US-MT", "neb": "US-NE", "nebr": "US-NE", "nev": "US-NV",
    "n h": "US-NH", "n j": "US-NJ", "n m": "US-NM", "n y": "US-NY", "n c": "US-NC",
    "n d": "US-ND", "okla": "US-OK", "ore": "US-OR", "pa": "US-PA", "r i": "US-RI",
    "s c": "US-SC", "s d": "US-SD", "tenn": "US-TN", "tex": "US-TX", "vt": "US-VT",
    "va": "US-VA", "wash": "US-WA", "w va": "US-WV", "wis": "US-WI", "wyo": "US-WY",
    "d c": "US-DC",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    """What look-ups need of a Region, without the ORM."""

    id: int
    name: str
    kind: str
    country_code: str
    population: int
    lineage: tuple[int, ...]  # ancestors' ids, root first, then its own

    @property
    def ancestor_ids(self) -> tuple[int, ...]:
        return self.lineage[:-1]

    def prominence(self, home_country: str = "") -> float:
        population = max(self.population, _POPULATION_FLOOR)
        if home_country and self.country_code == home_country:
            population *= HOME_COUNTRY_WEIGHT
        return math.log10(population)


class Gazetteer:
    """Every region's names, folded, in memory: the look-ups of a whole ingest, no queries."""

    def __init__(
        self,
        places: dict[int, Place],
        names: dict[str, tuple[int, ...]],
        acronyms: Iterable[str] = (),
        iso_codes: dict[str, int] | None = None,
        prefixes: Iterable[str] | None = None,
    ) -> None:
        self.places = places
        self.names = names
        self.acronyms = frozenset(acronyms)
        self.iso_codes = iso_codes or {}
        # Every name's first word, first two words, ...: lets the text scan stop early.
        self.prefixes = frozenset(
            prefixes
            if prefixes is not None
            else (
                " ".join(words[:count])
                for words in (name.split(" ") for name in names)
                for count in range(1, len(words) + 1)
            )
        )

    @classmethod
    def from_database(cls) -> "Gazetteer":
        """The gazetteer of the regions the database holds: read from its file
        (archive.gazetteer_file) when the file was built from what the database holds now,
        else built from the rows and filed for the next process."""
        key = gazetteer_file.database_key()  # before the rows: they are at least as new
        parts = gazetteer_file.load(key) if key else None
        if parts is not None:
            return cls.from_parts(parts)
        gazetteer = cls._built()
        if key:
            gazetteer_file.save(key, gazetteer.parts())
        return gazetteer

    @classmethod
    def _built(cls) -> "Gazetteer":
        places = {}
        names: dict[str, list[int]] = defaultdict(list)
        iso_codes = {}
        rows = Region.objects.values_list(
            "id", "name", "kind", "country_code", "population", "path", "iso_code"
        )
        for region_id, name, kind, country, population, path, iso_code in rows.iterator(
            chunk_size=10_000
        ):
            lineage = tuple(path_ids(path)) if path else (region_id,)
            places[region_id] = Place(region_id, name, kind, country, population, lineage)
            names[fold(name)].append(region_id)
            if iso_code:
                iso_codes[iso_code] = region_id
        acronyms = set()
        for folded, region_id, name in RegionName.objects.values_list(
            "folded", "region_id", "name"
        ).iterator(chunk_size=50_000):
            if region_id not in names[folded]:
                names[folded].append(region_id)
            letters = folded.replace(" ", "")
            if name.isupper() and letters.isalpha() and len(letters) <= 5:
                acronyms.add(folded)  # "US", "U.S.", "UAE": matched in capitals only
        return cls(places, {name: tuple(ids) for name, ids in names.items()}, acronyms, iso_codes)

    def parts(self) -> gazetteer_file.Parts:
        """What a file keeps of it: plain data, the places as rows."""
        return {
            "places": [
                (p.id, p.name, p.kind, p.country_code, p.population, p.lineage)
                for p in self.places.values()
            ],
            "names": self.names,
            "acronyms": self.acronyms,
            "iso_codes": self.iso_codes,
            "prefixes": self.prefixes,
        }

    @classmethod
    def from_parts(cls, parts: gazetteer_file.Parts) -> "Gazetteer":
        places = {row[0]: Place(*row) for row in parts["places"]}
        return cls(places, parts["names"], parts["acronyms"], parts["iso_codes"], parts["prefixes"])

    def named(self, folded_name: str) -> list[Place]:
        return [self.places[i] for i in self.names.get(folded_name, ()) if i in self.places]

    def by_iso_code(self, code: str) -> Place | None:
        region_id = self.iso_codes.get(code)
        return self.places.get(region_id) if region_id else None


_cache_lock = threading.Lock()
_cached: tuple[Gazetteer, float] | None = None
_pinned: Gazetteer | None = None


def current_gazetteer() -> Gazetteer:
    """This process's gazetteer: the pinned one while one is, else built on first use and
    when stale."""
    if _pinned is not None:
        return _pinned
    global _cached
    cached = _cached
    if cached is None or time.monotonic() - cached[1] > settings.GAZETTEER_MAX_AGE:
        with _cache_lock:
            if _cached is cached:
                # The stale one is let go before the new one is built: built beside it, the
                # two were in memory at once (tens of MB of names each), and a long ingest
                # kept that high-water mark, 50 MiB more after its first five minutes.
                _cached = cached = None
                _cached = (Gazetteer.from_database(), time.monotonic())
            cached = _cached
    return cached[0]


@contextmanager
def gazetteer_pinned() -> Iterator[Gazetteer]:
    """``current_gazetteer()`` gives the current one meanwhile, in this process and in any
    it forks, however old it grows: an ingest finds place names (in its reader process) and
    resolves them (in the saving process) with one gazetteer for the whole run. Read afresh
    every GAZETTEER_MAX_AGE, each one cost the saving process a second and left its memory
    a step higher (building one needs more than it keeps); and the reader process must never
    read one (the database connection is its parent's). Process-wide: for jobs that own
    their process, not for a web worker's threads."""
    global _pinned
    before, _pinned = _pinned, current_gazetteer()
    try:
        yield _pinned
    finally:
        _pinned = before


def forget_gazetteer() -> None:
    """Regions or names changed: the next look-up rebuilds the gazetteer."""
    global _cached
    _cached = None


# Datelines


def resolve_dateline(
    dateline: Dateline, outlet_country: str = "", gazetteer: Gazetteer | None = None
) -> Region | None:
    """The best region for a dateline's place, or None when the gazetteer has no such place."""
    place = dateline_place(dateline.place, dateline.qualifier, outlet_country, gazetteer)
    return Region.objects.filter(pk=place.id).first() if place else None


def dateline_place(
    place: str, qualifier: str = "", outlet_country: str = "", gazetteer: Gazetteer | None = None
) -> Place | None:
    """The place a dateline names.

    Candidates are the regions known by the place's name (accents and case folded, alternate
    names included). The qualifier picks among them first: a candidate inside the region it
    names ("ERBIL, Kurdistan Region"), then one in the same country ("TRIPOLI, Lebanon").
    Then a city over a province or country of the same name, then population, with places
    in the outlet's country weighted up. A qualifier that names a known region when the place
    itself is unknown ("AL-KOUM, Syria") gives that region: the best we know.
    """
    gazetteer = gazetteer or current_gazetteer()
    candidates = gazetteer.named(fold(place))
    if not candidates and fold(place).endswith(" city"):
        candidates = gazetteer.named(fold(place).removesuffix(" city"))
    qualifiers = qualifier_places(qualifier, gazetteer) if qualifier else []
    if not candidates:
        return max(qualifiers, key=lambda q: q.prominence(outlet_country), default=None)
    qualifier_ids = {q.id for q in qualifiers}
    qualifier_countries = {q.country_code for q in qualifiers if q.country_code}
    qualifier_provinces = [q for q in qualifiers if q.kind == Region.Kind.PROVINCE]

    def in_another_province(candidate: Place) -> bool:
        """Under a province that is not the qualifier's, nor contains it, nor is inside it:
        "PARIS, Kentucky" is not the Paris under Texas."""
        return bool(qualifier_provinces) and any(
            gazetteer.places[a].kind == Region.Kind.PROVINCE
            and all(
                a not in q.lineage and q.id not in gazetteer.places[a].lineage
                for q in qualifier_provinces
            )
            for a in candidate.ancestor_ids
            if a in gazetteer.places
        )

    def preference(candidate: Place) -> tuple:
        if qualifier_ids & set(candidate.ancestor_ids):
            by_qualifier = 2
        elif candidate.country_code in qualifier_countries:
            by_qualifier = 0 if in_another_province(candidate) else 1
        else:
            by_qualifier = 0
        return (
            by_qualifier,
            _DATELINE_KIND_ORDER.get(candidate.kind, 0),
            candidate.prominence(outlet_country),
            -candidate.id,
        )

    best = max(candidates, key=preference)
    if qualifiers and preference(best)[0] == 0:
        # "PARIS, Kentucky" with no Paris in Kentucky: not France's Paris.
        return max(qualifiers, key=lambda q: q.prominence(outlet_country))
    return best


def qualifier_places(qualifier: str, gazetteer: Gazetteer) -> list[Place]:
    """The regions a dateline's second part may name: a country, province or area by any of
    its names, an AP state abbreviation ("Mass.") or a US postal code ("TX")."""
    folded = fold(qualifier)
    places = gazetteer.named(folded)
    code = AP_STATE_ABBREVIATIONS.get(folded)
    if code is None and len(qualifier) == 2 and qualifier.isupper():
        code = f"US-{qualifier}"
    if code and (state := gazetteer.by_iso_code(code)):
        places.append(state)
    return [p for p in places if p.kind != Region.Kind.CITY] or places


# Places covered


def places_covered(
    article, gazetteer: Gazetteer | None = None, mentions: list[Mention] | None = None
) -> list[int]:
    """Ids of the regions an article is about: its dateline's place, then the places its
    title and body name at least MIN_MENTIONS times (or in the title), most named first.

    ``article`` needs ``title``, ``body``, ``dateline_region_id`` and ``outlet`` (for its
    country); it is read, never saved. ``mentions``, when given, are find_mentions of its
    title and body, found beforehand (by the ingest's reader process).
    """
    gazetteer = gazetteer or current_gazetteer()
    dateline = gazetteer.places.get(article.dateline_region_id)
    outlet_country = getattr(getattr(article, "outlet", None), "country", "") or ""
    if mentions is None:
        mentions = find_mentions(
            article.title, article.body, gazetteer.names, gazetteer.prefixes, gazetteer.acronyms
        )
    chosen = resolve_mentions(mentions, gazetteer, dateline, outlet_country)

    counts: Counter[int] = Counter()
    in_title: set[int] = set()
    for mention in mentions:
        if place := chosen.get((mention.folded, mention.kind_hint)):
            counts[place.id] += 1
            if mention.in_title:
                in_title.add(place.id)
    covered = [dateline.id] if dateline else []
    for region_id, count in counts.most_common():
        if region_id not in covered and (count >= MIN_MENTIONS or region_id in in_title):
            covered.append(region_id)
    return covered[:MAX_PLACES]


def resolve_mentions(
    mentions: list[Mention], gazetteer: Gazetteer, dateline: Place | None, outlet_country: str
) -> dict[tuple[str, str], Place]:
    """The region each (name, kind hint) found in the text means.

    Each name's candidates are weighed by population, with a bonus for lying in a country of
    the article's context and a bigger one for lying inside a province or area it names
    ("Paris" in an article that names Texas). The context is the dateline's place, the
    names that can only mean one country's places, and, in a second pass, the countries,
    provinces and areas the first pass found ("Tripoli" in an article that names Lebanon).
    """
    keys = list(dict.fromkeys((m.folded, m.kind_hint) for m in mentions))
    candidates = {key: _candidates(gazetteer.named(key[0]), key[1]) for key in keys}
    candidates = {key: options for key, options in candidates.items() if options}

    countries: set[str] = set()
    named_ids: set[int] = set()
    if dateline:
        countries.add(dateline.country_code)
        named_ids.update(dateline.lineage)
    for options in candidates.values():
        if len({p.country_code for p in options}) == 1:
            countries.add(options[0].country_code)
            if len(options) == 1:
                named_ids.add(options[0].id)

    chosen = _choose(candidates, gazetteer, countries, named_ids, outlet_country)
    for place in chosen.values():
        if place.kind != Region.Kind.CITY:
            countries.add(place.country_code)
            named_ids.add(place.id)
    return _choose(candidates, gazetteer, countries, named_ids, outlet_country)


def _choose(
    candidates: dict[tuple[str, str], list[Place]],
    gazetteer: Gazetteer,
    countries: set[str],
    named_ids: set[int],
    outlet_country: str,
) -> dict[tuple[str, str], Place]:
    countries = countries - {""}

    def weight(place: Place) -> tuple[float, int]:
        # The outlet's country only counts when the article itself says nothing.
        score = place.prominence("" if countries else outlet_country)
        if place.country_code in countries:
            score += _SAME_COUNTRY_BONUS
        if any(
            ancestor in named_ids and gazetteer.places[ancestor].kind != Region.Kind.COUNTRY
            for ancestor in place.ancestor_ids
            if ancestor in gazetteer.places
        ):
            score += _NAMED_ANCESTOR_BONUS
        return score, place.population

    return {key: max(options, key=weight) for key, options in candidates.items()}


def _candidates(places: list[Place], kind_hint: str) -> list[Place]:
    """Narrow a name's regions by the word after it, and prefer the most specific of regions
    that contain one another ("Deir ez-Zor": the city, not its province, unless the text
    says "Deir ez-Zor province")."""
    if kind_hint == "province":
        wanted = [p for p in places if p.kind in (Region.Kind.PROVINCE, Region.Kind.AREA)]
        return wanted or places
    if kind_hint == "city":
        places = [p for p in places if p.kind == Region.Kind.CITY] or places
    ids = {p.id for p in places}
    containing = {a for p in places for a in p.ancestor_ids if a in ids}
    return [p for p in places if p.id not in containing]


# Tag lines


def known_place_names(folded_candidates: Iterable[str], *, primary_only: bool = False) -> set[str]:
    """Which of these folded strings name a region.

    ``primary_only`` counts only a region's own name, not its alternates: alternates include
    words such as "Valley" (The Valley, Anguilla) that would split ordinary phrases.
    """
    names = RegionName.objects.filter(folded__in=set(folded_candidates))
    if primary_only:
        names = names.filter(name=F("region__name"))
    return set(names.values_list("folded", flat=True))
