from pathlib import Path


class IngestError(Exception):
    """A source (or one record of it) that cannot become an article, and why.

    ``str()`` is the one line shown to the person running the ingest.
    """

    def __init__(
        self,
        source: str | Path,
        reason: str,
        line: int | None = None,
        record: object = None,
        raw: bytes | None = None,
    ) -> None:
        self.source = str(source)
        self.reason = reason
        self.line = line
        self.record = record  # the rejected record as read, when there is one to keep
        # A JSON Lines line exactly as read (without its line end), whatever it holds: the
        # rejected log keeps it verbatim when it is not a JSON object, to fix and ingest again.
        self.raw = raw
        super().__init__(str(self))

    def __reduce__(self):
        # Sent from the reader process: rebuilt from its fields, not from the message.
        return (type(self), (self.source, self.reason, self.line, self.record, self.raw))

    @property
    def where(self) -> str:
        """The file and line (or record) the error is about: ``feed.jsonl:12``."""
        return f"{self.source}:{self.line}" if self.line else self.source

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"
