"""Searching the archive as readers do: from what they typed to results with their articles.

Views, the API and ``manage.py search`` all come through here; backends only ever see a
resolved ``SearchRequest``.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import TypeVar

from django.db.models import Q
from django.utils.text import slugify

from archive.compiled import CompiledInBulk
from archive.filters import outlets_named, tags_named
from archive.languages import language_tag
from archive.models import Article, Outlet, Region, Tag
from archive.text import fold
from search.backends import get_backend
from search.backends.base import Hit, SearchBackend, SearchRequest, SearchResults, Sort
from search.facet_labels import labels as facet_labels
from search.query import DateRange, ParsedQuery, parse_query

logger = logging.getLogger(__name__)

NO_MATCH_ID = 0  # a region id no region has: an unknown region filter matches nothing
MAX_REGION_ID = 2**63 - 1  # a BigAutoField's largest; a larger "id" would overflow the database's
_NOTHING_KNOWN: Mapping = MappingProxyType({})
_Found = TypeVar("_Found")  # an Outlet, a Tag or a Region


@dataclass(frozen=True)
class ResolvedFilters:
    """What filter values name, as the search form found out while reading them: each value
    with its outlet, tag or place, or None where it names nothing. Building the request
    from those values then looks none of them up again, only the query's own filters
    (``outlet:rudaw``) and any value not here."""

    outlets: Mapping[str, Outlet | None] = field(default_factory=dict)
    tags: Mapping[str, Tag | None] = field(default_factory=dict)
    regions: Mapping[str, Region | None] = field(default_factory=dict)


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    active: bool


@dataclass
class SearchPage:
    request: SearchRequest
    results: SearchResults
    articles: dict[int, Article]
    facets: dict[str, list[FacetOption]] = field(default_factory=dict)

    @property
    def hits(self) -> list[tuple]:
        """(hit, article) pairs in rank order, skipping any article deleted meanwhile."""
        return [
            (hit, self.articles[hit.article_id])
            for hit in self.results.hits
            if hit.article_id in self.articles
        ]


def language_ranges_of(values: Iterable[str]) -> tuple[str, ...]:
    """Language ranges as the indexes hold them: lower case with hyphens (``language:pt_BR``
    is "pt-br"), each once. A value that is no tag ("und", "english") is kept lower-cased,
    not dropped: "und" finds the articles of no known language, and anything else finds
    nothing, as a filter naming nothing should, where dropping it would widen the search."""
    return tuple(dict.fromkeys(language_tag(value) or value.strip().lower() for value in values))


def build_request(
    q: str = "",
    *,
    outlets: Iterable[str] = (),
    tags: Iterable[str] = (),
    regions: Iterable[str] = (),
    languages: Iterable[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str = Sort.RELEVANCE,
    page: int = 1,
    page_size: int = 10,
    facets: bool = True,
    resolved: ResolvedFilters | None = None,
) -> SearchRequest:
    """Parse the query and resolve every filter (the form's and the query's own) to what
    backends filter on: outlet and tag slugs, region ids. A value ``resolved`` holds is
    taken as it says, not looked up again."""
    resolved = resolved or ResolvedFilters()
    query = parse_query(q)
    date_range = None
    if date_from or date_to:
        date_range = DateRange.between(date_from, date_to)
    if query.date_range:
        date_range = query.date_range.intersect(date_range)
    return SearchRequest(
        query=query.without_filters(),
        outlets=resolve_outlets([*outlets, *query.outlets], resolved.outlets),
        tags=resolve_tags([*tags, *query.tags], resolved.tags),
        regions=resolve_regions([*regions, *query.regions], resolved.regions),
        languages=language_ranges_of([*languages, *query.languages]),
        date_range=date_range,
        sort=Sort(sort) if sort in Sort.__members__.values() else Sort.RELEVANCE,
        page=max(1, page),
        page_size=page_size,
        facets=facets,
    )


def resolve_outlets(
    values: Sequence[str], known: Mapping[str, Outlet | None] = _NOTHING_KNOWN
) -> tuple[str, ...]:
    """Outlet slugs; any of them is asked for, so one naming nothing drops out unless it is
    all there is (then it matches nothing)."""
    named = _named(values, known, outlets_named)
    found = {outlet.slug for outlet in named.values() if outlet}
    return tuple(sorted(found or {slugify(value) for value in values}))


def resolve_tags(
    values: Sequence[str], known: Mapping[str, Tag | None] = _NOTHING_KNOWN
) -> tuple[str, ...]:
    """Tag slugs; every tag asked for narrows the search, so one naming nothing keeps a slug
    no tag has and the search matches nothing, as for a place naming nothing."""
    named = _named(values, known, tags_named)
    slugs = {tag.slug if (tag := named[v]) else slugify(v, allow_unicode=True) for v in values}
    return tuple(sorted(slugs))


def resolve_regions(
    values: Sequence[str], known: Mapping[str, Region | None] = _NOTHING_KNOWN
) -> tuple[int, ...]:
    """Region ids for slugs, ids or names ("syria", "Deir ez-Zor"); unknown ones match none."""
    ids: set[int] = set()
    for value in values:
        value = value.strip()
        if value.isascii() and value.isdigit():
            # region:99999999999999999999 in a query is no region, not a database error.
            ids.add(int(value) if int(value) <= MAX_REGION_ID else NO_MATCH_ID)
            continue
        region = known[value] if value in known else Region.objects.named(value)
        ids.add(region.id if region else NO_MATCH_ID)
    return tuple(sorted(ids))


def _named(
    values: Sequence[str],
    known: Mapping[str, _Found | None],
    named_by: Callable[[Sequence[str]], Mapping[str, _Found]],
) -> dict[str, _Found | None]:
    """What each value names (None: nothing): as ``known`` says, else looked up, together."""
    missing = [value for value in dict.fromkeys(values) if value not in known]
    found = named_by(missing) if missing else {}
    return {value: known[value] if value in known else found.get(value) for value in values}


# Which values name something, read as the resolve_ functions read them: the search form
# keeps each value with what it names, and calls a value naming nothing an error. Outlets and
# tags are named as the browse pages name them (archive.filters.outlets_named, tags_named).


def regions_named(values: Sequence[str]) -> dict[str, Region]:
    """Each value that names a place, with the place, read as resolve_regions reads it: digits
    are an id (search links wrote ids before they wrote slugs), else a slug, else a name."""
    values = [value.strip() for value in values]
    if not values:
        return {}
    digits = {value for value in values if value.isascii() and value.isdigit()}
    ids = {value: int(value) for value in digits if int(value) <= MAX_REGION_ID}
    found = {r.id: r for r in Region.objects.filter(Q(slug__in=values) | Q(id__in=ids.values()))}
    by_slug = {region.slug: region for region in found.values()}
    named = {}
    for value in values:
        if value in digits:
            region = found.get(ids.get(value, NO_MATCH_ID))
        elif value in by_slug:
            region = by_slug[value]
        else:
            region = Region.objects.named(value)
        if region:
            named[value] = region
    return named


HIT_DEFERRED_FIELDS = ("body", "summary", "extra")

# What shows a hit (page, API, feed, CSV) never reads the deferred fields: the backend gives
# the snippet. A body is kilobytes, compressed out of line in PostgreSQL. Compiled once: a
# page runs this query with its ten ids every time (archive/compiled.py says what it saves).
hit_articles = CompiledInBulk(
    Article.objects.published()
    .select_related("outlet", "dateline_region")
    .defer(*HIT_DEFERRED_FIELDS)
)


def search(request: SearchRequest, backend: SearchBackend | None = None) -> SearchPage:
    """The page of results for a request, its articles read and its facets labelled; for
    every client alike (portal, API, CSV export, feeds, the search command)."""
    if request.asks_nothing:
        return SearchPage(request=request, results=SearchResults(total=0, hits=[]), articles={})
    backend = backend or get_backend()
    results = backend.search(request)
    articles = hit_articles([hit.article_id for hit in results.hits])
    return SearchPage(
        request=request,
        results=results,
        articles=articles,
        facets=_label_facets(request, results),
    )


def _label_facets(request: SearchRequest, results: SearchResults) -> dict[str, list[FacetOption]]:
    """Facet values with readable labels, each marked active when its filter is on."""
    labels = {
        name: facet_labels.names(name, [facet.value for facet in facets])
        for name, facets in results.facets.items()
    }
    active = {
        "outlet": set(request.outlets),
        "tag": set(request.tags),
        "region": {str(r) for r in request.regions},
        "year": set(),
    }
    if request.date_range and request.date_range.start and request.date_range.end:
        start, end = request.date_range.start, request.date_range.end
        if (start.month, start.day, end.month, end.day) == (
            1,
            1,
            12,
            31,
        ) and start.year == end.year:
            active["year"] = {str(start.year)}
    facets = {
        name: [
            FacetOption(
                value=facet.value,
                label=labels.get(name, {}).get(facet.value, facet.value),
                count=facet.count,
                active=facet.value in active[name],
            )
            for facet in results.facets.get(name, [])
        ]
        for name in results.facets
    }
    # Equal counts in the order a reader scans for: by name (a backend breaks ties by the
    # value it counts, which for places is an id: "114" before "2" mixed continents and
    # cities). Years keep their order.
    for name, options in facets.items():
        if name != "year":
            options.sort(key=lambda option: (-option.count, option.label.casefold()))
    if "region" in facets:
        facets["region"] = _by_region_slug(facets["region"])
    return facets


def _by_region_slug(options: list[FacetOption]) -> list[FacetOption]:
    """Place options valued by slug, the value a filter takes back: the index counts places
    by id (its format stays), readers share the links. A place deleted since it was indexed
    keeps its id, which filters by nothing, as before."""
    slugs = facet_labels.names("region_slug", [option.value for option in options])
    return [replace(option, value=slugs.get(option.value, option.value)) for option in options]


def tags_matching(query: ParsedQuery, articles: Sequence[Article]) -> dict[int, list[str]]:
    """For each article, its tags that hold a word the query searched for (accents and case
    folded): why it was found when neither its title nor its snippet shows a match. One
    query, for the articles asked about only."""
    words = {fold(word) for term in query.terms for word in term.words}
    if not words or not articles:
        return {}
    links = Article.tags.through.objects.filter(article_id__in=[a.pk for a in articles])
    matching: defaultdict[int, list[str]] = defaultdict(list)
    for article_id, name in links.order_by("tag__name").values_list("article_id", "tag__name"):
        if words.intersection(fold(name).split()):
            matching[article_id].append(name)
    return dict(matching)


def shows_a_match(hit: Hit) -> bool:
    """Whether a hit's title or snippet marks a word the query matched."""
    return "<mark>" in hit.title_html or "<mark>" in hit.snippet_html
