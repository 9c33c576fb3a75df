"""WARC and WARC.gz web archives (warcio): each HTML response record is an HTML page."""

from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.ingest.errors import IngestError
from archive.ingest.html_pages import read_html_page
from archive.ingest.records import ReadContext, Records


def read_warc(stream: BinaryIO, source: str, context: ReadContext) -> Records:
    """Streams the archive record by record (gzip or not: warcio reads both)."""
    number = 0
    try:
        for record in ArchiveIterator(stream):
            number += 1
            if record.rec_type != "response":
                continue
            headers = record.http_headers
            content_type = headers.get_header("Content-Type", "") if headers else ""
            if "html" not in content_type.lower():
                continue  # images, scripts, robots.txt: not articles
            if not _succeeded(headers):
                # A redirect, a "not found" page, a server error: the crawl's record of a
                # response, not an article (a 404 page can look like one), and no error in
                # the source either, so nothing to report.
                continue
            where = f"{source}#record {number}"
            uri = record.rec_headers.get_header("WARC-Target-URI", "")
            date = record.rec_headers.get_header("WARC-Date", "")
            try:
                payload = record.content_stream().read()
                markup = payload.decode(_charset(content_type), errors="replace")
                yield read_html_page(markup, where, context, url=uri, fallback_date=date)
            except IngestError as error:
                yield error
            except Exception as error:  # a damaged record: report it, keep the others
                yield IngestError(where, f"unreadable record ({type(error).__name__}: {error})")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as error:
        yield IngestError(source, f"damaged WARC after record {number}: {error}")
    except Exception as error:  # warcio fails in many ways on a corrupt stream
        yield IngestError(source, f"damaged WARC after record {number} ({type(error).__name__})")


def _succeeded(headers) -> bool:
    """Whether the HTTP response was a 2xx (one without a status line is taken as read)."""
    status = (headers.get_statuscode() or "") if headers else ""
    return not status.isdigit() or status.startswith("2")


def _charset(content_type: str) -> str:
    for part in content_type.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                "".encode(value.strip('"'))
                return value.strip('"')
            except LookupError:
                break
    return "utf-8"
