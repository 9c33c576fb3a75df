"""The saved-page parser: any bytes give an article or an IngestError, and a well-formed
page, however its parts vary, gives back what was written into it."""

from datetime import UTC, datetime

from hypothesis import example, given
from hypothesis import strategies as st

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.saved_page import parse_saved_page
from tests.properties.strategies import BOUNDED, paragraphs, printable_text, publication_dates
from tests.properties.strategies import words as word_runs


def parse(raw: bytes) -> ArticleData | IngestError:
    try:
        return parse_saved_page(raw, "page.txt")
    except IngestError as error:
        return error


@BOUNDED
@given(st.binary(max_size=400))
@example(b"\x1c")  # blank only in Unicode's sense: was an IndexError (no title line)
@example(b"\xef\xbb\xbf\xe2\x80\xa8")  # a BOM and a line separator
def test_any_bytes_give_an_article_or_an_ingest_error(raw):
    result = parse(raw)
    assert isinstance(result, ArticleData | IngestError)
    if isinstance(result, IngestError):
        assert result.source == "page.txt"


@BOUNDED
@given(printable_text, st.lists(printable_text, max_size=12))
@example("\x1f", [])  # was an IndexError
def test_any_text_gives_an_article_or_an_ingest_error(first_line, lines):
    result = parse("\n".join([first_line, *lines]).encode())
    assert isinstance(result, ArticleData | IngestError)


DATE_FORMATS = ["%d-%m-%Y", "%Y-%m-%d", "%B %d, %Y", "%d %B %Y", "%d/%m/%Y"]


@st.composite
def saved_pages(draw) -> tuple[bytes, dict]:
    """A page as an outlet's site saves it, and what it says."""
    title = draw(word_runs).capitalize() + " " + draw(word_runs)
    day = draw(publication_dates)
    outlet = "The " + draw(word_runs).title()
    tags = draw(st.lists(word_runs.map(str.title), max_size=3, unique=True))
    body = draw(paragraphs)
    dateline = draw(st.sampled_from(["", "ERBIL, Kurdistan Region – ", "BAGHDAD (Reuters) - "]))
    line_end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [
        title,
        "",
        day.strftime(draw(st.sampled_from(DATE_FORMATS))),
        outlet,
        *([f"Tags: {', '.join(tags)}"] if tags else []),
        "A+ A-",
        dateline + body[0],
        *[line for paragraph in body[1:] for line in ("", paragraph)],
        "",
        "Comments",
        "We moderate all comments.",
    ]
    bom = draw(st.sampled_from(["", "\ufeff"]))
    page = (bom + line_end.join(lines)).encode()
    return page, {"title": title, "day": day, "outlet": outlet, "tags": tags, "body": body}


@BOUNDED
@given(saved_pages())
def test_a_well_formed_page_gives_back_what_it_says(page):
    raw, written = page
    article = parse_saved_page(raw, "page.txt")
    assert article.title == written["title"]
    assert article.outlet_name == written["outlet"]
    assert article.published_at == datetime.combine(written["day"], datetime.min.time(), UTC)
    # One tag looks like a tag line whose separators were lost: split later, by known names.
    unseparated = [article.unseparated_tags] if article.unseparated_tags else []
    assert (article.tags or unseparated) == written["tags"]
    assert article.body.split("\n\n") == written["body"]
    assert "moderate all comments" not in article.body


def test_a_long_tags_line_stays_in_the_header():
    # Found by the property above: a tags line past 120 characters ended the header, so the
    # tags were lost and "Tags: ..." became the first paragraph, hiding the dateline.
    tags = [f"Tag number {n} of a long list" for n in range(6)]
    page = "\n".join(
        [
            "Title",
            "15-08-2017",
            "Outlet",
            f"Tags: {', '.join(tags)}",
            "A+ A-",
            "ERBIL, Kurdistan Region – The first paragraph.",
        ]
    )
    article = parse_saved_page(page.encode(), "page.txt")
    assert article.tags == tags
    assert article.body == "The first paragraph."
    assert article.dateline.place == "ERBIL"
