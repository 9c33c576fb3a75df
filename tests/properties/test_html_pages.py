"""The HTML page reader (trafilatura): any markup gives an article or an IngestError."""

from hypothesis import given
from hypothesis import strategies as st

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.html_pages import read_html_page
from archive.ingest.records import ReadContext
from tests.properties.strategies import SLOW, date_texts, paragraphs, printable_text, words

TAGS = ["p", "div", "article", "h1", "script", "style", "nav", "table", "td", "br", "meta"]


@st.composite
def markup(draw) -> str:
    """Tag soup: real tags, unclosed and misnested, with any text between them."""
    parts = draw(
        st.lists(
            st.one_of(
                printable_text,
                st.sampled_from(TAGS).map(lambda tag: f"<{tag}>"),
                st.sampled_from(TAGS).map(lambda tag: f"</{tag}>"),
                st.just("<!--"),
                st.just("<![CDATA["),
                st.just("<html><head><title>"),
            ),
            max_size=30,
        )
    )
    return "".join(parts)


def read(text: str, **options) -> ArticleData | IngestError:
    try:
        return read_html_page(text, "page.html", ReadContext(), **options)
    except IngestError as error:
        return error


@SLOW
@given(st.one_of(printable_text, markup()))
def test_any_markup_gives_an_article_or_an_ingest_error(text):
    assert isinstance(read(text), ArticleData | IngestError)


@SLOW
@given(words, paragraphs, date_texts, printable_text)
def test_any_date_or_address_on_an_article_page_gives_an_article_or_an_error(
    title, body, published, url
):
    page = (
        f"<html><head><title>{title}</title><meta property='og:site_name' content='Wire'>"
        f"</head><body><article><h1>{title}</h1>"
        + "".join(f"<p>{paragraph} {paragraph}</p>" for paragraph in body)
        + "</article></body></html>"
    )
    result = read(page, url=url, fallback_date=published)
    assert isinstance(result, ArticleData | IngestError)
