"""Publication dates as pages print them, read with dateutil and the outlet's habits."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

_SENTINEL = datetime(1, 1, 1)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_HAS_YEAR = re.compile(r"\b\d{4}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2}\b")
# Year first (ISO 8601 and its cousins) is never ambiguous, whatever the outlet's order:
# dateutil would read 2017-09-01 day first as 9 January.
_YEAR_FIRST = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
# Read without dateutil: a date, or a date and time to the second (with a fraction of 3 or
# 6 digits) and an offset or Z.
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{3}|\.\d{6})?(?:Z|[+-]\d{2}:\d{2})?)?\Z"
)
# A year outside these is a placeholder or a typo ("0002-01-01", "9999-12-31"), not when a
# page was published; and the dates kept must leave room for date arithmetic (the
# near-duplicate window, a day added to a search range) within what Python can represent.
# The search form's date bounds are the same.
EARLIEST_YEAR, LATEST_YEAR = 1000, 9998


@dataclass(frozen=True)
class PublishedDate:
    at: datetime  # aware, UTC
    time_known: bool


def parse_published(text: str, *, day_first: bool = True, time_zone: str = "UTC") -> PublishedDate:
    """Read a printed date ("15-08-2017", "2017-08-15", "August 15, 2017", RFC 2822 ...).

    Ambiguous numeric dates follow ``day_first``. A date without a time is stored as midnight
    UTC of that day, so it shows as the same day wherever it is displayed in UTC. A time
    without an offset is read in the outlet's ``time_zone``.

    Raises ValueError when the text holds no complete date.
    """
    text = text.strip()
    if not text or len(text) > 64 or not _HAS_YEAR.search(text):
        raise ValueError(f"not a date: {text[:64]!r}")
    parsed = _iso(text) or _dateutil(text, day_first)

    time_known = bool(_HAS_TIME.search(text))
    if not time_known:
        at = datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
        return PublishedDate(plausible(at), False)
    if parsed.tzinfo is None:
        try:
            zone = ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
        parsed = parsed.replace(tzinfo=zone)
    try:
        at = parsed.astimezone(UTC)
    except OverflowError as error:  # 9999-12-31T23:00-05:00 is in the year 10000 in UTC
        raise ValueError(f"out of range: {text!r}") from error
    return PublishedDate(plausible(at), True)


def _iso(text: str) -> datetime | None:
    """The strict ISO 8601 forms feeds and JSON exports write, read by datetime (a tenth of
    dateutil's time, the same result); None for anything else, which dateutil reads."""
    if not _ISO.match(text):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:  # "2017-02-30": dateutil says why
        return None
    return None if parsed.year == _SENTINEL.year else parsed  # and the year 1, that none is


def _dateutil(text: str, day_first: bool) -> datetime:
    try:
        year_first = bool(_YEAR_FIRST.match(text))
        parsed = dateutil_parser.parse(
            text, dayfirst=day_first and not year_first, yearfirst=year_first, default=_SENTINEL
        )
    except (ValueError, OverflowError) as error:
        raise ValueError(f"not a date: {text!r}") from error
    if parsed.year == _SENTINEL.year:
        raise ValueError(f"no year in {text!r}")
    return parsed


def plausible(at: datetime) -> datetime:
    """``at`` itself; ValueError when its year cannot be a publication's."""
    if not EARLIEST_YEAR <= at.year <= LATEST_YEAR:
        raise ValueError(f"the year {at.year} is out of range")
    return at


def looks_like_date(text: str) -> bool:
    try:
        parse_published(text)
    except ValueError:
        return False
    return True
