from dataclasses import dataclass, field
from datetime import datetime

from archive.datelines import Dateline


@dataclass
class ArticleData:
    """One article as a source gives it, before it touches the database."""

    source: str
    title: str
    outlet_name: str
    published_at: datetime  # timezone aware
    body: str  # plain text, paragraphs separated by a blank line
    published_time_known: bool = False
    dateline: Dateline | None = None
    tags: list[str] = field(default_factory=list)
    # A tags line whose separators were lost ("Deir ez-Zor Middle Euphrates Valley"):
    # split later against known tags and place names.
    unseparated_tags: str = ""
    canonical_url: str = ""
    language: str = ""
    summary: str = ""
    extra: dict = field(default_factory=dict)
    # The record as its source gave it (a JSON Lines object), for the rejected log should it
    # be rejected once read (no text once its markup is removed): dropped once prepared.
    as_read: dict | None = field(default=None, repr=False, compare=False)
