"""HTML article pages (trafilatura): the main text and the page's metadata."""

from datetime import datetime

import trafilatura

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.records import ReadContext

# Fewer words than this is a menu or a notice, not an article.
MIN_ARTICLE_WORDS = 15


def read_html_page(
    markup: str, source: str, context: ReadContext, *, url: str = "", fallback_date: str = ""
) -> ArticleData:
    """One page, one article. ``url`` and ``fallback_date`` come from a WARC record."""
    try:
        document = trafilatura.bare_extraction(
            markup, url=url or None, with_metadata=True, include_comments=False
        )
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
    published_at, time_known = _published(document.date or fallback_date, outlet, source, context)
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
        language=(document.language or "")[:2],
        summary=(document.description or "").strip(),
        extra={"author": document.author} if document.author else {},
    )


def _published(text: str, outlet: str, source: str, context: ReadContext) -> tuple[datetime, bool]:
    if not text:
        raise IngestError(source, "the page has no publication date")
    try:
        return context.published(text, outlet)
    except ValueError as error:
        raise IngestError(source, f"unreadable date: {error}") from error
