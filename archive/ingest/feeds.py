"""RSS and Atom feeds (feedparser): an article per entry, from its full content or summary."""

import calendar
from datetime import UTC, datetime
from xml.sax import SAXException, SAXParseException

import feedparser

from archive.ingest.article_data import ArticleData
from archive.ingest.dates import plausible
from archive.ingest.errors import IngestError
from archive.ingest.normalise import html_to_paragraphs
from archive.ingest.records import ReadContext, Records


def read_feed(raw: bytes, source: str, context: ReadContext) -> Records:
    feed = feedparser.parse(raw)
    problem = feed.get("bozo_exception")
    if isinstance(problem, SAXException):
        # Not well-formed: say so for the file, then keep what entries could be read whole.
        line = problem.getLineNumber() if isinstance(problem, SAXParseException) else None
        yield IngestError(source, f"not well-formed XML ({problem.getMessage()})", line=line)
    if not feed.entries and not feed.feed.get("title"):
        if not isinstance(problem, SAXException):
            yield IngestError(source, "not an RSS or Atom feed")
        return
    outlet = feed.feed.get("title", "") or context.outlet  # --outlet where the feed names none
    feed_language = feed.feed.get("language") or ""
    for number, entry in enumerate(feed.entries, start=1):
        try:
            yield _record(entry, outlet, feed_language, f"{source}#{number}", context)
        except IngestError as error:
            yield error


def _record(
    entry, outlet: str, feed_language: str, where: str, context: ReadContext
) -> ArticleData:
    title = entry.get("title", "")
    if not title.strip():
        raise IngestError(where, "entry has no title")
    if not outlet:
        raise IngestError(where, "the feed names no outlet (give one with --outlet)")
    content = entry.get("content") or []
    markup = content[0].get("value", "") if content else entry.get("summary", "")
    paragraphs = html_to_paragraphs(markup)
    if not paragraphs:
        raise IngestError(where, "entry has no text")
    published_at, time_known = _published(entry, outlet, where, context)
    summary = " ".join(html_to_paragraphs(entry.get("summary", ""))) if content else ""
    return ArticleData(
        source=where,
        title=title,
        outlet_name=outlet,
        published_at=published_at,
        published_time_known=time_known,
        body="\n\n".join(paragraphs),
        tags=[tag.get("term", "") for tag in entry.get("tags", []) if tag.get("term")],
        canonical_url=entry.get("link", ""),
        # As written ("pt-BR", "ckb"): normalise reads it, or detects the text's.
        language=_declared_language(entry, feed_language),
        summary=summary,
        extra={"guid": entry["id"]} if entry.get("id") else {},
    )


def _declared_language(entry, feed_language: str) -> str:
    """The language the entry's text is declared in, the most particular declaration there
    is: the entry's own (RSS ``<dc:language>``), else its text's ``xml:lang`` (feedparser
    gives the one in scope there: the text's, the entry's or an Atom feed's), else the
    feed's (RSS ``<language>``, which feedparser keeps to the channel). One that is no tag is
    not passed over for a broader one: the entry said it was in another language."""
    content = entry.get("content") or []
    text = content[0] if content else entry.get("summary_detail") or {}
    for declared in (entry.get("language"), text.get("language"), feed_language):
        if declared and declared.strip():
            return declared
    return ""


def _published(entry, outlet: str, where: str, context: ReadContext) -> tuple[datetime, bool]:
    # feedparser has already read the date, in UTC, from whichever field the feed used.
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        try:
            return plausible(datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)), True
        except (ValueError, OverflowError, OSError) as error:
            raise IngestError(where, f"unreadable date: {error}") from error
    text = entry.get("published") or entry.get("updated") or ""
    try:
        return context.published(text, outlet)
    except ValueError as error:
        raise IngestError(where, "entry has no readable date") from error
