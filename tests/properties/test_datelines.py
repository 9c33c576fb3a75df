"""The dateline parser: any paragraph splits into a dateline (or none) and the rest, and
the dateline is always the paragraph's own opening words."""

from hypothesis import given
from hypothesis import strategies as st

from archive.datelines import Dateline, split_dateline
from archive.ingest.normalise import parse_dateline
from tests.properties.strategies import BOUNDED, hostile_text, sentence

PLACES = ["ERBIL", "BAGHDAD", "Deir ez-Zor", "Paris", "RIO DE JANEIRO", "al-Qaim"]
QUALIFIERS = ["", "Kurdistan Region", "Iraq", "3 May"]
AGENCIES = ["", "Reuters", "AFP", "AP"]
SEPARATORS = [" – ", " - ", " — ", "—", ": ", " -- "]


@BOUNDED
@given(hostile_text)
def test_any_paragraph_splits_into_a_dateline_or_none_and_the_rest(paragraph):
    dateline, rest = split_dateline(paragraph)
    if dateline is None:
        assert rest == paragraph
    else:
        assert rest
        assert paragraph.endswith(rest)
        assert paragraph.lstrip().startswith(dateline.printed)
        assert dateline.place
        assert dateline.place in dateline.printed


@BOUNDED
@given(hostile_text)
def test_any_printed_dateline_reads_or_is_none(printed):
    dateline = parse_dateline(printed)
    assert dateline is None or isinstance(dateline, Dateline)


@BOUNDED
@given(
    st.sampled_from(PLACES),
    st.sampled_from(QUALIFIERS),
    st.sampled_from(AGENCIES),
    st.sampled_from(SEPARATORS),
    sentence,
)
def test_a_printed_dateline_is_split_from_its_paragraph(place, qualifier, agency, separator, text):
    head = place + (f", {qualifier}" if qualifier else "") + (f" ({agency})" if agency else "")
    dateline, rest = split_dateline(f"{head}{separator}{text}")
    assert dateline is not None
    assert (dateline.printed, dateline.place, dateline.agency) == (head, place, agency)
    assert dateline.qualifier == ("" if qualifier == "3 May" else qualifier)
    assert rest == text
