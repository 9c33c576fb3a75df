"""What trafilatura and htmldate log while a page is read, said in one line naming the page.

Apart from archive.ingest.html_pages so that a run sets it up without importing them: a
JSON Lines or feed ingest reads no page, and those imports were 55 ms of its start.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

logger = logging.getLogger(__name__)

# The loggers trafilatura speaks through while it reads a page (htmldate finds its date).
EXTRACTION_LOGGERS = ("trafilatura", "htmldate")

# What is heard of the page being read, while extraction_log_lines_naming_pages is set up.
_page_being_read: ContextVar["_Collected | None"] = ContextVar("page_being_read", default=None)


@contextmanager
def extraction_log_lines_naming_pages() -> Iterator[None]:
    """For a run that reads pages: what trafilatura (and htmldate) log while it reads one is
    said in one line that names the page (``crawl.warc#record 3: trafilatura: lxml parsing
    failed: Document is empty; ...``): their own lines name no file (a WARC record's
    address at best), and one bad page gave two or three of them. Set up once for the run
    (archive.ingest.pipeline), not for each of a crawl's thousands of pages; read_html_page
    names the page being read. What they log outside a page goes on as it would have."""
    handler = _ToPageBeingRead()
    loggers = [logging.getLogger(name) for name in EXTRACTION_LOGGERS]
    propagating = [log.propagate for log in loggers]
    for log in loggers:
        log.addHandler(handler)
        log.propagate = False  # not to the console as they are: named, by log_lines_naming
    try:
        yield
    finally:
        for log, propagate in zip(loggers, propagating, strict=True):
            log.removeHandler(handler)
            log.propagate = propagate


@contextmanager
def log_lines_naming(source: str) -> Iterator[None]:
    """What is heard while one page is read, said once it is read: each message once, at
    the highest level among them."""
    heard = _Collected()
    token = _page_being_read.set(heard)
    try:
        yield
    finally:
        _page_being_read.reset(token)
        if heard.messages:
            said = "; ".join(heard.messages)
            logger.log(heard.highest, "%s: trafilatura: %s", source, said)


class _ToPageBeingRead(logging.Handler):
    """Hands a log record to the page being read; with none, to the root logger's handlers,
    where it would have propagated (trafilatura's and htmldate's loggers are its children)."""

    def emit(self, record: logging.LogRecord) -> None:
        heard = _page_being_read.get()
        if heard is None:
            logging.getLogger().callHandlers(record)
        else:
            heard.emit(record)


class _Collected(logging.Handler):
    """Log records' messages, each once in the order said, and their highest level. Their
    loggers' levels still decide what is said at all. Never added to a logger: its records
    come through _ToPageBeingRead."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: dict[str, None] = {}
        self.highest = logging.NOTSET

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.messages[record.getMessage()] = None
        except Exception:  # a malformed call of the library's: logging's own report
            self.handleError(record)
            return
        self.highest = max(self.highest, record.levelno)
