"""Every backend answers any query a reader can type, with any filters, sort and page, on a
real index: results, never an exception (the index is healthy, so not even
SearchUnavailable: nothing a reader types is an error)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.http import QueryDict
from hypothesis import example, given
from hypothesis import strategies as st

from search.backends import load_backend
from search.backends.base import SearchResults
from search.documents import iter_all_documents
from search.forms import SearchForm
from tests.factories import make_article, make_outlet, make_tag
from tests.properties.strategies import WITH_FIXTURES, printable_text, reader_queries

# As the contract tests: Whoosh on every database, the PostgreSQL backend where it can run.
BACKENDS = ["whoosh", "postgres"] if connection.vendor == "postgresql" else ["whoosh"]


@pytest.fixture(params=BACKENDS)
def backend(request, db, tmp_path):
    """A small real index of the backend: Whoosh in a directory, PostgreSQL in the test
    database."""
    rudaw, wire = make_outlet("Rudaw"), make_outlet("Wire")
    raqqa, oil = make_tag("Raqqa"), make_tag("Oil")
    texts = [
        ("Syrian army fights into Deir ez-Zor", "Forces advanced through the desert."),
        ("Offensive on Raqqa enters final phase", "Fighters pushed into the old city."),
        ("Iraq's oil exports rise", "The ministry said exports rose in August."),
        ("Budget <script>alert(1)</script> debate", "The <b>budget</b> debate went on."),
    ]
    for number, (title, body) in enumerate(texts):
        make_article(
            rudaw if number % 2 else wire,
            title=title,
            body=body,
            published_at=datetime(2015 + number, 8, 15, tzinfo=UTC),
            tags=[raqqa] if number % 2 else [oil],
            language="en",
        )
    if request.param == "whoosh":
        instance = load_backend("whoosh", index_dir=tmp_path / "index")
    else:
        instance = load_backend("postgres")
    instance.rebuild(iter_all_documents())
    return instance


# What a reader can put in the search page's URL (Django decodes it with errors replaced:
# any text but lone surrogates), well-formed or not.
parameter_values = st.one_of(
    printable_text,
    st.sampled_from(["rudaw", "raqqa", "1", "0", "2017-08-15", "99999999999999999999"]),
)


@WITH_FIXTURES
@given(
    q=st.one_of(reader_queries, printable_text),
    parameters=st.dictionaries(
        st.sampled_from(["outlet", "tag", "region", "language", "from", "to", "sort", "page"]),
        st.lists(parameter_values, max_size=3),
    ),
)
# A region id in the query too large for a bigint: PostgreSQL refused the statement, and
# the reader got "search is unavailable".
@example(q="region:99999999999999999999", parameters={})
@example(q="raqqa region:99999999999999999999 date:9999", parameters={})
def test_any_search_a_reader_can_ask_gets_results(backend, q, parameters):
    query = QueryDict(mutable=True)
    query["q"] = q
    for name, values in parameters.items():
        query.setlist(name, values)
    params = SearchForm(query).params()

    results = backend.search(params.search_request(page_size=10))

    assert isinstance(results, SearchResults)
    assert results.total >= len(results.hits)
    for hit in results.hits:
        assert "<script>" not in hit.title_html + hit.snippet_html
