"""Opening sources: any file, gzipped, truncated or not, opens with a format or gives an
IngestError, and reading it gives records or IngestErrors; gzip changes nothing read."""

import gzip
import json

from hypothesis import example, given
from hypothesis import strategies as st

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.pipeline import read_source
from archive.ingest.records import ReadContext
from archive.ingest.sources import Format, detect_format, open_source
from tests.properties.strategies import BOUNDED, bad_lines, good_records, numbered

FORMAT_STARTS = [
    b"",
    b"{",
    b"<rss>",
    b"<feed",
    b"<html>",
    b"WARC/1.0\r\n",
    b"\xef\xbb\xbf",
    b"  \n",
]


def read_file(path) -> list[ArticleData | IngestError]:
    try:
        source = open_source(str(path))
    except IngestError as error:
        return [error]
    with source.stream:
        return list(read_source(source, ReadContext()))


@BOUNDED
@given(
    start=st.sampled_from(FORMAT_STARTS),
    rest=st.binary(max_size=300),
    gzipped=st.booleans(),
    cut=st.none() | st.integers(min_value=0, max_value=400),
)
@example(start=b"", rest=b"\x1f\x8b", gzipped=False, cut=None)  # gzip's magic, nothing after
def test_any_file_opens_and_reads_to_records_or_ingest_errors(
    tmp_path_factory, start, rest, gzipped, cut
):
    content = start + rest
    if gzipped:
        content = gzip.compress(content)
    path = tmp_path_factory.mktemp("source") / "file"
    path.write_bytes(content[:cut])
    assert all(isinstance(record, ArticleData | IngestError) for record in read_file(path))


def titles(records) -> list[str]:
    return [record.title for record in records if isinstance(record, ArticleData)]


@BOUNDED
@given(st.lists(st.one_of(good_records(), bad_lines()), min_size=1, max_size=6))
def test_gzip_is_read_as_the_file_itself_would_be(tmp_path_factory, lines):
    content = b"\n".join(
        json.dumps(numbered(line, n)).encode() if isinstance(line, dict) else line
        for n, line in enumerate(lines, start=1)
    )
    folder = tmp_path_factory.mktemp("sources")
    (folder / "plain").write_bytes(content)
    (folder / "zipped").write_bytes(gzip.compress(content))

    plain, zipped = read_file(folder / "plain"), read_file(folder / "zipped")
    assert titles(zipped) == titles(plain)
    assert [error.reason for error in zipped if isinstance(error, IngestError)] == [
        error.reason for error in plain if isinstance(error, IngestError)
    ]


@BOUNDED
@given(st.lists(bad_lines(), min_size=1, max_size=4), good_records())
def test_json_lines_whose_first_lines_are_damaged_are_still_json_lines(bad, good):
    # Told from the first byte only, the file was a "saved page" and every record was lost.
    content = b"\n".join([*bad, json.dumps(good).encode()])
    assert detect_format(content) is Format.JSONL


def test_a_page_saved_as_text_is_not_taken_for_json_lines():
    page = 'Title\n\n15-08-2017\nOutlet\nA+ A-\nHe said {"yes"} loudly, then {left}.\n'
    assert detect_format(page.encode()) is Format.SAVED_PAGE
