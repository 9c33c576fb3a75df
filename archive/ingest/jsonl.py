"""JSON Lines: one article per line.

Schema (one JSON object per line; unknown keys are kept in the article's extra metadata)::

    title       string, required
    body        string, required: plain text, paragraphs separated by blank lines
    published   string, required: a date or date-time ("2017-08-15", "2017-08-15T10:00:00+03:00")
    outlet      string, required unless given with --outlet
    url         string: the article's address (canonicalised)
    tags        list of strings, or one string with commas
    dateline    string: as printed ("BAGHDAD (Reuters)"); else read from the first paragraph
    language    string: ISO 639-1; else detected
    summary     string
"""

import json
from collections.abc import Iterator
from typing import BinaryIO

from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.normalise import parse_dateline
from archive.ingest.records import ReadContext, Records, require

KNOWN_KEYS = {
    "title",
    "body",
    "published",
    "outlet",
    "url",
    "tags",
    "dateline",
    "language",
    "summary",
}
BOM = b"\xef\xbb\xbf"
# Keys starting with "_ingest" are the rejected log's notes: ignored when it is ingested again.


def read_jsonl(stream: BinaryIO, source: str, context: ReadContext) -> Records:
    """Streams the file line by line: memory stays flat however long it is.

    Each line is decoded on its own, so a line that is not UTF-8 is one bad record, not
    the end of the file (a text wrapper decodes ahead of the line it returns, and would
    lose the good lines before the bad one as well as those after it).
    """
    number = 0
    try:
        for number, raw in _numbered_lines(stream):
            if (record := _line_record(raw, source, number, context)) is not None:
                yield record
    except (OSError, EOFError) as error:  # a truncated or corrupt gzip stream
        yield IngestError(source, f"unreadable after line {number}: {error}")


def _numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Lines as bytes, numbered as a text editor would: "\n", "\r\n" and a lone "\r" each
    end a line (JSON keeps "\r" inside strings escaped, so a raw one is a line end)."""
    number = 0
    for chunk in iter(stream.readline, b""):
        if number == 0:
            chunk = chunk.removeprefix(BOM)
        for line in chunk.removesuffix(b"\n").removesuffix(b"\r").split(b"\r"):
            number += 1
            yield number, line


def _line_record(
    raw: bytes, source: str, number: int, context: ReadContext
) -> ArticleData | IngestError | None:
    """The line's article, or why it is not one; None for a blank line."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return IngestError(source, "not UTF-8 text", line=number)
    if not line.strip():
        return None
    try:
        return _record(line, source, number, context)
    except IngestError as error:
        return error


def _record(line: str, source: str, number: int, context: ReadContext) -> ArticleData:
    try:
        item = json.loads(line, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        # The column, counted in characters as an editor does, to find the fault in a long
        # line; "Unterminated string starting at" names where the string began.
        reason = error.msg.removesuffix(" at").removesuffix(" starting")
        raise IngestError(
            source, f"not valid JSON at column {error.colno}: {reason}", line=number
        ) from error
    except ValueError as error:
        raise IngestError(source, f"not valid JSON: {error}", line=number) from error
    if not isinstance(item, dict):
        raise IngestError(source, "a line must be a JSON object", line=number)
    try:
        return _article(item, source, number, context)
    except IngestError as error:
        error.record = item  # kept whole in the rejected log, to fix and ingest again
        raise


def _refuse_constant(name: str) -> float:
    # Python reads NaN and Infinity, which JSON does not have and a JSON column refuses.
    raise ValueError(f"{name} is not a JSON value")


def _article(item: dict, source: str, number: int, context: ReadContext) -> ArticleData:
    for key in ("title", "body", "published"):
        require(isinstance(item.get(key), str) and item[key], key, source, number)
    outlet = item.get("outlet") or context.outlet  # --outlet only where the record names none
    require(isinstance(outlet, str) and outlet, "outlet (give one with --outlet)", source, number)
    try:
        published_at, time_known = context.published(item["published"], outlet)
    except ValueError as error:
        raise IngestError(source, f"unreadable date: {error}", line=number) from error
    tags = item.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list):
        raise IngestError(source, "tags must be a list or a string", line=number)
    dateline = item.get("dateline")
    return ArticleData(
        source=f"{source}:{number}",
        title=item["title"],
        outlet_name=outlet,
        published_at=published_at,
        published_time_known=time_known,
        body=item["body"],
        dateline=parse_dateline(dateline) if isinstance(dateline, str) and dateline else None,
        tags=[str(tag) for tag in tags],
        canonical_url=str(item.get("url") or ""),
        language=str(item.get("language") or ""),
        summary=str(item.get("summary") or ""),
        extra={
            key: value
            for key, value in item.items()
            if key not in KNOWN_KEYS and not key.startswith("_ingest")
        },
    )
