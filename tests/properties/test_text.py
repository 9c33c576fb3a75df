"""The faster spellings of text folding, content hashing and a snippet's first words give
what the plain ones did: a content hash is stored, and compared with those of articles
saved before the change."""

import hashlib
import re
import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from archive.text import content_hash, fold, fold_words, storable, tidy
from search.backends.base import first_words
from tests.properties.strategies import BOUNDED, hostile_text, printable_text

_SPACES = re.compile(r"\s+")
_BLANKS = re.compile(r"[ \t\u00a0]+")
_PUNCTUATION_AS_SPACE = re.compile("[\\-\u2010-\u2015\u2212'’`ʼʻ.,()/]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")

# News text: mostly ASCII words and punctuation, with some accents, dashes, curly quotes,
# no-break spaces, line ends and the odd control character or surrogate (the fast paths
# work on such text; the hostile strategies above are mostly far from ASCII).
news_like_text = st.text(
    st.sampled_from("abcXYZ019 ,.'-()/`\t\n")
    | st.sampled_from("\u2010\u2011\u2012\u2013\u2014\u2015\u2212’ʼʻ")
    | st.sampled_from("éÉüç\u00a0\u2212\u2011\u0301\u3000\u2028\x00\x1f\x85\x9f\ud800ﬁ"),
    max_size=80,
)


# Bodies: long enough to be folded run by run (archive.text._WHOLE_TEXT_BELOW), with runs
# of other characters at the start, inside and at the end.
body_like_text = (
    st.lists(
        st.sampled_from(["The army advanced on the city. ", "A" * 300, "x\n\n"])
        | hostile_text
        | news_like_text,
        min_size=2,
        max_size=8,
    )
    .map("".join)
    .filter(lambda text: len(text.encode("utf-8", "surrogatepass")) >= 256)
)


def fold_as_first_written(text: str) -> str:
    without_marks = _NON_ASCII.sub(
        lambda run: "".join(ch for ch in run.group() if not unicodedata.combining(ch)),
        unicodedata.normalize("NFKD", text),
    )
    return _SPACES.sub(" ", _PUNCTUATION_AS_SPACE.sub(" ", without_marks.casefold())).strip()


def storable_as_first_written(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))


def tidy_as_first_written(text: str) -> str:
    normalised = unicodedata.normalize("NFC", storable_as_first_written(text))
    return "\n".join(_BLANKS.sub(" ", line).strip() for line in normalised.splitlines())


def content_hash_as_first_written(title: str, body: str) -> str:
    canonical = _SPACES.sub(" ", f"{title}\n{body}".casefold()).strip()
    return hashlib.sha256(unicodedata.normalize("NFC", canonical).encode()).hexdigest()


@BOUNDED
@given(printable_text, printable_text)
@example("Déir ez-Zor\u00a0 news", "\u2028line\x1c\x1f\u3000end\u0085 ")  # odd white space
def test_the_content_hash_is_the_one_first_written(title, body):
    assert content_hash(title, body) == content_hash_as_first_written(title, body)


@BOUNDED
@given(hostile_text | body_like_text)
@example("DEIR  EZ–ZOR,\u00a0Syria's (east)\u2029/ Raqqa")
def test_folded_words_are_the_words_of_the_folded_text(text):
    assert fold_words(text) == fold(text).split()


@BOUNDED
@given(hostile_text | news_like_text | body_like_text)
@example("Déir ez–Zor’s ﬁeld (east)/Raqqa ‐ “ok” Hawaiʻi")
@example("É" + "Deir ez-Zor and İstanbul, Ｒａｑｑａ ½ e\u0301 " * 20 + "ﬁ")
def test_folding_is_the_folding_first_written(text):
    assert fold(text) == fold_as_first_written(text)
    assert fold_words(text) == fold_as_first_written(text).split()


@BOUNDED
@given(hostile_text | news_like_text)
@example("plain ASCII, nothing to change")
@example("한국어 \ud7a3 and a C1 control \x85 after a no-break\u00a0space \ud800")
def test_storable_and_tidy_are_as_first_written(text):
    assert storable(text) == storable_as_first_written(text)
    assert tidy(text) == tidy_as_first_written(text)


@BOUNDED
@given(news_like_text | hostile_text, st.integers(min_value=0, max_value=6))
@example("one two three  ", 3)
@example("one two three four", 3)
@example(" \u3000", 0)
def test_a_snippets_first_words_are_those_of_splitting_the_whole_text(text, count):
    """first_words splits off only the words it shows; splitting the whole body, as it did
    before, gives the same snippet."""
    words = text.split()
    assert first_words(text, count) == " ".join(words[:count]) + (
        " …" if len(words) > count else ""
    )
