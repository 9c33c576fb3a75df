"""The query language: anything a reader types parses (never raises) into a bounded query
of clean words, and the grammar's own forms parse as the README says."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from search.query import MAX_TERMS, MAX_WORD_LENGTH, ParsedQuery, parse_query
from tests.properties.strategies import BOUNDED, hostile_text, reader_queries


@BOUNDED
@given(st.one_of(hostile_text, reader_queries, st.text(min_size=900, max_size=1500)))
def test_anything_a_reader_types_parses_into_a_bounded_query(text):
    query = parse_query(text)
    assert isinstance(query, ParsedQuery)
    assert len(query.groups) + len(query.excluded) <= MAX_TERMS
    for term in (*query.terms, *query.excluded):
        assert term.words
        for word in term.words:
            assert word
            assert len(word) <= MAX_WORD_LENGTH
            assert not any(ch.isspace() or not ch.isprintable() for ch in word)
    for value in (*query.outlets, *query.tags, *query.regions, *query.languages):
        assert value == value.strip()
        assert value
    if query.date_range:
        for day in (query.date_range.start, query.date_range.end):
            assert day is None or isinstance(day, date)
    assert query.without_filters().groups == query.groups


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)


@BOUNDED
@given(st.lists(words, min_size=1, max_size=5), st.lists(words, min_size=2, max_size=3), words)
def test_words_phrases_or_and_exclusions_parse_as_documented(plain, phrase, excluded):
    query = parse_query(
        f'{" ".join(plain)} "{" ".join(phrase)}" a OR b -{excluded} title:{plain[0]}'
    )
    texts = [[term.text for term in group] for group in query.groups]
    assert texts[: len(plain)] == [[word] for word in plain]
    assert texts[len(plain)] == [" ".join(phrase)]
    assert texts[len(plain) + 1] == ["a", "b"]
    assert [term.text for term in query.excluded] == [excluded]
    assert query.groups[-1][0].field == "title"


@BOUNDED
@given(
    st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)),
    st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)),
)
def test_a_date_range_parses_inclusive_in_either_order(first, second):
    query = parse_query(f"date:{first.isoformat()}..{second.isoformat()}")
    assert query.date_range.start == min(first, second)
    assert query.date_range.end == max(first, second)
    assert not query.has_text
