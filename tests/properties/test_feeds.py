"""The RSS/Atom reader: any bytes give records or IngestErrors, and every good entry comes
out whatever the entries around it hold."""

from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.feeds import read_feed
from archive.ingest.records import ReadContext
from tests.properties.strategies import BOUNDED, date_texts, paragraphs, printable_text, words

# feedparser warns each time "updated" stands in for a missing "published"; it is read
# as the fallback on purpose (archive.ingest.feeds._published).
pytestmark = pytest.mark.filterwarnings(
    "ignore:To avoid breaking existing software:DeprecationWarning"
)


def read(raw: bytes) -> list[ArticleData | IngestError]:
    return list(read_feed(raw, "feed.xml", ReadContext()))


@BOUNDED
@given(st.binary(max_size=400))
def test_any_bytes_give_records_or_ingest_errors(raw):
    assert all(isinstance(record, ArticleData | IngestError) for record in read(raw))


good_items = st.tuples(words, paragraphs)
bad_items = st.one_of(
    printable_text.map(lambda text: f"<item><description>{escape(text)}</description></item>"),
    printable_text.map(lambda text: f"<item><title>{escape(text)}</title></item>"),
    date_texts.map(
        lambda text: (
            "<item><title>Dated</title><description>Words.</description>"
            f"<pubDate>{escape(text.replace(chr(0), ''))}</pubDate></item>"
        )
    ),
    printable_text.map(lambda text: f"<item><title>Raw</title><description>{text}</description>"),
    printable_text.map(lambda text: f"<item>{text}</item>"),
)


def rss(items: list[str]) -> bytes:
    channel = "".join(items)
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Wire</title>"
        f"{channel}</channel></rss>"
    ).encode("utf-8", "replace")


def good_item(number: int, title: str, body: list[str]) -> str:
    markup = escape("".join(f"<p>{paragraph}</p>" for paragraph in body))
    return (
        f"<item><title>{number} {title}</title><link>https://wire.example.com/{number}</link>"
        f"<description>{markup}</description>"
        "<pubDate>Tue, 15 Aug 2017 10:00:00 +0300</pubDate></item>"
    )


@BOUNDED
@given(st.lists(st.one_of(good_items, bad_items), max_size=8))
# Dates whose year in UTC is 10000 or 0 (fromtimestamp's ValueError escaped the reader and
# ended the ingest), and the year 1 (the near-duplicate window overflowed when saving).
@example(
    [
        "<item><title>T</title><description>W</description>"
        "<pubDate>9999-12-31T23:59:59-14:00</pubDate></item>"
    ]
)
@example(
    [
        "<item><title>T</title><description>W</description>"
        "<pubDate>0001-01-01T00:00:00+14:00</pubDate></item>"
    ]
)
@example(
    [
        "<item><title>T</title><description>W</description>"
        "<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>"
    ]
)
def test_every_good_entry_comes_out_whatever_its_neighbours(items):
    rendered = [
        good_item(number, *item) if isinstance(item, tuple) else item
        for number, item in enumerate(items, start=1)
    ]
    records = read(rss(rendered))

    assert all(isinstance(record, ArticleData | IngestError) for record in records)
    titles = {record.title for record in records if isinstance(record, ArticleData)}
    wanted = {f"{n} {item[0]}" for n, item in enumerate(items, start=1) if isinstance(item, tuple)}
    assert wanted <= titles
    for record in records:
        if isinstance(record, ArticleData):
            assert datetime(1000, 1, 1, tzinfo=UTC) <= record.published_at
            assert record.published_at < datetime(9999, 1, 1, tzinfo=UTC)
