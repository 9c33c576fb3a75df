"""The saved-page text format: a news page saved as text.

The shape, as in ``samples/``::

    Title
    <blank>
    15-08-2017                  the date (any order the outlet uses, ISO, month names)
    Rudaw                       the outlet
    Tags: Deir ez-Zor ...       optional; the separators may be lost
    A+ A-                       the font widget: site furniture
    ERBIL, Kurdistan Region – The first paragraph, starting with the dateline.
    <blank>
    More paragraphs ...
    Comments                    from here on: the site's comment policy and form
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from archive.datelines import split_dateline
from archive.ingest.article_data import ArticleData
from archive.ingest.dates import looks_like_date, parse_published
from archive.ingest.errors import IngestError
from archive.text import tidy

# Lines that are the site around the article, never part of it.
FURNITURE_LINES = {"a+ a-", "a- a+", "a+ a a-", "required", "share", "print", "advertisement"}
# A line that starts the page's tail (comment policy and form): the article ended before it.
TAIL_MARKERS = {"comments", "post a comment", "leave a comment", "add a comment", "leave a reply"}
_TAG_SEPARATORS = re.compile(r"\s*[,;|•·]\s*")
_TAGS_PREFIX = re.compile(r"^(tags|keywords|topics)\s*:\s*", re.IGNORECASE)
_MAX_HEADER_LINE = 120
_MAX_TITLE = 500


@dataclass(frozen=True)
class OutletRules:
    """How one outlet prints its pages; the defaults fit an outlet we have not seen."""

    day_first: bool = True
    time_zone: str = "UTC"
    boilerplate: frozenset[str] = field(default_factory=frozenset)


def decode_text(raw: bytes, source: str) -> str:
    """UTF-8 with or without a BOM, CRLF or LF; binary files refused."""
    if not raw.strip():
        raise IngestError(source, "empty file")
    if b"\x00" in raw[:8192]:
        raise IngestError(source, "binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise IngestError(source, "not UTF-8 text", line=line) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_saved_page(
    raw: bytes,
    source: str,
    rules_for_outlet: Callable[[str], OutletRules] = lambda name: OutletRules(),
) -> ArticleData:
    lines = tidy(decode_text(raw, source)).split("\n")
    numbered = [(number, line) for number, line in enumerate(lines, start=1) if line]
    if not numbered:  # blank once tidied: separators (U+001C, U+2028), control characters
        raise IngestError(source, "empty file")

    title_line, title = numbered[0]
    if title.casefold() in FURNITURE_LINES or _TAGS_PREFIX.match(title) or looks_like_date(title):
        raise IngestError(source, "no title: the page starts with its metadata", line=title_line)
    if len(title) > _MAX_TITLE:
        raise IngestError(source, "no title: the first line is a paragraph", line=title_line)

    header, body_lines = _split_header(numbered[1:])
    date_text = outlet_name = tag_text = ""
    date_line = title_line
    extra: dict[str, str] = {}
    for number, line in header:
        if _TAGS_PREFIX.match(line):
            tag_text = _TAGS_PREFIX.sub("", line)
        elif not date_text and looks_like_date(line):
            date_text, date_line = line, number
        elif not outlet_name:
            outlet_name = line
        elif line.casefold().startswith("by "):
            extra["byline"] = line[3:].strip()

    if not date_text:
        raise IngestError(source, "no parseable date in the page header", line=title_line + 1)
    if not outlet_name:
        raise IngestError(source, "no outlet line in the page header", line=title_line + 1)

    rules = rules_for_outlet(outlet_name)
    try:
        published = parse_published(date_text, day_first=rules.day_first, time_zone=rules.time_zone)
    except ValueError as error:
        raise IngestError(source, f"unreadable date: {error}", line=date_line) from error

    paragraphs = _paragraphs(body_lines, rules.boilerplate)
    if not paragraphs:
        raise IngestError(source, "no article text after the header", line=title_line)
    dateline, first_paragraph = split_dateline(paragraphs[0])
    paragraphs[0] = first_paragraph

    tags = [t for t in _TAG_SEPARATORS.split(tag_text) if t] if tag_text else []
    lost_separators = len(tags) == 1 and not _TAG_SEPARATORS.search(tag_text)
    return ArticleData(
        source=source,
        title=title,
        outlet_name=outlet_name,
        published_at=published.at,
        published_time_known=published.time_known,
        dateline=dateline,
        tags=[] if lost_separators else tags,
        unseparated_tags=tag_text if lost_separators else "",
        body="\n\n".join(paragraphs),
        extra=extra,
    )


def _split_header(
    numbered: list[tuple[int, str]],
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Short metadata lines after the title, up to the font widget or the first paragraph."""
    for index, (_, line) in enumerate(numbered):
        if line.casefold() in FURNITURE_LINES:
            return numbered[:index], numbered[index + 1 :]
        long = len(line) > _MAX_HEADER_LINE and not _TAGS_PREFIX.match(line)  # many tags
        if long or index >= 6:
            return numbered[:index], numbered[index:]
    return numbered, []


def _paragraphs(numbered: list[tuple[int, str]], boilerplate: frozenset[str]) -> list[str]:
    """Body paragraphs: the non-blank lines up to the page's tail, furniture removed.

    The saved-page format keeps one paragraph per line; blank lines between them vary.
    """
    paragraphs = []
    for _, line in numbered:
        folded = line.casefold()
        if folded in TAIL_MARKERS:
            break
        if folded in FURNITURE_LINES or line in boilerplate:
            continue
        paragraphs.append(line)
    return paragraphs
