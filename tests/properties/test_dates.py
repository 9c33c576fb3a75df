"""Publication dates: any text with any outlet time zone gives an aware UTC date in the
archive's range or a ValueError; a printed date reads back as itself."""

from datetime import UTC, datetime, timedelta, timezone

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
