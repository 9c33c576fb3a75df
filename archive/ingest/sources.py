"""Finding and opening sources: files, directories (walked), ``-`` for standard input, gzip
read transparently, and each source's format told from its content, not its name."""

import gzip
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from archive.ingest.errors import IngestError
from archive.ingest.jsonl import count_records

STDIN = "-"
_SNIFF_BYTES = 4096
_JSON_OBJECT_LINE = re.compile(rb'^[ \t]*\{\s*["}]', re.MULTILINE)


class Format(StrEnum):
    SAVED_PAGE = "saved page"
    JSONL = "JSON Lines"
    FEED = "RSS/Atom feed"
    HTML = "HTML page"
    WARC = "WARC"


@dataclass
class Source:
    name: str
    stream: BinaryIO  # positioned at the start, gzip already undone (except for WARC)
    format: Format


def source_paths(paths: Iterable[str | Path]) -> Iterator[str]:
    """The files named, directories walked recursively in a stable order, ``-`` as is."""
    for path in paths:
        if str(path) == STDIN:
            yield STDIN
        elif Path(path).is_dir():
            yield from (str(p) for p in sorted(Path(path).rglob("*")) if p.is_file())
        else:
            yield str(path)


def open_source(name: str, stdin: BinaryIO | None = None) -> Source:
    """Open one source and tell its format. Raises IngestError for what cannot be read.
    ``stdin``: standard input already read (spooled_stdin), for ``-``."""
    try:
        buffered: BinaryIO = (
            (stdin or spooled_stdin()) if name == STDIN else open(name, "rb")  # noqa: SIM115
        )
    except OSError as error:
        raise IngestError(name, f"cannot read: {error.strerror or error}") from error
    head = _peek(buffered, _SNIFF_BYTES)
    if head[:2] == b"\x1f\x8b":
        # mode="rb" always: GzipFile takes its mode from the file object's otherwise, and
        # standard input spooled to a temporary file is open "w+b", so it would write.
        unzipped = gzip.GzipFile(fileobj=buffered, mode="rb")
        try:
            inner_head = _peek_gzip(unzipped)
        except (OSError, EOFError) as error:
            raise IngestError(name, f"corrupt gzip: {error}") from error
        if inner_head.startswith(b"WARC/"):
            buffered.seek(0)  # warcio reads gzip record by record itself
            return Source(name, buffered, Format.WARC)
        unzipped = gzip.GzipFile(fileobj=_rewound(buffered), mode="rb")
        return Source(name, unzipped, detect_format(inner_head))
    return Source(name, buffered, detect_format(head))


def detect_format(head: bytes) -> Format:
    """The format from a source's first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    lowered = text[:1024].lower()
    if text.startswith(b"WARC/"):
        return Format.WARC
    if text.startswith(b"{"):
        return Format.JSONL
    if text.startswith(b"<"):
        if b"<rss" in lowered or b"<feed" in lowered or b"<rdf:rdf" in lowered:
            return Format.FEED
        return Format.HTML
    if _holds_a_json_object_line(text):
        return Format.JSONL  # whose first line is damaged: the good lines after it count
    return Format.SAVED_PAGE


def _holds_a_json_object_line(head: bytes) -> bool:
    """Whether a line of ``head`` opens a JSON object with a key (``{"``; the line may be cut
    short): prose never does, so a page saved as text has no such line."""
    return _JSON_OBJECT_LINE.search(head) is not None


def _peek(stream: BinaryIO, size: int) -> bytes:
    if hasattr(stream, "peek"):
        return stream.peek(size)[:size]
    position = stream.tell()
    head = stream.read(size)
    stream.seek(position)
    return head


def _peek_gzip(unzipped: gzip.GzipFile) -> bytes:
    return unzipped.read(_SNIFF_BYTES)


def spooled_stdin() -> BinaryIO:
    """Standard input made seekable (the format is told from its first bytes): kept in
    memory while small, spilled to a temporary file when large."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
    shutil.copyfileobj(sys.stdin.buffer, spool)
    spool.seek(0)
    return spool


def _rewound(stream: BinaryIO) -> BinaryIO:
    stream.seek(0)
    return stream


def estimate_records(paths: Iterable[str | Path]) -> int | None:
    """How many records the sources hold, for a progress bar's remaining time: counted for
    JSON Lines (a quick pass over the lines, leaving out a rejected log's first line, of
    notes alone, as the reader does), one for a page; None when it cannot be known without
    reading it all (standard input, feeds, web archives)."""
    total = 0
    for name in source_paths(paths):
        if name == STDIN:
            return None
        try:
            source = open_source(name)
        except IngestError:
            continue  # reported when it is ingested
        with source.stream as stream:
            if source.format is Format.JSONL:
                try:
                    total += count_records(stream)
                except (OSError, EOFError):
                    continue
            elif source.format in (Format.SAVED_PAGE, Format.HTML):
                total += 1
            else:
                return None
    return total
