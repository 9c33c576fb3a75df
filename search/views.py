"""The public search portal: form → request → search → template."""

import logging
from dataclasses import dataclass
from math import ceil

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import get_language_info
from django.views.decorators.http import require_safe

from search import insight, service
from search.backends.base import SearchBackendError
from search.forms import FILTER_KINDS, MAX_PAGE, SORT_CHOICES, SearchForm, SearchParams
from search.query import only_common_words
from search.service import FacetOption, SearchPage

logger = logging.getLogger(__name__)

TEMPLATE = "search/results.html"
FACET_TITLES = {"outlet": "Outlet", "tag": "Tag", "region": "Place", "year": "Year"}
RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True)
class FacetLink:
    option: FacetOption
    # Adds the filter, or removes it when active. None: active because the query itself
    # asks for it (outlet:rudaw), which only editing the query can undo.
    url: str | None


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    links: list[FacetLink]


@dataclass(frozen=True)
class Pagination:
    number: int
    count: int
    is_estimate: bool
    previous_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class UnknownFilter:
    message: str  # 'There is no tag "raqa".'
    removal_url: str  # the search without it


@require_safe
def results(request):
    form = SearchForm(request.GET)
    params = form.params()
    context = {
        "params": params,
        "sort_choices": SORT_CHOICES,
        "feed_url": params.feed_url(),
        "unknown_filters": unknown_filters(form, params),
    }
    if params.is_blank:
        return render(request, TEMPLATE, context)
    search_request = params.search_request(page_size=settings.ARTICLES_PER_PAGE)
    if search_request.asks_nothing:
        # Punctuation or wildcards alone ("-", "*") ask for nothing: not the whole archive.
        return render(request, TEMPLATE, {**context, "nothing_asked": True})
    try:
        page = service.search(search_request)
    except SearchBackendError as error:
        logger.warning("Search is unavailable: %s", error)
        response = render(request, TEMPLATE, {**context, "unavailable": True}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    insight.log_search(params, page.results.total)
    picks = insight.editors_picks(params.q) if params.page == 1 and params.q else []
    picked = {article.pk for article in picks}
    # Shown first as picks, not again among the hits; none past the deepest page.
    hits = [(hit, article) for hit, article in page.hits if article.pk not in picked]
    if params.page > MAX_PAGE:
        hits = []
    unmarked = [article for hit, article in hits if not service.shows_a_match(hit)]
    suggestion = page.results.suggestion
    return render(
        request,
        TEMPLATE,
        {
            **context,
            "page": page,
            "picks": picks,
            "hits": hits,
            "matched_tags": service.tags_matching(search_request.query, unmarked),
            "facet_groups": facet_groups(params, page),
            "pagination": pagination(params, page),
            "suggestion_url": params.with_query(suggestion).url() if suggestion else None,
            "export_url": params.export_url(),
            "clear_filters_url": params.without_filters().url() if params.has_filters else None,
            "only_common_words": only_common_words(search_request.query),
        },
    )


def unknown_filters(form: SearchForm, params: SearchParams) -> list[UnknownFilter]:
    """Each filter value that names no outlet, tag or place (the form's errors): it matches
    nothing, and the page says so, with a link to the search without it, rather than a bare
    "no results" a reader would take for the archive's answer."""
    errors = form.errors.as_data()
    return [
        UnknownFilter(error.messages[0], params.without_value(kind, error.params["value"]).url())
        for kind in FILTER_KINDS
        for error in errors.get(kind, [])
    ]


def facet_groups(params: SearchParams, page: SearchPage) -> list[FacetGroup]:
    groups = []
    if params.language:
        # Not a facet the backends count, but a filter that must be removable like one.
        language = FacetOption(
            value=params.language,
            label=_language_name(params.language),
            count=page.results.total,
            active=True,
        )
        remove = FacetLink(language, params.without_language().url())
        groups.append(FacetGroup("language", "Language", [remove]))
    for name, title in FACET_TITLES.items():
        options = page.facets.get(name, [])
        if options:
            groups.append(FacetGroup(name, title, _facet_links(params, name, options)))
    return groups


def _facet_links(params: SearchParams, name: str, options: list[FacetOption]) -> list[FacetLink]:
    if name == "year":
        return _year_links(params, options)
    adding = [option.value for option in options if not option.active]
    urls = dict(zip(adding, params.urls_with_each(name, adding), strict=True))
    return [
        FacetLink(
            option, _removal_url(params, name, option) if option.active else urls[option.value]
        )
        for option in options
    ]


def _year_links(params: SearchParams, options: list[FacetOption]) -> list[FacetLink]:
    adding = [o.value for o in options if not o.active and _is_year(o.value)]
    urls = dict(zip(adding, params.urls_for_years([int(y) for y in adding]), strict=True))
    return [
        FacetLink(
            option,
            (params.without_dates().url() if params.year == option.value else None)
            if option.active
            else urls.get(option.value),
        )
        for option in options
    ]


def _is_year(value: str) -> bool:
    return value.isascii() and value.isdigit() and 0 < int(value) < 10_000


def _removal_url(params: SearchParams, name: str, option: FacetOption) -> str | None:
    """The search without an active filter; None when the query itself asks for it."""
    if option.value in params.values(name):
        return params.without_value(name, option.value).url()
    return None


def _language_name(code: str) -> str:
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def pagination(params: SearchParams, page: SearchPage) -> Pagination | None:
    results, size = page.results, page.request.page_size
    count = min(max(1, ceil(results.total / size)), MAX_PAGE)
    if count == 1 and params.page == 1:
        return None
    number = params.page
    return Pagination(
        number=number,
        count=count,
        is_estimate=results.total_is_estimate,
        previous_url=params.on_page(min(number - 1, count)).url() if number > 1 else None,
        next_url=params.on_page(number + 1).url() if number < count else None,
    )
