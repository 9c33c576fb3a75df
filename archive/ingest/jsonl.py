"""JSON Lines: one article per line.

Schema (one JSON object per line; unknown keys are kept in the article's extra metadata)::

    title       string, required
    body        string, required: plain text, paragraphs separated by blank lines
    published   string, required: a date or date-time ("2017-08-15", "2017-08-15T10:00:00+03:00")
    outlet      string, required unless given with --outlet
    url         string: the article's address (canonicalised)
    tags        list of strings, or one string with commas
    dateline    string: as printed ("BAGHDAD (Reuters)"); else read from the first paragraph
    language    string: a language code ("en", "pt-BR", "pt_BR"), stored as the archive
                writes tags ("pt-br": archive.languages.language_tag); else detected
    summary     string

A field of the wrong type (a number for a title, a number or null among the tags, a language
name for a code) rejects the record with the field named; null is a field left out.
"""

import json
import re
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
# Keys starting with "_ingest" are the rejected log's notes: ignored when it is ingested again,
# and a line of notes alone (the log's first) is no record.
NOTE_PREFIX = "_ingest"
# How a line of notes alone begins (``{"_ingest``): a line that begins otherwise is none,
# and is not read as JSON to tell.
_NOTES_LINE_START = re.compile(rb'\s*\{\s*"' + NOTE_PREFIX.encode())


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


def count_records(stream: BinaryIO) -> int:
    """The lines read_jsonl would read as records (or reject as bad ones), counted without
    reading them: split where it splits lines, leaving out blank lines and notes alone."""
    return sum(
        1 for _, line in _numbered_lines(stream) if line.strip() and not holds_notes_alone(line)
    )


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
    """The line's article, or why it is not one (carrying the line as read, for the
    rejected log); None for a blank line."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return IngestError(source, "not UTF-8 text", line=number, raw=raw)
    if not line.strip():
        return None
    try:
        return _record(line, source, number, context)
    except IngestError as error:
        error.raw = raw
        return error


def _record(line: str, source: str, number: int, context: ReadContext) -> ArticleData | None:
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
    except RecursionError as error:  # "[[[[..." deeper than Python's stack: one bad record
        raise IngestError(source, "not valid JSON: nested too deeply", line=number) from error
    if not isinstance(item, dict):
        raise IngestError(source, "a line must be a JSON object", line=number)
    if _notes_alone(item):
        return None  # the rejected log's first line
    try:
        return _article(item, source, number, context)
    except IngestError as error:
        error.record = item  # kept whole in the rejected log, to fix and ingest again
        raise


def _notes_alone(item: dict) -> bool:
    return bool(item) and all(key.startswith(NOTE_PREFIX) for key in item)


def holds_notes_alone(line: bytes) -> bool:
    """Whether a line is notes alone, which the reader skips (the rejected log's first): so
    that counting a file's records (sources.estimate_records) counts what the reader reads.
    Only a line that starts as notes do is read as JSON."""
    line = line.removeprefix(BOM)
    if not _NOTES_LINE_START.match(line):
        return False
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested past Python's stack
        return False
    return isinstance(item, dict) and _notes_alone(item)


def _refuse_constant(name: str) -> float:
    # Python reads NaN and Infinity, which JSON does not have and a JSON column refuses.
    raise ValueError(f"{name} is not a JSON value")


def _article(item: dict, source: str, number: int, context: ReadContext) -> ArticleData:
    """The record's article. A field of the wrong type rejects the record, naming the field
    and what it held: a value turned into text ("5", "None") or cut short would be saved as
    if the source had said so, and the operator fixes the record in the rejected log."""

    def text(key: str) -> str:
        return _text(item, key, source, number)

    title, body, published = text("title"), text("body"), text("published")
    for key, value in (("title", title), ("body", body), ("published", published)):
        require(value, key, source, number)
    outlet = text("outlet") or context.outlet  # --outlet only where the record names none
    require(outlet, "outlet (give one with --outlet)", source, number)
    try:
        published_at, time_known = context.published(published, outlet)
    except ValueError as error:
        raise IngestError(source, f"unreadable date: {error}", line=number) from error
    dateline = text("dateline")
    return ArticleData(
        source=f"{source}:{number}",
        title=title,
        outlet_name=outlet,
        published_at=published_at,
        published_time_known=time_known,
        body=body,
        dateline=parse_dateline(dateline) if dateline else None,
        tags=_tags(item.get("tags"), source, number),
        canonical_url=text("url"),
        language=_language(text("language"), source, number),
        summary=text("summary"),
        extra={
            key: value
            for key, value in item.items()
            if key not in KNOWN_KEYS and not key.startswith(NOTE_PREFIX)
        },
        as_read=item,
    )


def _text(item: dict, key: str, source: str, number: int) -> str:
    """The field's text; "" when it is missing or null."""
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise IngestError(source, f"{key} must be text, not {_kind(value)}", line=number)
    return value


def _tags(value: object, source: str, number: int) -> list[str]:
    """A list of text, or one text with commas. A tag that is not text rejects the record
    (rather than dropping that tag): the record is then saved whole or not at all, and the
    rejected log holds it to fix."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return value.split(",")
    if not isinstance(value, list):
        raise IngestError(
            source, f"tags must be a list or a text with commas, not {_kind(value)}", line=number
        )
    for position, tag in enumerate(value, start=1):
        if not isinstance(tag, str):
            raise IngestError(
                source, f"tags must be text, not {_kind(tag)} (tag {position})", line=number
            )
    return value


# An ISO 639 code, with a script and a region if need be: "en", "fil", "pt-BR", "zh-Hant-TW".
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?")


def _language(value: str, source: str, number: int) -> str:
    """A language code, or "" (then detected). Anything else rejects the record rather than
    being ignored: a language name or a longer tag means the source's fields were mapped
    wrongly, which a guess from the text would hide (and cutting it to the column's 16
    characters would store a code nobody wrote)."""
    code = value.strip()
    if code and not _LANGUAGE_CODE.fullmatch(code):
        shown = code if len(code) <= 40 else code[:40] + "…"
        raise IngestError(
            source,
            f'language must be a language code such as "en" or "pt-BR", not "{shown}"',
            line=number,
        )
    return code


def _kind(value: object) -> str:
    """What a JSON value is, as the error says it: "a number", "a list"."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return "text"
