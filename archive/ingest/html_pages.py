"""HTML article pages (trafilatura): the main text and the page's metadata."""

import json
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta

import htmldate
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import DEFAULT_CONFIG, set_date_params

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.extraction_log import log_lines_naming
from archive.ingest.records import ReadContext

# Fewer words than this is a menu or a notice, not an article.
MIN_ARTICLE_WORDS = 15
# htmldate refuses a date before 1995 unless told otherwise (its MIN_DATE: the web's own
# pages), and a digitised article of 1987 lost its date: it took a WARC record's fetch date
# instead, or was rejected. Far enough back for a news archive; the latest date stays
# today, as trafilatura has it, since a date in the future is a page's mistake.
EARLIEST_PAGE_DATE = "1800-01-01"
# Meta tags (by property, name or itemprop, lower-cased) in which a page states when it was
# published, often to the second with its zone: trafilatura reads them but keeps the day.
PUBLISHED_META = {
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.issued",
    "parsely-pub-date",
    "sailthru.date",
}


def read_html_page(
    markup: str, source: str, context: ReadContext, *, url: str = "", fallback_date: str = ""
) -> ArticleData:
    """One page, one article. ``url`` and ``fallback_date`` come from a WARC record."""
    try:
        with log_lines_naming(source):
            # Parsed once, as trafilatura would parse it: its dates are read here too.
            tree = trafilatura.load_html(markup)
            if tree is None:
                document, stated_dates, declared, day = None, [], "", ""
            else:
                stated_dates = list(_stated_publication_dates(tree))
                declared = _declared_language(tree)
                document = trafilatura.bare_extraction(  # on a copy of the tree
                    tree,
                    url=url or None,
                    with_metadata=True,
                    include_comments=False,
                    date_extraction_params=_date_extraction_params(),
                )
                day = (document.date or "") if document is not None else ""
                if day and fallback_date:
                    day = _day_unless_a_year_guess(day, tree, document.url or url)
    except Exception as error:  # trafilatura raises many kinds on hostile markup
        raise IngestError(source, f"unreadable HTML ({type(error).__name__})") from error
    if document is None or len((document.text or "").split()) < MIN_ARTICLE_WORDS:
        raise IngestError(source, "no article text found in the page")
    title = (document.title or "").strip()
    if not title:
        raise IngestError(source, "the page has no title")
    # The site's own name first, --outlet where it gives none, and only then its host name
    # (read from the address: a guess, which an outlet named on the command line beats).
    # trafilatura gives the host name as the site name when the page names no site.
    own_name = document.sitename if document.sitename != document.hostname else ""
    outlet = own_name or context.outlet or document.hostname or ""
    if not outlet:
        raise IngestError(source, "the page names no outlet (give one with --outlet)")
    published_at, time_known = _published(day, stated_dates, fallback_date, outlet, source, context)
    lines = [line.strip() for line in document.text.split("\n") if line.strip()]
    if lines and lines[0] == title:
        lines = lines[1:]  # the headline repeated at the top of the text
    tags = [
        tag.strip()
        for field in (document.tags or [], document.categories or [])
        for value in field
        for tag in str(value).split(",")
        if tag.strip()
    ]
    return ArticleData(
        source=source,
        title=title,
        outlet_name=outlet,
        published_at=published_at,
        published_time_known=time_known,
        body="\n\n".join(lines),
        tags=tags,
        canonical_url=document.url or url,
        language=declared,  # as written ("pt-BR", "ckb"): normalise reads it, or detects
        summary=(document.description or "").strip(),
        extra={"author": document.author} if document.author else {},
    )


def _date_extraction_params() -> dict:
    """What htmldate is asked for: trafilatura's own parameters (they replace them whole),
    with our earliest date. Made for each page: their latest date is today, which moves."""
    extensive = DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH")
    return {**set_date_params(extensive), "min_date": EARLIEST_PAGE_DATE}


def _day_unless_a_year_guess(day: str, tree: HtmlElement, url: str) -> str:
    """htmldate's ``day`` for a page that has a better date to fall back on (a WARC record's
    fetch date), unless it was guessed from a year alone: short of a stated date, htmldate's
    extensive search dates a page 1 January of its copyright year ("Copyright 2017") or of
    any lone year. Its fast search (``extensive_search=False``) guesses neither, but neither
    does it read a date written out in a paragraph ("ERBIL, August 15, 2017 -"), so it is
    asked only about a 1 January: one that it does not find was a guess. (A page with no
    date to fall back on keeps the guess: else it would be rejected.)"""
    if not day.endswith("-01-01"):
        return day
    params = {**_date_extraction_params(), "extensive_search": False}
    return htmldate.find_date(tree, url=url or None, **params) or ""


def _published(
    day: str,
    stated_dates: list[str],
    fallback_date: str,
    outlet: str,
    source: str,
    context: ReadContext,
) -> tuple[datetime, bool]:
    """When the page was published: trafilatura's ``day`` (from the page's metadata, else its
    text), with the time and zone the page's metadata states for that day, which trafilatura
    drops; else, from a WARC record, when the page was fetched."""
    text = day or fallback_date
    if not text:
        raise IngestError(source, "the page has no publication date")
    try:
        published = context.published(text, outlet)
    except ValueError as error:
        raise IngestError(source, f"unreadable date: {error}") from error
    if day and (stated := _time_stated_on(published[0], stated_dates, outlet, context)):
        return stated, True
    return published


def _time_stated_on(
    day: datetime, stated_dates: list[str], outlet: str, context: ReadContext
) -> datetime | None:
    """The first date stated with a time that falls on ``day``, read as any date is (a time
    without a zone in the outlet's). trafilatura chose the day: a date stated for another (a
    related article's in the JSON-LD, say) is not the page's."""
    for text in stated_dates:
        try:
            at, time_known = context.published(text, outlet)
        except ValueError:
            continue
        # A time on that day, in whatever zone it is stated, is within a day of it in UTC.
        if time_known and abs(at.date() - day.date()) <= timedelta(days=1):
            return at
    return None


def _declared_language(tree: HtmlElement) -> str:
    """The language the page declares its text in, as written: its root's ``lang``, else a
    Content-Language pragma (``<meta http-equiv>``), in the HTML standard's order
    (https://html.spec.whatwg.org/multipage/dom.html#the-lang-and-xml:lang-attributes); a
    ``lang=""`` says the language is not known, and the pragma then does not apply.
    trafilatura reads neither: its ``language`` is its own detection's, made only when a
    target language is asked for."""
    root = tree.getroottree().getroot()
    if (lang := root.get("lang")) is not None:
        return lang
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() == "content-language":
            return meta.get("content") or ""
    return ""


def _stated_publication_dates(tree: HtmlElement) -> Iterator[str]:
    """The publication dates the page's metadata states, as written: its meta tags', then its
    JSON-LD's ``datePublished`` (the outermost objects' first)."""
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        if key.strip().lower() in PUBLISHED_META and meta.get("content"):
            yield meta.get("content")
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common; trafilatura's date stands
        pending = deque([data])
        while pending:
            value = pending.popleft()
            if isinstance(value, dict):
                if isinstance(value.get("datePublished"), str):
                    yield value["datePublished"]
                pending.extend(value.values())
            elif isinstance(value, list):
                pending.extend(value)
