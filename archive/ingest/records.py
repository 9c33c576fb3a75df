"""What every format's reader shares: the context it reads in and how it builds a record."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from archive.ingest.article_data import ArticleData
from archive.ingest.dates import parse_published
from archive.ingest.errors import IngestError
from archive.ingest.saved_page import OutletRules

# A reader yields articles and, for records it cannot read, errors; never raises for one.
Records = Iterator[ArticleData | IngestError]


@dataclass
class ReadContext:
    """How to read one source: which outlet where a record does not name its own (--outlet
    never overrides the one a record, feed or page gives), and each outlet's
    habits (date order, time zone, furniture)."""

    outlet: str = ""
    rules_for_outlet: Callable[[str], OutletRules] = field(default=lambda name: OutletRules())

    def published(self, text: str, outlet_name: str) -> tuple[datetime, bool]:
        """Raises ValueError for a date the outlet's rules cannot read."""
        rules = self.rules_for_outlet(outlet_name)
        date = parse_published(text, day_first=rules.day_first, time_zone=rules.time_zone)
        return date.at, date.time_known


def require(value: object, what: str, source: str, line: int | None) -> None:
    if not value or (isinstance(value, str) and not value.strip()):
        raise IngestError(source, f"no {what}", line=line)
