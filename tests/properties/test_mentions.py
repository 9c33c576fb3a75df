"""The place-name scan's faster pattern finds the capitalised words the first one did."""

import re

from hypothesis import example, given
from hypothesis import strategies as st

from archive.mentions import _CAPITALISED_WORD, _UPPER
from tests.properties.strategies import BOUNDED, hostile_text

AS_FIRST_WRITTEN = re.compile(rf"(?<![^\W_])[{_UPPER}\u0370-\u03ff\u0400-\u04ff][^\W_]*")

names_in_text = st.text(st.sampled_from("aZÉéΑαДд1_ -'\n\t.,’x"), max_size=60)


@BOUNDED
@given(hostile_text | names_in_text)
@example("Deir ez-Zor, xAbc _Abc 1A éA\nΑΒΓ Дамаск")
def test_capitalised_words_are_those_the_first_pattern_found(text):
    spans = [match.span() for match in _CAPITALISED_WORD.finditer(text)]
    assert spans == [match.span() for match in AS_FIRST_WRITTEN.finditer(text)]
