"""Publication dates: any text with any outlet time zone gives an aware UTC date in the
archive's range or a ValueError; a printed date reads back as itself."""

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta, timezone
from unittest.mock import patch

from hypothesis import example, given
from hypothesis import strategies as st

from archive.ingest.dates import EARLIEST_YEAR, LATEST_YEAR, PublishedDate, parse_published
from tests.properties.strategies import BOUNDED, date_texts, hostile_text

ZONES = ["UTC", "Asia/Baghdad", "Pacific/Kiritimati", "Etc/GMT+12", "Nowhere/Atlantis", "", "../x"]


@BOUNDED
@given(date_texts, st.booleans(), st.sampled_from(ZONES) | hostile_text)
@example("9999-12-31T23:59:59-14:00", True, "UTC")  # the year 10000 in UTC: OverflowError
@example("9999-12-31 23:30", True, "Etc/GMT+12")  # the same through the outlet's zone
@example("9999-12-31", True, "UTC")  # the near-duplicate window overflowed when saving
@example("0002-01-01", True, "UTC")
def test_any_date_text_gives_a_date_in_range_or_a_value_error(text, day_first, zone):
    try:
        published = parse_published(text, day_first=day_first, time_zone=zone)
    except ValueError:
        return
    assert isinstance(published, PublishedDate)
    assert published.at.utcoffset() == timedelta(0)
    assert EARLIEST_YEAR <= published.at.year <= LATEST_YEAR


@BOUNDED
@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.sampled_from(["%Y-%m-%dT%H:%M:%S%z", "%a, %d %b %Y %H:%M:%S %z", "%d %B %Y %H:%M %z"]),
)
def test_a_printed_date_time_with_an_offset_reads_back_as_itself(moment, offset_minutes, form):
    aware = moment.replace(
        second=0, microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes))
    )
    published = parse_published(aware.strftime(form))
    assert published.time_known
    assert published.at == aware.astimezone(UTC)


def _iso_text(moment: datetime, offset: str, fraction: str, date_only: bool) -> str:
    if date_only:
        return moment.strftime("%Y-%m-%d")
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        text += "." + f"{moment.microsecond:06d}"[: len(fraction)]
    return text + offset


@BOUNDED
@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["", "Z", "+00:00", "-00:00", "+03:00", "-14:00", "+14:00", "+05:45"])
    | st.from_regex(r"[+-][0-9]{2}:[0-9]{2}", fullmatch=True),
    st.sampled_from(["", "123", "123456"]),
    st.booleans(),
    st.booleans(),
    st.sampled_from(ZONES),
)
@example(datetime(2017, 2, 28), "", "", True, True, "UTC")
@example(datetime(1, 1, 1), "", "", True, True, "UTC")  # the year dateutil's default has
def test_iso_dates_read_without_dateutil_read_as_dateutil_reads_them(
    moment, offset, fraction, date_only, day_first, zone
):
    """The ISO fast path gives what dateutil gives, the same date or the same error."""
    text = _iso_text(moment, offset, fraction, date_only)
    for variant in (text, text.replace("-02-28", "-02-30"), text.replace("T", "T24", 1)):
        assert _read(variant, day_first, zone, fast=True) == _read(
            variant, day_first, zone, fast=False
        ), variant


def _read(text: str, day_first: bool, zone: str, fast: bool) -> PublishedDate | str:
    without_fast_path = patch("archive.ingest.dates._iso", lambda text: None)
    with nullcontext() if fast else without_fast_path:
        try:
            return parse_published(text, day_first=day_first, time_zone=zone)
        except ValueError as error:
            return str(error)
