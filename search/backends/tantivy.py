"""tantivy: the embedded backend for large archives, a Rust search library on disk.

The index lives in SEARCH_INDEX_DIR/tantivy, in generations as Whoosh's does
(search/backends/generations.py): CURRENT names the serving generation, a rebuild writes a
new one beside it and swaps CURRENT when it is complete. Each generation is a tantivy index
plus the VOCABULARY file suggestions come from (search/backends/vocabulary.py), which
tantivy leaves alone: it only ever deletes files it wrote.

One writer at a time: tantivy's own lock file (.tantivy-writer.lock, released when the
writer is done), which a writer waits SEARCH_WRITER_TIMEOUT for; all writes come through
search.sync. Each process keeps one reader per generation and reloads it when meta.json
(rewritten by every commit, in any process) has changed, never per query otherwise.

What is indexed and how queries, filters and highlights are built: tantivy_schema.py.
"""

import functools
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NoReturn

import tantivy
from django.conf import settings
from tantivy import Order, SnippetGenerator

from archive.processes import libc
from search.backends import base
from search.backends import tantivy_schema as ts
from search.backends.generations import Generations
from search.backends.vocabulary import PendingWords, Vocabulary
from search.documents import SearchDocument
from search.query import parse_query
from search.spelling import corrections_for, replace_words

logger = logging.getLogger(__name__)

SUBDIRECTORY = "tantivy"  # of SEARCH_INDEX_DIR, whose top level is Whoosh's
BULK_WRITE = 1000  # documents in one write from which a second indexing thread pays off
# The writer's memory budget (split between its threads): past it, tantivy writes a segment.
SMALL_WRITE_HEAP = 32_000_000
BULK_WRITE_HEAP = 256_000_000
MALLOC_ARENAS = 2  # see limit_malloc_arenas
_M_ARENA_MAX = -8  # glibc's malloc.h
# Words a rebuild gathers before merging them into the vocabulary file: the file is rewritten
# whole at each merge, so not once per batch.
VOCABULARY_FLUSH = 200_000
# Facet values asked of tantivy beyond those shown, so that values with equal counts at the
# cut are ordered by value as on the other backends.
FACET_SLACK = 30
EVERY_VALUE = 1 << 30  # a terms aggregation's segment_size that keeps every value's count
# Facets of recent searches, per index state: counting tags and regions (several values an
# article) reads every match, the dearest part of a broad search, and paging through the
# results of one query asks for the same counts again.
FACET_CACHE_SIZE = 256
# Facets are counted over every match up to twice this many; above, over a sample of half
# to all of this many (a whole tier of buckets, tantivy_schema.in_sample) and scaled up, as
# estimates: counting tags and regions costs 0.2 to 0.35 µs a match (45 ms for a common word
# at 1,000,000 articles, 7 ms for the 19,000 matches of two or three common words), and
# the sample is counted after the search itself has already walked its matches once. At
# 5,000, the 19,000 matches' facets took p95 13 ms; at 2,500, 9 ms. A sample of 1,250 to
# 2,500 puts a facet with a tenth of the matches within about 15% of its count.
FACETS_EXACTLY_UP_TO = 2_500
# A first page whose search has at most this many matches collects them all in its one pass,
# and its facets are counted over their ids instead of by running the query again: a
# phrase's positions are then checked once, not twice.
FACETS_FROM_MATCHES_UP_TO = 200
# As many for a query with a phrase, whose second run costs as much as its first (the slowest
# phrases at 1,000,000 articles: 7 to 20 ms a run for 160 to 700 matches), when counting over
# ids costs 3.6 ms for 700 of them (17 ms for 2,000: each id is a term looked up in every
# segment).
FACETS_FROM_PHRASE_MATCHES_UP_TO = 1_000
# In an archive of at least this many articles, a search's facets are counted while another
# thread searches for its page: tantivy lets go of the GIL while it searches, so the two
# walks over the matches run on two cores (two or three common words ANDed at 1,000,000
# articles: each walk takes 4 to 9 ms). How to count (every match, or which sample) depends
# on the total, known only once the page's walk is done: it is guessed from the matches
# among about PROBE_ARTICLES articles (a sample tier), and the counts are kept when the
# total bears the guess out, else counted again as without a guess. In a smaller archive
# a walk takes about a millisecond, what the guess itself would cost. A query with a phrase
# is never guessed: a phrase's matches are found by checking positions wherever its words
# meet, and tantivy checks them up to each next sample article as well, so the probe costs
# as much as the search (12 ms of a slow phrase's 13).
FACETS_AHEAD_FROM_ARTICLES = 100_000
PROBE_ARTICLES = 4_096


@dataclass(frozen=True)
class _Reader:
    """What one search reads: a searcher and the index state it sees."""

    generation: str
    index: tantivy.Index
    meta: tuple  # meta.json's identity when the searcher was made
    searcher: tantivy.Searcher


@dataclass(frozen=True)
class _Facets:
    # Most frequent first, then by value; more values than shown (FACET_SLACK), not yet
    # capped at the total (for counts made before it was known).
    counts: dict[str, tuple[base.FacetCount, ...]]
    buckets: int | None  # counted in a sample of this many buckets and scaled up; None: all

    @property
    def estimated(self) -> bool:
        return self.buckets is not None

    def bear_out(self, total: int) -> bool:
        """Whether these counts are as good as those counted knowing the total: exact ones
        always; a sample's if the total's own sample is within a tier of it (half to twice
        its size), and the total too many to count every match."""
        if self.buckets is None:
            return True
        wanted = _sample_buckets(total)
        return wanted is not None and self.buckets // 2 <= wanted <= self.buckets * 2

    def shown(self, total: int, limit: int) -> "_Facets":
        """The first ``limit`` values of each facet, no count above the total (a scaled-up
        estimate can pass it: a filter's own value holds every match)."""
        counts = {}
        for name, values in self.counts.items():
            if values and values[0].count > total:  # the largest first
                values = sorted(
                    (base.FacetCount(v.value, min(v.count, total)) for v in values),
                    key=lambda facet: (-facet.count, facet.value),
                )
            counts[name] = tuple(values[:limit])
        return _Facets(counts, self.buckets)


def _meta_stamp(path: Path) -> tuple:
    stat = (path / "meta.json").stat()
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


@functools.cache
def limit_malloc_arenas() -> bool:
    """At most MALLOC_ARENAS glibc malloc arenas in this process from now on; False where
    that cannot be asked (not glibc).

    glibc gives threads that allocate at once arenas of their own (up to eight a core) and
    keeps what is freed in each for that arena. tantivy's indexing and merging threads are
    new at every commit: an ingest's resident memory grew with the run (its own memory 249
    MiB after 10,000 articles, 361 MiB after 100,000; with two arenas 242 and 211 MiB, peaks
    308 and 360 MiB instead of 327 and 441). Asked before the first writer starts threads."""
    try:
        return bool(libc().mallopt(_M_ARENA_MAX, MALLOC_ARENAS))
    except AttributeError:  # no C library, or one without mallopt
        return False


@contextmanager
def _tantivy_errors(failure: type[base.SearchBackendError], doing: str) -> Iterator[None]:
    """tantivy reports a missing or damaged index as ValueError (or OSError), and a Rust
    panic as pyo3's PanicException, a BaseException: all become the contract's errors."""
    try:
        yield
    except (ValueError, OSError) as error:
        raise failure(f"The tantivy index cannot be {doing}: {error}") from error
    except BaseException as error:
        if type(error).__name__ != "PanicException":
            raise
        raise failure(f"The tantivy index cannot be {doing}: {error}") from error


class _TantivyWrite(base.BulkWrite):
    """One writer kept open from the first ``add`` to ``commit`` (or ``cancel``), holding the
    index's writer lock: tantivy's indexing threads index each batch as it is added, while
    an ingest saves its next one, instead of all of them at the commit. ``documents``: about
    how many it will write (a bulk write gets a bigger heap and, unless ``threads`` says
    otherwise, a second indexing thread).
    """

    def __init__(
        self, backend: "SearchBackend", documents: int, threads: int | None = None
    ) -> None:
        self.backend = backend
        self.documents = documents
        self.threads = threads
        self.generation: str | None = None
        self.writer: tantivy.IndexWriter | None = None
        self.words: PendingWords | None = None

    def add(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        # The last document of an id wins; an id is deleted before it is added again (a
        # deletion reaches the documents added before it, committed or not).
        documents = list({document.article_id: document for document in upserts}.values())
        deletions = set(deletions) - {document.article_id for document in documents}
        if not documents and not deletions:
            return
        try:
            if self.writer is None:
                self._open()
            with _tantivy_errors(base.SearchBackendError, "written"):
                for article_id in [*deletions, *(d.article_id for d in documents)]:
                    self.writer.delete_documents_by_term("id", article_id)
                for document in documents:
                    self.writer.add_document(ts.document_of(document))
            self.words.gather(documents)
        except BaseException as error:
            self.cancel()
            _raise_as_write_failure(error)

    def commit(self) -> None:
        if self.writer is None:
            return
        try:
            # Written into the generation a rebuild (begun since the first add) replaces,
            # it would be lost: left for after the rebuild, as a write begun during one is.
            generations = self.backend.generations
            if generations.rebuilding() or generations.current() != self.generation:
                raise base.SearchBackendError("A rebuild is in progress; changes wait for it.")
            with _tantivy_errors(base.SearchBackendError, "written"):
                # Under the writer's lock, so two processes never merge the file at once.
                self.words.merge()
                self.writer.commit()
        except BaseException as error:
            self.cancel()
            _raise_as_write_failure(error)
        self._end()

    def cancel(self) -> None:
        if self.writer is None:
            return
        try:
            with _tantivy_errors(base.SearchBackendError, "written"):
                self.writer.rollback()
        finally:
            self._end()

    def _open(self) -> None:
        if self.backend.generations.rebuilding():
            raise base.SearchBackendError("A rebuild is in progress; changes wait for it.")
        reader = self.backend._reader(create=True)
        self.writer = self.backend._acquire_writer(reader.index, self.documents, self.threads)
        self.generation = reader.generation
        self.words = self.backend._vocabulary(reader.generation).pending()

    def _end(self) -> None:
        """Ends the writer (not only when the Python object is collected, which a traceback
        can delay): its merges finish and its lock is released."""
        writer, self.writer, self.words = self.writer, None, None
        with _tantivy_errors(base.SearchBackendError, "written"):
            writer.wait_merging_threads()


def _raise_as_write_failure(error: BaseException) -> NoReturn:
    if isinstance(error, base.SearchBackendError) or not isinstance(error, Exception):
        raise error
    raise base.SearchBackendError(f"Writing the search index failed: {error}") from error


class SearchBackend(base.SearchBackend):
    name = "tantivy"

    def __init__(self, index_dir: str | Path | None = None, writer_timeout: float | None = None):
        self.root = Path(index_dir or Path(settings.SEARCH_INDEX_DIR) / SUBDIRECTORY)
        self.generations = Generations(self.root)
        self.writer_timeout = (
            settings.SEARCH_WRITER_TIMEOUT if writer_timeout is None else writer_timeout
        )
        self._lock = threading.Lock()
        self._reader_state: _Reader | None = None
        self._vocabularies: dict[str, Vocabulary] = {}
        self._facet_cache: OrderedDict[tuple, _Facets] = OrderedDict()
        self._page_pool: tuple[int, ThreadPoolExecutor] | None = None  # (its process, it)

    # Reading

    def _reader(self, create: bool = False) -> _Reader:
        """This process's reader of the serving generation, reloaded only when a commit (in
        any process) has changed it since."""
        generation = self.generations.current()
        if generation is None:
            if not create:  # a lost index is reported, not silently served empty
                raise base.SearchUnavailable(f"No search index in {self.root}: run rebuild_index.")
            generation = self._create_first_generation()
        path = self.generations.path(generation)
        with self._lock, _tantivy_errors(base.SearchUnavailable, "opened"):
            reader = self._reader_state
            meta = _meta_stamp(path)
            if reader is None or reader.generation != generation:
                index = ts.open_index(str(path))
                reader = _Reader(generation, index, meta, index.searcher())
            elif reader.meta != meta:
                reader.index.reload()
                reader = _Reader(generation, reader.index, meta, reader.index.searcher())
            self._reader_state = reader
            return reader

    def _create_first_generation(self) -> str:
        with self._lock:
            generation = self.generations.current()
            if generation is None:
                generation, path = self.generations.new()
                ts.open_index(str(path), create=True)
                self.generations.switch_to(generation)
            return generation

    def count(self) -> int:
        reader = self._reader()
        with _tantivy_errors(base.SearchUnavailable, "read"):
            return reader.searcher.num_docs

    def analysis_is_current(self) -> bool:
        if self.generations.current() is None:
            return True
        # An index built before language ranges filters on whole tags: language:en misses
        # "en-us" until rebuilt.
        return ts.is_current(self._reader().index.schema)

    def check(self) -> list[str]:
        try:
            self._reader()
        except base.SearchBackendError as error:
            return [str(error)]
        return []

    # Writing

    @contextmanager
    def _writer(self, index: tantivy.Index, documents: int) -> Iterator[tantivy.IndexWriter]:
        """The index's single writer, waited for up to writer_timeout; whatever it did not
        commit is rolled back, and it always ends (its lock released) on leaving."""
        writer = self._acquire_writer(index, documents)
        try:
            yield writer
        except BaseException:
            with _tantivy_errors(base.SearchBackendError, "written"):
                writer.rollback()
            raise
        finally:
            # Ends the writer (not only when the Python object is collected, which a
            # traceback can delay): its merges finish and its lock is released.
            with _tantivy_errors(base.SearchBackendError, "written"):
                writer.wait_merging_threads()

    def _acquire_writer(
        self, index: tantivy.Index, documents: int, threads: int | None = None
    ) -> tantivy.IndexWriter:
        limit_malloc_arenas()
        bulk = documents >= BULK_WRITE
        threads = threads or (min(2, os.cpu_count() or 1) if bulk else 1)
        heap = BULK_WRITE_HEAP if bulk else SMALL_WRITE_HEAP
        deadline = time.monotonic() + self.writer_timeout
        while True:
            try:
                return index.writer(heap_size=heap, num_threads=threads)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise base.SearchBackendError(
                        f"The tantivy index cannot be written: {error}"
                    ) from error
                if time.monotonic() >= deadline:
                    raise base.SearchBackendError(
                        "The search index is locked by another writer."
                    ) from error
            time.sleep(0.05)

    def apply(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        write = _TantivyWrite(self, documents=len(upserts))
        write.add(upserts, deletions)
        write.commit()

    def bulk_write(self) -> base.BulkWrite:
        # One indexing thread: an ingest's reader and saving processes keep both cores busy,
        # and a second thread only competed with them (and wrote a segment more at each
        # commit, to merge): 10,000 articles at 695-715 articles/s with two, 742-769 with one.
        return _TantivyWrite(self, documents=BULK_WRITE, threads=1)

    def has_index(self) -> bool:
        return self.generations.current() is not None  # a directory someone may delete

    def clear(self) -> None:
        generation, path = self.generations.new()
        with _tantivy_errors(base.SearchBackendError, "created"):
            ts.open_index(str(path), create=True)
        self.generations.switch_to(generation)

    def rebuild(self, batches: Iterator[Sequence[SearchDocument]]) -> int:
        with self.generations.marked_as_rebuilding():
            generation, path = self.generations.new()
            try:
                written = self._build(generation, path, batches)
            except BaseException:
                self.generations.discard(generation)
                raise
            self.generations.switch_to(generation)
            return written

    def _build(
        self, generation: str, path: Path, batches: Iterator[Sequence[SearchDocument]]
    ) -> int:
        with _tantivy_errors(base.SearchBackendError, "created"):
            index = ts.open_index(str(path), create=True)
        words = self._vocabulary(generation).pending()
        written = 0
        with self._writer(index, BULK_WRITE) as writer:
            for batch in batches:
                with _tantivy_errors(base.SearchBackendError, "written"):
                    for document in batch:
                        writer.add_document(ts.document_of(document))
                words.gather(batch)
                if len(words.words) >= VOCABULARY_FLUSH:
                    words.merge()
                written += len(batch)
            words.merge()
            with _tantivy_errors(base.SearchBackendError, "written"):
                writer.commit()
        return written

    def _vocabulary(self, generation: str) -> Vocabulary:
        """One per generation and process: it rereads its file only when the file changed."""
        if generation not in self._vocabularies:
            self._vocabularies[generation] = Vocabulary(self.generations.path(generation))
        return self._vocabularies[generation]

    # Searching

    def search(self, request: base.SearchRequest) -> base.SearchResults:
        reader = self._reader()
        with _tantivy_errors(base.SearchUnavailable, "read"):
            searcher = reader.searcher
            schema = reader.index.schema
            words = ts.text_query(schema, request.query)
            if words is None:
                return base.SearchResults(total=0, hits=[])
            query = ts.filtered(schema, words, request)
            facets = None
            if request.facets:
                total, found, facets = self._page_and_facets(reader, query, request)
            else:
                total, found, _ = _page(searcher, query, request)
            if request.query.has_text:
                hits = _highlighted(searcher, schema, words, found)
            else:
                hits = [_plain(score, document) for score, document in found]
            results = base.SearchResults(total=total, hits=hits)
            if request.query.has_text and total < base.SUGGEST_BELOW:
                results.suggestion = self._suggestion(reader, request, total)
            if facets is not None:
                results.facets = {name: list(values) for name, values in facets.counts.items()}
                results.facets_are_estimates = facets.estimated
            return results

    def _page_and_facets(
        self, reader: _Reader, query: tantivy.Query, request: base.SearchRequest
    ) -> tuple[int, list[tuple[float, tantivy.Document]], _Facets]:
        """The total and page of ``_page``, and the facets: from the cache, counted while
        the page is searched (FACETS_AHEAD_FROM_ARTICLES), or counted after it."""
        # Everything that decides the counts, and nothing else (not the page or the sort).
        key = (
            reader.generation,
            reader.meta,
            replace(request, sort=base.Sort.RELEVANCE, page=1, page_size=1),
        )
        with self._lock:
            facets = self._facet_cache.get(key)
            if facets is not None:
                self._facet_cache.move_to_end(key)
        if facets is not None:
            total, found, _ = _page(reader.searcher, query, request)
            return total, found, facets
        has_phrase = ts.has_phrase(request.query)
        collect_up_to = (
            FACETS_FROM_PHRASE_MATCHES_UP_TO if has_phrase else FACETS_FROM_MATCHES_UP_TO
        )
        guess = None if has_phrase else _guessed_total(reader, query)
        if guess is not None and guess > collect_up_to:
            page = self._page_searches().submit(_page, reader.searcher, query, request)
            try:
                ahead = _count_facets(reader, query, request.facet_limit, _sample_buckets(guess))
            finally:  # the page's search is waited for, whatever happened here
                total, found, every_match = page.result()
            facets = ahead if ahead.bear_out(total) else None
        else:
            total, found, every_match = _page(reader.searcher, query, request, collect_up_to)
        if facets is None:
            counted = query
            if every_match is not None:  # counted over their ids, not by asking again
                ids = reader.searcher.fast_field_values("id", every_match)
                counted = ts.with_ids(reader.index.schema, ids)
            facets = _count_facets(reader, counted, request.facet_limit, _sample_buckets(total))
        facets = facets.shown(total, request.facet_limit)
        with self._lock:
            self._facet_cache[key] = facets
            while len(self._facet_cache) > FACET_CACHE_SIZE:
                self._facet_cache.popitem(last=False)
        return total, found, facets

    def _page_searches(self) -> ThreadPoolExecutor:
        """This process's threads for page searches (a pool's threads do not survive a
        fork: a web server's workers each make their own)."""
        with self._lock:
            if self._page_pool is None or self._page_pool[0] != os.getpid():
                pool = ThreadPoolExecutor(os.cpu_count() or 2, thread_name_prefix="tantivy-page")
                self._page_pool = (os.getpid(), pool)
            return self._page_pool[1]

    def _suggestion(self, reader: _Reader, request: base.SearchRequest, total: int) -> str | None:
        """The query with each unknown word replaced by the closest indexed word, offered
        only when the corrected query finds more."""

        def articles_with(word: str) -> int:
            tokens = ts.analysed(word)  # none for a stop word, which no correction should be
            if not tokens:
                return 0
            return max(reader.searcher.doc_freq(field, tokens[0][1]) for field in ts.TEXT_FIELDS)

        vocabulary = self._vocabulary(reader.generation)
        corrections = corrections_for(request.query, vocabulary, articles_with)
        if not corrections:
            return None
        corrected = replace_words(request.query.original, corrections)
        schema = reader.index.schema
        better = ts.text_query(schema, parse_query(corrected).without_filters())
        if better is None:
            return None
        found = reader.searcher.search(ts.filtered(schema, better, request), limit=1)
        return corrected if found.count > total else None


def _page(
    searcher: tantivy.Searcher,
    query: tantivy.Query,
    request: base.SearchRequest,
    collect_up_to: int = FACETS_FROM_MATCHES_UP_TO,
) -> tuple[int, list[tuple[float, tantivy.Document]], list[tantivy.DocAddress] | None]:
    """How many documents match, the (score, stored document) pairs of the page, and on a
    first page with facets and at most ``collect_up_to`` matches, every match's address
    (None otherwise)."""
    by_date = request.sort != base.Sort.RELEVANCE or not request.query.has_text
    size = max(request.page_size, 1)
    collect_all = request.facets and request.offset == 0
    limit = max(size, collect_up_to) if collect_all else size
    options: dict = {"limit": limit, "offset": request.offset}
    if by_date:
        options["order_by_field"] = "chronology"
        options["order"] = Order.Asc if request.sort == base.Sort.OLDEST else Order.Desc
    found = searcher.search(query, **options)
    # Sorted by date, tantivy gives the sort key, not a relevance score.
    page = [
        (0.0 if by_date else float(score), searcher.doc(address))
        for score, address in found.hits[:size]
    ]
    every_match = None
    if collect_all and found.count <= limit:
        every_match = [address for _, address in found.hits]
    return found.count, page, every_match


def _highlighted(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    words: tantivy.Query,
    found: list[tuple[float, tantivy.Document]],
) -> list[base.Hit]:
    """Hits with the query's words marked: the whole title, and the body's best passage."""
    titles = SnippetGenerator.create(searcher, words, schema, "title")
    titles.set_max_num_chars(ts.TITLE_CHARS)
    bodies = SnippetGenerator.create(searcher, words, schema, "body")
    bodies.set_max_num_chars(ts.SNIPPET_CHARS)
    return [
        base.Hit(
            article_id=document.get_first("id"),
            score=score,
            title_html=ts.title_html(
                document.get_first("title"), titles.snippet_from_doc(document)
            ),
            snippet_html=ts.snippet_html(
                document.get_first("body"), bodies.snippet_from_doc(document)
            ),
        )
        for score, document in found
    ]


def _plain(score: float, document: tantivy.Document) -> base.Hit:
    """A hit of a search without words: its title and first words, escaped."""
    return base.Hit(
        article_id=document.get_first("id"),
        score=score,
        title_html=ts.title_html(document.get_first("title"), None),
        snippet_html=ts.snippet_html(document.get_first("body"), None),
    )


def _sample_buckets(total: int) -> int | None:
    """The sample tier a search with this many matches counts its facets in: None (every
    match) up to twice FACETS_EXACTLY_UP_TO, else the largest tier that holds at most about
    that many (half as many at least)."""
    if total <= 2 * FACETS_EXACTLY_UP_TO:
        return None
    return ts.whole_tier(ts.SAMPLE_BUCKETS * FACETS_EXACTLY_UP_TO // total)


def _guessed_total(reader: _Reader, query: tantivy.Query) -> int | None:
    """About how many documents match: those among the smallest tier of about PROBE_ARTICLES
    articles, scaled up. None in an archive too small for a guess to pay, or in an index
    without sample tiers."""
    searcher = reader.searcher
    if searcher.num_docs < FACETS_AHEAD_FROM_ARTICLES:
        return None
    buckets = ts.whole_tier(ts.SAMPLE_BUCKETS * PROBE_ARTICLES // searcher.num_docs)
    # Not scored: only the count is wanted.
    probe = ts.in_sample(reader.index.schema, tantivy.Query.const_score_query(query, 0.0), buckets)
    if probe is None:
        return None
    return searcher.search(probe, limit=1).count * ts.SAMPLE_BUCKETS // buckets


def _count_facets(
    reader: _Reader, query: tantivy.Query, limit: int, buckets: int | None
) -> _Facets:
    """Counts over every match, or over those in a sample of ``buckets`` buckets (a whole
    tier) scaled up (tantivy's terms aggregations on the fast fields); most frequent first,
    then by value, with FACET_SLACK values more than ``limit``, not capped at the total."""
    sample = ts.in_sample(reader.index.schema, query, buckets) if buckets is not None else None
    scale = ts.SAMPLE_BUCKETS / buckets if sample is not None else 1
    terms = {"size": limit + FACET_SLACK}
    if sample is None:
        # tantivy keeps each segment's top 10 x size values only and drops the rest of the
        # counts: at 1,000,000 articles (5 segments) every rare word's top 20 tags held a
        # count short by up to 14. Counted whole, they are exact: 1 ms more (p50) for a
        # rare word's 1,900 matches. A sample's counts are estimates, and keep the cut.
        terms["segment_size"] = EVERY_VALUE
    aggregations = {
        name: {"terms": {"field": field, **terms}} for name, field in ts.FACET_FIELDS.items()
    }
    answer = reader.searcher.aggregate(sample or query, aggregations)
    counts = {}
    for name in base.FACET_FIELDS:
        values = [
            base.FacetCount(value=str(bucket["key"]), count=round(bucket["doc_count"] * scale))
            for bucket in answer.get(name, {}).get("buckets", [])
            if bucket["doc_count"] and str(bucket["key"])
        ]
        values.sort(key=lambda facet: (-facet.count, facet.value))
        counts[name] = tuple(values)
    return _Facets(counts, buckets if sample is not None else None)
