"""The WARC reader: any bytes give records or IngestErrors, and every good page in an
archive comes out whatever the records around it hold."""

import io

from hypothesis import given
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.records import ReadContext
from archive.ingest.warc import read_warc
from tests.properties.strategies import BOUNDED, SLOW, sentence


def read(raw: bytes) -> list[ArticleData | IngestError]:
    return list(read_warc(io.BytesIO(raw), "crawl.warc", ReadContext()))


@BOUNDED
@given(st.binary(max_size=400))
def test_any_bytes_give_records_or_ingest_errors(raw):
    assert all(isinstance(record, ArticleData | IngestError) for record in read(raw))


def page(title: str, body: list[str]) -> bytes:
    return (
        f"<html><head><title>{title}</title><meta property='og:site_name' content='Wire'>"
        "<meta property='article:published_time' content='2017-08-15T10:00:00+03:00'>"
        f"</head><body><article><h1>{title}</h1>"
        + "".join(f"<p>{paragraph}</p>" for paragraph in body)
        + "</article></body></html>"
    ).encode()


CONTENT_TYPES = [
    "text/html",
    "text/html; charset=nonsense",
    "text/html; charset=utf-16",
    "text/html; charset=",
    'TEXT/HTML;charset="latin-1"',
    "text/html; charset=base64",
    "image/png",
]
good_pages = st.lists(sentence, min_size=3, max_size=5, unique=True).map(
    lambda body: ("good", body)
)
bad_payloads = st.tuples(st.sampled_from(CONTENT_TYPES), st.binary(max_size=300))


def warc(records: list[tuple[str, str, bytes]], gzipped: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    for uri, content_type, payload in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.0")
        writer.write_record(
            writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(payload),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2017-08-16T12:00:00Z"},
            )
        )
    return buffer.getvalue()


@SLOW
@given(st.lists(st.one_of(good_pages, bad_payloads), max_size=6), st.booleans())
def test_every_good_page_comes_out_whatever_its_neighbours(items, gzipped):
    records = []
    for number, (kind, content) in enumerate(items, start=1):
        uri = f"https://wire.example.com/{number}"
        if kind == "good":
            records.append((uri, "text/html; charset=utf-8", page(f"Page {number}", content)))
        else:
            records.append((uri, kind, content))
    read_back = read(warc(records, gzipped))

    assert all(isinstance(record, ArticleData | IngestError) for record in read_back)
    titles = {record.title for record in read_back if isinstance(record, ArticleData)}
    wanted = {f"Page {n}" for n, (kind, _) in enumerate(items, start=1) if kind == "good"}
    assert wanted <= titles, [
        str(record) for record in read_back if isinstance(record, IngestError)
    ]
