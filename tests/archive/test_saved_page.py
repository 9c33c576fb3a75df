"""The saved-page parser on its own: tolerant of the ways real saved pages differ."""

from datetime import UTC, datetime

import pytest

from archive.datelines import Dateline, split_dateline
from archive.ingest.errors import IngestError
from archive.ingest.saved_page import OutletRules, parse_saved_page

PAGE = """Ceasefire talks resume in Geneva

{date}
Example Wire
{tags}
A+ A-
{dateline} Delegations met on Monday for a third round of talks.

The talks are expected to last a week.

Comments

We moderate all comments.

Post a comment

Required
Required
"""


def page(
    date: str = "15-08-2017",
    tags: str = "Tags: Diplomacy, Switzerland",
    dateline: str = "GENEVA –",
) -> bytes:
    return PAGE.format(date=date, tags=tags, dateline=dateline).encode()


def parse(raw: bytes, **rules) -> object:
    return parse_saved_page(raw, "test.txt", lambda name: OutletRules(**rules))


def test_the_sample_page_parses_to_its_article(sample_page):
    article = parse(sample_page.read_bytes())
    assert article.title == "Syrian army and backers fight into Deir ez-Zor from the south"
    assert article.outlet_name == "Rudaw"
    assert article.published_at == datetime(2017, 8, 15, tzinfo=UTC)
    assert article.published_time_known is False
    assert article.dateline == Dateline(
        printed="ERBIL, Kurdistan Region", place="ERBIL", qualifier="Kurdistan Region"
    )
    assert article.unseparated_tags == "Deir ez-Zor Middle Euphrates Valley"
    assert article.body.startswith("The Syrian army along with its allies have advanced")
    assert article.body.endswith("charged with fighting against them east of Deir ez-Zor.")
    assert "A+ A-" not in article.body
    assert "moderates all comments" not in article.body
    assert "Required" not in article.body
    assert len(article.body.split("\n\n")) == 15


def test_site_furniture_and_the_comment_tail_are_removed():
    article = parse(page())
    assert article.body == (
        "Delegations met on Monday for a third round of talks.\n\n"
        "The talks are expected to last a week."
    )


def test_separated_tags_are_split_on_their_separators():
    assert parse(page(tags="Tags: Diplomacy, Switzerland")).tags == ["Diplomacy", "Switzerland"]
    assert parse(page(tags="Tags: UN | Geneva")).tags == ["UN", "Geneva"]


def test_a_tags_line_without_separators_is_kept_for_splitting_later():
    article = parse(page(tags="Tags: Deir ez-Zor Middle Euphrates Valley"))
    assert article.tags == []
    assert article.unseparated_tags == "Deir ez-Zor Middle Euphrates Valley"


def test_the_tags_line_may_be_absent():
    raw = page().replace(b"Tags: Diplomacy, Switzerland\n", b"")
    article = parse(raw)
    assert article.tags == []
    assert article.outlet_name == "Example Wire"


@pytest.mark.parametrize(
    ("printed", "day_first", "expected"),
    [
        ("15-08-2017", True, datetime(2017, 8, 15, tzinfo=UTC)),
        ("03-04-2017", True, datetime(2017, 4, 3, tzinfo=UTC)),
        ("04-03-2017", False, datetime(2017, 4, 3, tzinfo=UTC)),
        ("08/15/2017", False, datetime(2017, 8, 15, tzinfo=UTC)),
        ("2017-08-15", True, datetime(2017, 8, 15, tzinfo=UTC)),
        ("2017-08-15", False, datetime(2017, 8, 15, tzinfo=UTC)),
        ("2017-09-01", True, datetime(2017, 9, 1, tzinfo=UTC)),
        ("2017-09-01T10:30:00Z", True, datetime(2017, 9, 1, 10, 30, tzinfo=UTC)),
        ("August 15, 2017", True, datetime(2017, 8, 15, tzinfo=UTC)),
        ("15 Aug 2017", False, datetime(2017, 8, 15, tzinfo=UTC)),
    ],
)
def test_dates_follow_the_outlets_date_order(printed, day_first, expected):
    assert parse(page(date=printed), day_first=day_first).published_at == expected


def test_a_printed_time_is_read_in_the_outlets_time_zone():
    article = parse(page(date="15-08-2017 14:30"), time_zone="Asia/Baghdad")
    assert article.published_time_known is True
    assert article.published_at == datetime(2017, 8, 15, 11, 30, tzinfo=UTC)


def test_a_byte_order_mark_and_crlf_line_ends_change_nothing():
    plain = parse(page())
    windows = parse(b"\xef\xbb\xbf" + page().replace(b"\n", b"\r\n"))
    assert (windows.title, windows.body, windows.tags) == (plain.title, plain.body, plain.tags)


@pytest.mark.parametrize("separator", ["–", "—", "-", ":"])
def test_the_dateline_is_split_after_any_dash_or_colon(separator):
    dateline = f"GENEVA{separator}" if separator == ":" else f"GENEVA {separator}"
    article = parse(page(dateline=dateline))
    assert article.dateline.place == "GENEVA"
    assert article.body.startswith("Delegations met on Monday")


@pytest.mark.parametrize(
    ("paragraph", "place", "qualifier", "agency"),
    [
        ("ERBIL, Kurdistan Region – The army", "ERBIL", "Kurdistan Region", ""),
        ("BAGHDAD (Reuters) - Iraqi forces", "BAGHDAD", "", "Reuters"),
        ("WASHINGTON — The Senate voted", "WASHINGTON", "", ""),
        ("Paris, 3 May (AFP) - Police said", "Paris", "", "AFP"),
        ("TRIPOLI, Lebanon: Protesters gathered", "TRIPOLI", "Lebanon", ""),
    ],
)
def test_common_dateline_forms(paragraph, place, qualifier, agency):
    dateline, rest = split_dateline(paragraph)
    assert (dateline.place, dateline.qualifier, dateline.agency) == (place, qualifier, agency)
    assert rest[0].isupper()


@pytest.mark.parametrize(
    "paragraph",
    [
        "The Syrian army – backed by Russia – advanced.",
        "Deir ez-Zor is located in the Middle Euphrates Valley.",
        "He said: the talks failed.",
        "No dateline at all in this paragraph.",
    ],
)
def test_ordinary_first_paragraphs_have_no_dateline(paragraph):
    assert split_dateline(paragraph) == (None, paragraph)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "empty file"),
        (b"  \n\n ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"Title\n\n15-08-2017\nOutlet\n\xff\xfe broken", "not UTF-8"),
        (b"15-08-2017\nRudaw\nA+ A-\nBody text.", "no title"),
        (b"A title\n\nRudaw\nA+ A-\nBody text here.", "no parseable date"),
        (b"A title\n\n15-08-2017\nA+ A-\nBody text here.", "no outlet"),
        (b"A title\n\n15-08-2017\nRudaw\nA+ A-\n", "no article text"),
    ],
)
def test_bad_pages_raise_an_error_naming_the_problem(raw, problem):
    with pytest.raises(IngestError, match=problem) as caught:
        parse(raw)
    assert str(caught.value).startswith("test.txt")
