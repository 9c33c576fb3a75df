"""Links to other searches: the facet links' query strings, encoded once around the value
that differs, are the ones SearchParams.with_value writes link by link."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from search.forms import FILTER_KINDS, SearchParams
from tests.properties.strategies import BOUNDED, hostile_text


def from_a_request(text: str) -> bool:
    """What a request's decoded query string can hold: no lone surrogate, no NUL (the form
    refuses it)."""
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


values = st.one_of(
    st.sampled_from(["rudaw", "oil-exports", "Deir ez-Zor", "1234", "a&b=c", "ç/é?#"]),
    hostile_text.filter(from_a_request),
)
value_tuples = st.lists(values, max_size=3).map(tuple)
params = st.builds(
    SearchParams,
    q=st.one_of(st.just(""), hostile_text.filter(from_a_request)),
    outlets=value_tuples,
    tags=value_tuples,
    regions=value_tuples,
    language=st.sampled_from(["", "en", "ar"]),
    date_from=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 1, 1))),
    date_to=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 1, 1))),
    sort=st.sampled_from(["", "relevance", "newest", "oldest"]),
    page=st.integers(1, 50),
)


@BOUNDED
@given(params, st.sampled_from(FILTER_KINDS), st.data())
def test_links_adding_each_value_are_the_ones_with_value_writes(search, kind, data):
    # Facet values, and sometimes a value the search already filters on.
    candidates = st.one_of(values, st.sampled_from(search.values(kind) or ("rudaw",)))
    facet_values = data.draw(st.lists(candidates, max_size=8))
    assert search.urls_with_each(kind, facet_values) == [
        search.with_value(kind, value).url() for value in facet_values
    ]


@BOUNDED
@given(params, st.lists(st.integers(1, 9999), max_size=12))
def test_links_to_each_year_are_the_ones_for_year_writes(search, years):
    assert search.urls_for_years(years) == [search.for_year(year).url() for year in years]
