"""What the properties generate: hostile text, and good records to hide among bad ones.

Examples are bounded (``BOUNDED``, ``SLOW``) so the suite stays fast; a failure hypothesis
finds is kept in its example database and replayed first on the next run, and each bug
found so far is pinned as an ``@example`` beside the property that found it.
"""

import json
import os
from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# PROPERTY_EXAMPLES_SCALE=20 searches twenty times as long, when hunting rather than testing.
SCALE = max(1, int(os.environ.get("PROPERTY_EXAMPLES_SCALE", "1")))
BOUNDED = settings(
    max_examples=60 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# For parsers that cost milliseconds an example (trafilatura, a database round trip).
SLOW = settings(BOUNDED, max_examples=20 * SCALE)
# With a pytest fixture (the database, an index): the fixture is shared by the examples of
# one test, which the test allows for (it cleans up or only reads).
WITH_FIXTURES = settings(
    SLOW, suppress_health_check=[*SLOW.suppress_health_check, HealthCheck.function_scoped_fixture]
)

# Any code point, lone surrogates and control characters included: what a hostile or
# broken source can put in a JSON string ("\ud800", "\u0000").
# Generated rarely by chance, so named: NUL, a lone surrogate, line and paragraph
# separators, a byte order mark, a combining accent, a right-to-left override.
NASTY_CHARACTERS = [
    "\x00",
    "\ud800",
    "\udfff",
    "\x1c",
    "\x85",
    "\u2028",
    "\ufeff",
    "\u0301",
    "\u202e",
]
hostile_text = st.text(
    st.characters(exclude_categories=[]) | st.sampled_from(NASTY_CHARACTERS), max_size=60
)
# Any text that can be written as UTF-8 (no lone surrogates): what a file can hold.
printable_text = st.text(
    st.characters(codec="utf-8") | st.sampled_from(NASTY_CHARACTERS[:1] + NASTY_CHARACTERS[3:]),
    max_size=60,
)

_letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
words = st.lists(_letters, min_size=1, max_size=8).map(" ".join)
sentence = st.lists(_letters, min_size=8, max_size=14).map(lambda w: " ".join(w).capitalize() + ".")
paragraphs = st.lists(sentence, min_size=1, max_size=4)
publication_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))

# JSON as the standard has it, and as Python also writes and reads it (NaN, Infinity).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=6,
)
loose_json_values = st.recursive(
    st.floats() | json_values,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=6,
)
# Dates as sources print them, well-formed or not, in range or not.
date_texts = st.one_of(
    hostile_text,
    publication_dates.map(date.isoformat),
    st.sampled_from(
        [
            "15-08-2017",
            "08/15/2017",
            "August 15, 2017",
            "Tue, 15 Aug 2017 10:00:00 +0300",
            "2017-08-15T10:00:00+03:00",
            "0002-01-01",
            "9999-12-31",
            "9999-12-31T23:59:59-14:00",
            "1000-01-01T00:00:00+14:00",
            "31-02-2017",
            "2017",
        ]
    ),
)


@st.composite
def good_records(draw) -> dict:
    """A JSON Lines record every reader must accept."""
    return {
        "title": f"Good story {draw(words)}",
        "body": "\n\n".join(draw(paragraphs)),
        "published": draw(publication_dates).isoformat(),
        "outlet": "Wire",
        "tags": draw(st.lists(words, max_size=3)),
    }


def numbered(record: dict, number: int, url_suffix: str = "") -> dict:
    """The record made unique in a file: its title and address carry its number."""
    return {
        **record,
        "title": f"{number} {record['title']}",
        "url": f"https://wire.example.com/story/{number}{url_suffix}",
    }


def bad_records() -> st.SearchStrategy[dict]:
    """JSON objects with any keys the schema knows, holding anything at all."""
    fields = ("title", "body", "published", "outlet", "url", "tags", "dateline", "language")
    return st.fixed_dictionaries(
        {},
        optional={name: loose_json_values | date_texts for name in (*fields, "summary", "extra")},
    )


def bad_lines() -> st.SearchStrategy[bytes]:
    """One line that is not a good record: bytes, text, JSON of the wrong shape.

    None starts as another format's file does ("<", "WARC/", gzip's magic number): a file
    is told by its first bytes (archive.ingest.sources), and one that starts as HTML is
    read as HTML, whatever lines follow.
    """
    return (
        st.one_of(
            st.binary(max_size=60),
            printable_text.map(str.encode),
            loose_json_values.map(lambda value: json.dumps(value).encode()),
            bad_records().map(lambda record: json.dumps(record).encode()),
        )
        .map(lambda line: line.replace(b"\n", b" ").replace(b"\r", b" "))
        .filter(lambda line: not _starts_like_another_format(line))
    )


def _starts_like_another_format(line: bytes) -> bool:
    start = line.lstrip(b"\xef\xbb\xbf").lstrip()
    return start.startswith((b"<", b"WARC/")) or line.startswith(b"\x1f\x8b")


@st.composite
def hostile_good_records(draw) -> dict:
    """A good record (title, body, date and outlet all there) carrying hostile text in
    every field: the schema accepts it, so the archive must be able to store it."""
    record = draw(good_records())
    record["title"] += " " + draw(hostile_text)
    record["body"] += "\n\n" + draw(hostile_text)
    for name in ("summary", "dateline"):
        record[name] = draw(hostile_text)
    # The schema takes a language code or nothing (other text rejects the record, as
    # bad_records may hold): any code, in any case, with the blanks around it a source leaves.
    record["language"] = draw(
        st.sampled_from(["", " ", "en", "FIL", " pt-BR ", "zh_Hant_TW", "es-419"])
    )
    record["url_suffix"] = "?q=" + draw(hostile_text)
    record["tags"] = draw(st.lists(hostile_text, max_size=3))
    record["outlet"] = "Wire " + draw(hostile_text)
    record["extra"] = draw(json_values)
    record[draw(hostile_text)] = draw(json_values)
    return record


QUERY_OPERATORS = [
    *'"-:*()\\',
    "OR",
    "title:",
    "outlet:",
    "tag:",
    "region:",
    "date:",
    "after:",
    "before:",
    "lang:",
    "..",
    "99999999999999999999999",
]
# Query text as readers type it, operators and all, well-formed or not.
# Query text as readers type it, operators and all, glued to words or not, well-formed or not.
reader_queries = st.lists(
    st.tuples(
        st.one_of(
            hostile_text,
            _letters,
            st.sampled_from(QUERY_OPERATORS),
            st.from_regex(r"\d{1,5}(-\d{1,3}){0,2}", fullmatch=True),
        ),
        st.sampled_from(["", " "]),
    ),
    max_size=12,
).map(lambda parts: "".join(part + separator for part, separator in parts))
