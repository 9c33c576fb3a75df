"""The search contract every backend keeps (see the contract tests in tests/search/).

A backend answers a ``SearchRequest`` with ``SearchResults`` and keeps an index of
``SearchDocument``s. It never reads the database's article tables: the documents it is
given (by search.sync, the only writer) are all it knows.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from search.documents import SearchDocument
from search.query import DateRange, ParsedQuery

FACET_FIELDS = ("outlet", "tag", "region", "year")
# A query that finds fewer hits than this gets a spelling suggestion, if one finds more.
SUGGEST_BELOW = 3
MARK_START, MARK_END = "<mark>", "</mark>"
SNIPPET_WORDS = 35  # a snippet's length when there are no words to find passages for


def first_words(text: str, count: int = SNIPPET_WORDS) -> str:
    """The text's first ``count`` words, and an ellipsis if there are more: a hit's snippet
    when no passage of it holds the query's words. Only they are split off: the rest of a
    600-word body stays one string (2 µs a hit; splitting all of it took 15)."""
    words = text.split(maxsplit=count)
    if len(words) > count:  # the last piece is the rest of the text
        return " ".join(words[:count]) + " …"
    return " ".join(words)


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"


@dataclass(frozen=True)
class SearchRequest:
    """A parsed query plus filters, each kind ANDed with the others. Within a kind: any of
    the outlets or languages (an article has one of each), all of the tags and regions (each
    one more narrows the search, as clicking a facet should).

    The query's own field filters (outlet:, tag:, region: ...) have already been resolved
    into the filter fields here by the caller (search.service).
    """

    query: ParsedQuery = field(default_factory=ParsedQuery)
    outlets: tuple[str, ...] = ()  # outlet slugs
    tags: tuple[str, ...] = ()  # tag slugs
    regions: tuple[int, ...] = ()  # region ids; matches articles in the region's subtree
    # Language ranges, lower case: "en" matches "en", "en-us", "en-gb" (RFC 4647 basic
    # filtering, archive.languages).
    languages: tuple[str, ...] = ()
    date_range: DateRange | None = None
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = 10
    facets: bool = True
    facet_limit: int = 20

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.page_size

    @property
    def asks_nothing(self) -> bool:
        """Typed text with no word, phrase or filter in it ("*", "-", an emoji): a search
        for nothing, which finds nothing, not the whole archive (no text at all, with or
        without filters, lists what the filters allow)."""
        query = self.query
        return (
            bool(query.original.strip())
            and not query.groups
            and not query.excluded
            and not (self.outlets or self.tags or self.regions or self.languages)
            and self.date_range is None
        )


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float
    # HTML: the text escaped, the matched words wrapped in <mark>...</mark>.
    title_html: str
    snippet_html: str


@dataclass(frozen=True)
class FacetCount:
    value: str  # outlet slug, tag slug, region id or year, as text
    count: int


@dataclass
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    suggestion: str | None = None  # the whole query, corrected
    total_is_estimate: bool = False
    facets_are_estimates: bool = False  # counted on a sample of the matches, scaled up


class SearchBackend(ABC):
    """One search engine behind the contract."""

    name: str = ""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResults:
        """Run a search. With no words in the query, every document matching the filters
        matches (newest first unless another sort is asked for)."""

    @abstractmethod
    def apply(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        """Add or replace ``upserts`` and remove the ``deletions`` (article ids), as one write.

        Raises SearchBackendError when the index cannot be written; then nothing is lost,
        since search.sync keeps its outbox rows until this returns.
        """

    @abstractmethod
    def clear(self) -> None:
        """Remove every document."""

    @abstractmethod
    def count(self) -> int:
        """How many documents the index holds."""

    @abstractmethod
    def rebuild(self, batches: Iterator[Sequence[SearchDocument]]) -> int:
        """Build a complete new index from ``batches`` while the current one keeps serving,
        then swap it in. Returns the number of documents indexed."""

    def bulk_write(self) -> "BulkWrite":
        """A write that takes documents a batch at a time and makes them visible at
        ``commit``. Backends that can index while the caller prepares the next batch (Whoosh
        in two processes) override this; the default buffers and applies at commit."""
        return BufferedWrite(self)

    def index(self, documents: Sequence[SearchDocument]) -> None:
        self.apply(documents, ())

    def delete(self, article_ids: Iterable[int]) -> None:
        self.apply((), article_ids)

    def check(self) -> list[str]:
        """Problems that stop this backend working here, as messages (none when fine)."""
        return []

    def warm_up(self) -> None:
        """Load what this process's first search would load, before a reader asks it (a web
        worker calls this as it starts): one search of every article, newest first, with its
        facets, opens the index and reads the arrays facets and date order are counted from
        (Whoosh at 100,000 articles: 0.7 s of a first search). Raises SearchBackendError as
        a search would, when there is no index to read."""
        self.search(SearchRequest(sort=Sort.NEWEST, facets=True))

    def analysis_is_current(self) -> bool:
        """Whether the serving index cut and stemmed its text as this code does. An upgrade
        that changes the analysis leaves an older index finding less until it is rebuilt
        (``rebuild_index``; ``--if-stale`` rebuilds it, and a system check warns). True
        where there is no index yet, or the analysis is not the backend's to keep."""
        return True

    def has_index(self) -> bool:
        """Whether there is an index to write to. One that is not there is made by the first
        write (search.sync decides when that is safe)."""
        return True


class BulkWrite(ABC):
    """One write fed in batches: ``add`` as often as needed, then ``commit`` or ``cancel``.
    Nothing added is searchable before ``commit``; ``commit`` raises SearchBackendError
    when the index cannot be written, as ``apply`` does."""

    @abstractmethod
    def add(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def cancel(self) -> None: ...


class BufferedWrite(BulkWrite):
    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend
        self.upserts: dict[int, SearchDocument] = {}
        self.deletions: set[int] = set()

    def add(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        for article_id in deletions:
            self.upserts.pop(article_id, None)
            self.deletions.add(article_id)
        for document in upserts:
            self.deletions.discard(document.article_id)
            self.upserts[document.article_id] = document

    def commit(self) -> None:
        upserts, deletions = list(self.upserts.values()), sorted(self.deletions)
        self.cancel()
        self.backend.apply(upserts, deletions)

    def cancel(self) -> None:
        self.upserts, self.deletions = {}, set()


class SearchBackendError(Exception):
    """The backend cannot do what was asked (index missing or corrupt, locked, unreachable)."""


class SearchUnavailable(SearchBackendError):
    """The index cannot be read right now; pages say so instead of failing."""
