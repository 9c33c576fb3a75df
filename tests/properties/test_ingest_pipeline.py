"""The whole ingest (read, normalise, save) on any mix of good and bad records: it never
raises, it saves every good record, and whatever it saves the database can hold."""

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from archive.ingest.pipeline import Ingester
from archive.models import Article, Outlet, Tag
from tests.properties.strategies import (
    WITH_FIXTURES,
    bad_lines,
    bad_records,
    good_records,
    hostile_good_records,
    numbered,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_archive(settings, gazetteer):
    settings.SEARCH_SYNC_ON_COMMIT = False  # the index is not what this property is about

    def empty() -> None:
        Article.objects.all().delete()
        Tag.objects.all().delete()
        Outlet.objects.all().delete()

    return empty


def lines_of(items: list[tuple[str, object]]) -> tuple[bytes, list[dict]]:
    """The file's bytes, and the good records in it (each made unique by its line)."""
    lines, good = [], []
    for number, (kind, item) in enumerate(items, start=1):
        if kind == "good":
            record = {key: value for key, value in item.items() if key != "url_suffix"}
            item = numbered(record, number, item.get("url_suffix", ""))
            good.append(item)
            lines.append(json.dumps(item).encode())
        else:
            lines.append(item)
    return b"\n".join(lines), good


mixed_lines = st.lists(
    st.one_of(
        good_records().map(lambda record: ("good", record)),
        hostile_good_records().map(lambda record: ("good", record)),
        bad_records().map(lambda record: ("bad", json.dumps(record).encode())),
        bad_lines().map(lambda line: ("bad", line)),
    ),
    max_size=8,
)


HOSTILE = {
    "title": "Title \x00 with NUL and \ud800",
    "body": "Body \x00 \ud800 \x1b[31m",
    "published": "2017-08-15",
    "outlet": "Wire \x00",
    "tags": ["\ud800", "a\x00b"],
    "dateline": "BAGHDAD\x00",
    "extra": {"\ud800": "\x00", "list": ["\x00"], "&\ud800": "<b>\ud800</b>"},
    "summary": "&\ud800",  # markup beside a surrogate: nh3 refused it and the ingest stopped
}


@WITH_FIXTURES
@given(items=mixed_lines)
# NUL (PostgreSQL refuses it in text and JSON), lone surrogates (no encoder takes them):
# the batch's transaction failed and the ingest stopped there.
@example(items=[("good", HOSTILE), ("good", {**HOSTILE, "title": "Second"})])
# A first line that is not JSON: the file was read as a saved page and every record lost.
@example(items=[("bad", b"\xef\xbb\xbf"), ("good", {**HOSTILE, "title": "After a BOM line"})])
@example(items=[("bad", b"\x00"), ("good", {**HOSTILE, "title": "After a bad first line"})])
def test_an_ingest_saves_every_good_record_whatever_surrounds_it(empty_archive, tmp_path, items):
    empty_archive()
    raw, good = lines_of(items)
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(raw)

    report = Ingester(batch_size=3).run([source])

    saved = {url.split("?")[0] for url in Article.objects.values_list("canonical_url", flat=True)}
    assert {record["url"].split("?")[0] for record in good} <= saved
    if good:  # read as JSON Lines: every line is accounted for once, saved or rejected
        outcomes = report.new + report.near_duplicates + report.updated + report.duplicates
        lines = raw.removeprefix(b"\xef\xbb\xbf").split(b"\n")  # a BOM opens the file only
        assert outcomes + report.rejected == sum(map(is_a_record, lines))


def is_a_record(line: bytes) -> bool:
    """Anything but a blank line is a record, to be saved or rejected."""
    try:
        return bool(line.decode("utf-8").strip())
    except UnicodeDecodeError:
        return True


def test_a_date_at_the_end_of_time_is_rejected_and_its_neighbours_saved(empty_archive, tmp_path):
    # 9999-12-31 was read, then the near-duplicate window (three days either side) overflowed
    # and the whole ingest stopped with an OverflowError.
    empty_archive()
    good = {"title": "Good", "body": "Words.", "published": "2017-08-15", "outlet": "Wire"}
    source = tmp_path / "dates.jsonl"
    source.write_text(
        "\n".join(
            json.dumps(record)
            for record in (good, {**good, "title": "End", "published": "9999-12-31"})
        )
    )
    report = Ingester().run([source])
    assert [error.reason for error in report.errors] == [
        "unreadable date: the year 9999 is out of range"
    ]
    assert list(Article.objects.values_list("title", flat=True)) == ["Good"]
