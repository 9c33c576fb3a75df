"""The JSON Lines reader: any bytes give records or IngestErrors, one per line at most, and
every good line comes out whatever the lines around it hold."""

import io
import json

from hypothesis import example, given
from hypothesis import strategies as st

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.jsonl import read_jsonl
from archive.ingest.records import ReadContext
from tests.properties.strategies import BOUNDED, bad_lines, good_records, numbered


def read(raw: bytes) -> list[ArticleData | IngestError]:
    return list(read_jsonl(io.BytesIO(raw), "feed.jsonl", ReadContext()))


@BOUNDED
@given(st.binary(max_size=300))
def test_any_bytes_give_records_or_ingest_errors(raw):
    records = read(raw)
    assert all(isinstance(record, ArticleData | IngestError) for record in records)
    assert len(records) <= len(raw.splitlines())


@BOUNDED
@given(
    st.lists(
        st.one_of(good_records().map(lambda record: ("good", record)), bad_lines()),
        max_size=10,
    ),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
# A line that is not UTF-8 after a good one: the text wrapper decoded ahead, so the good
# line was lost with it and reading stopped there.
@example(
    [("good", {"title": "A", "body": "B", "published": "2017-08-15", "outlet": "W"}), b"\x80"],
    b"\n",
)
# NaN and Infinity: Python's json reads them; a JSON column refused them and the batch failed.
@example(
    [b'{"title": "A", "body": "B", "published": "2017-08-15", "outlet": "W", "x": NaN}'], b"\n"
)
def test_every_good_line_comes_out_whatever_its_neighbours(lines, line_end):
    items = [
        ("good", numbered(line[1], number)) if isinstance(line, tuple) else ("bad", line)
        for number, line in enumerate(lines, start=1)
    ]
    raw = line_end.join(
        json.dumps(item).encode() if kind == "good" else item for kind, item in items
    )
    records = read(raw)

    titles = {record.title for record in records if isinstance(record, ArticleData)}
    assert {item["title"] for kind, item in items if kind == "good"} <= titles
    for error in (record for record in records if isinstance(record, IngestError)):
        assert error.line is not None
        assert 1 <= error.line <= len(items)
        assert items[error.line - 1][0] == "bad", "a good line was reported as bad"


def test_nan_and_infinity_are_not_json():
    [error] = read(b'{"title": "A", "body": "B", "published": "2017", "outlet": "W", "n": NaN}')
    assert isinstance(error, IngestError)
    assert "NaN is not a JSON value" in error.reason
