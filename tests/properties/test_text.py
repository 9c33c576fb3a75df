"""The faster spellings of text folding and content hashing give what the plain ones did:
a content hash is stored, and compared with those of articles saved before the change."""

import hashlib
import re
import unicodedata

from hypothesis import example, given

from archive.text import content_hash, fold, fold_words
from tests.properties.strategies import BOUNDED, hostile_text, printable_text

_SPACES = re.compile(r"\s+")


def content_hash_as_first_written(title: str, body: str) -> str:
    canonical = _SPACES.sub(" ", f"{title}\n{body}".casefold()).strip()
    return hashlib.sha256(unicodedata.normalize("NFC", canonical).encode()).hexdigest()


@BOUNDED
@given(printable_text, printable_text)
@example("Déir ez-Zor\u00a0 news", "\u2028line\x1c\x1f\u3000end\u0085 ")  # odd white space
def test_the_content_hash_is_the_one_first_written(title, body):
    assert content_hash(title, body) == content_hash_as_first_written(title, body)


@BOUNDED
@given(hostile_text)
@example("DEIR  EZ–ZOR,\u00a0Syria's (east)\u2029/ Raqqa")
def test_folded_words_are_the_words_of_the_folded_text(text):
    assert fold_words(text) == fold(text).split()
