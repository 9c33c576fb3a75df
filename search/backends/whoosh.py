"""The embedded default: a Whoosh index in a directory on disk.

SEARCH_INDEX_DIR holds generations (search/backends/generations.py): CURRENT names the
serving one, each gen-*/ is a complete Whoosh index, and a rebuild writes a new generation
beside the serving one and swaps CURRENT when it is complete, so searches never see a
half-built index. Whoosh allows one writer at a time: all writes come through search.sync,
and a writer waits SEARCH_WRITER_TIMEOUT for the lock.
"""

import html
import itertools
import logging
import multiprocessing
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from whoosh import highlight, index
from whoosh import query as wq
from whoosh.analysis import Analyzer
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.index import IndexError as WhooshIndexError
from whoosh.index import LockError
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.scoring import BM25F
from whoosh.searching import Results
from whoosh.writing import MERGE_SMALL

from archive.languages import UNDETERMINED, language_ranges
from archive.processes import die_with_parent
from archive.sanitise import MarkedHTML
from search.backends import base
from search.backends.generations import Generations
from search.backends.vocabulary import PendingWords, Vocabulary
from search.backends.whoosh_analysis import WordAnalyzer, WordPositions
from search.backends.whoosh_arrays import DocArrays, Matches, Snapshot
from search.backends.whoosh_highlight import Highlighter, WordAnalyses
from search.backends.whoosh_postings import segments_without_files, write_postings_files
from search.backends.whoosh_storage import MappedFileStorage
from search.documents import SearchDocument
from search.query import ParsedQuery, Term, parse_query
from search.spelling import corrections_for, replace_words

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("title", "body", "tags_text", "dateline")
BULK_WRITE = 1000  # documents in one write from which two writer processes pay off
# Whoosh sorts postings in a pool of this many megabytes (by its own estimate, well under
# what the pool really takes) before spilling a run to disk. The writer processes
# indexing new documents fill theirs fastest with the larger one; merging segments, which a
# commit does in the writing process itself, is no slower with the smaller (a merge of
# 18,000 articles' segments: 70 s either way), which keeps that process's memory the same
# whatever the size of the segments merged.
INDEXING_POOL_MB = 128
MERGING_POOL_MB = 32


def analyzer() -> WordAnalyzer:
    """Words folded to lower case without accents, stop words dropped (keeping positions, so
    a phrase cannot jump a gap a stop word left), then stemmed: Whoosh's own analysis, each
    distinct word analysed once (search/backends/whoosh_analysis.py)."""
    return WordAnalyzer()


def make_schema(words: Analyzer | None = None) -> Schema:
    """The index's fields; ``words`` analyses their text (``analyzer()`` unless given: the
    benchmark indexes with Whoosh's own chain, stock_analyzer(), to compare)."""
    words = words or analyzer()
    schema = Schema(
        id=ID(stored=True, unique=True),
        # Suggestions come from the generation's vocabulary file (backends/vocabulary.py),
        # not from spelling fields, which would index every text a second time.
        title=TEXT(analyzer=words, stored=True, field_boost=3.0),
        body=TEXT(analyzer=words, stored=True),
        tags_text=TEXT(analyzer=words, field_boost=1.5),
        dateline=TEXT(analyzer=words, field_boost=1.5),
        outlet=ID(sortable=True),
        tag=KEYWORD(commas=True, scorable=False),
        region=KEYWORD(commas=True, scorable=False),
        # Every range the article's language falls in ("en-us": "en en-us"), so that a
        # language filter is one term whatever its length (archive.languages).
        language=KEYWORD(scorable=False),
        year=ID(sortable=True),
        published=DATETIME(sortable=True),
    )
    if isinstance(words, WordAnalyzer):  # its postings without a token a word
        for name in TEXT_FIELDS:
            field = schema[name]
            field.format = WordPositions(field_boost=field.format.field_boost)
    return schema


def _naive_utc(moment: datetime) -> datetime:
    """Whoosh stores naive datetimes: everything in the index is UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _fields_of(document: SearchDocument, schema: Schema) -> dict:
    """The document's fields for an index of ``schema`` (the index's own, as it was built)."""
    return {
        "id": str(document.article_id),
        "title": document.title,
        "body": document.body,
        "tags_text": " ".join(document.tag_names),
        "dateline": document.dateline,
        "outlet": document.outlet_slug,
        "tag": ",".join(document.tag_slugs),
        "region": ",".join(str(region_id) for region_id in document.region_ids),
        "language": _language_value(document.language, schema),
        "year": str(document.year),
        "published": _naive_utc(document.published_at),
    }


def _language_value(tag: str, schema: Schema) -> str:
    # An index built before language ranges holds whole tags (an ID field): written there
    # the same way, one saved between an upgrade and rebuild_index is found there.
    if isinstance(schema["language"], ID):
        return tag or UNDETERMINED
    return " ".join(language_ranges(tag))


class _MarkFormatter(highlight.Formatter):
    """Matched words in <mark>, everything else HTML-escaped: MarkedHTML, which the page
    shows without cleaning it again (archive.sanitise.marked_text_html)."""

    between = " … "

    def format(self, fragments, replace=False) -> MarkedHTML:
        # Whoosh's format_fragment puts every piece of the text through _text or
        # format_token, both escaping it, between our marks.
        return MarkedHTML(super().format(fragments, replace))

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        word = self._text(highlight.get_text(text, token, replace))
        return f"{base.MARK_START}{word}{base.MARK_END}"


class _SubWriterTask(SubWriterTask):
    """Whoosh's writer process, made to die with its parent. A writer process outliving a
    killed ingest would keep the index's lock (it inherits the lock's file) and wait
    forever for work: every later write would time out until someone killed it."""

    def run(self) -> None:
        die_with_parent()
        super().run()


class _MpWriter(MpWriter):
    def _new_task(self):
        task = _SubWriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task


class _WhooshBulkWrite(base.BulkWrite):
    """A two-process writer kept open across batches: its processes index what was added
    while the caller reads and saves the next batch, instead of after it. It holds the
    index's writer lock from the first ``add`` to ``commit``."""

    def __init__(self, backend: "SearchBackend") -> None:
        self.backend = backend
        self.writer = None
        self.words: PendingWords | None = None

    def add(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        deletions = list(deletions)
        if not upserts and not deletions:
            return
        try:
            if self.writer is None:
                if self.backend.generations.rebuilding():
                    raise base.SearchBackendError("A rebuild is in progress; changes wait for it.")
                ix = self.backend._open_index(create=True)
                self.writer = self.backend._writer(ix, BULK_WRITE)
                generation = self.backend._current_generation()
                self.words = self.backend._vocabulary(generation).pending()
            for article_id in deletions:
                self.writer.delete_by_term("id", str(article_id))
            for document in upserts:
                self.writer.update_document(**_fields_of(document, self.writer.schema))
        except LockError as error:
            message = "The search index is locked by another writer."
            raise base.SearchBackendError(message) from error
        except base.SearchBackendError:
            self.cancel()
            raise
        except Exception as error:
            self.cancel()
            raise base.SearchBackendError(f"Writing the search index failed: {error}") from error
        self.words.gather(upserts)

    def commit(self) -> None:
        if self.writer is None:
            return
        writer, words, self.writer, self.words = self.writer, self.words, None, None
        try:
            # Under the writer's lock, so two processes never merge the file at once.
            words.merge()
            # The new segments are added as they are; merging them with the small ones
            # already there is left to a process of its own (below).
            writer.commit(merge=False)
        except Exception as error:
            writer.cancel()
            raise base.SearchBackendError(f"Writing the search index failed: {error}") from error
        self.backend.merge_small_segments()

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
        self.writer, self.words = None, None


class SearchBackend(base.SearchBackend):
    name = "whoosh"

    def __init__(
        self,
        index_dir: str | Path | None = None,
        writer_timeout: float | None = None,
    ):
        self.root = Path(index_dir or settings.SEARCH_INDEX_DIR)
        self.generations = Generations(self.root)
        self.writer_timeout = (
            settings.SEARCH_WRITER_TIMEOUT if writer_timeout is None else writer_timeout
        )
        self._lock = threading.Lock()
        self._searcher = None
        self._searcher_generation: str | None = None
        self._arrays = DocArrays()
        self._snapshot = Snapshot([])
        self._analyses = WordAnalyses(analyzer())
        self._vocabularies: dict[str, Vocabulary] = {}

    # Generations

    def _current_generation(self) -> str | None:
        return self.generations.current()

    def _switch_to(self, generation: str) -> None:
        self.generations.switch_to(generation)

    def _new_generation(self) -> tuple[str, index.Index]:
        name, path = self.generations.new()
        return name, MappedFileStorage(str(path)).create_index(make_schema())

    def _open_index(self, create: bool = False) -> index.Index:
        generation = self._current_generation()
        if generation is None:
            if not create:
                raise base.SearchUnavailable(f"No search index in {self.root}: run rebuild_index.")
            with self._lock:
                generation = self._current_generation()
                if generation is None:
                    generation, _ = self._new_generation()
                    self._switch_to(generation)
        try:
            return MappedFileStorage(str(self.root / generation)).open_index()
        except WhooshIndexError as error:  # a missing index
            raise base.SearchUnavailable(f"The search index cannot be opened: {error}") from error
        except Exception as error:  # a damaged table of contents: see _reading_damage
            logger.exception("The search index in %s cannot be opened", self.root)
            raise base.SearchUnavailable(f"The search index cannot be opened: {error!r}") from error

    def _get_searcher(self):
        """One searcher per process, refreshed only when the index has changed."""
        generation = self._current_generation()
        with self._lock:
            if self._searcher is not None and self._searcher_generation == generation:
                # Not Searcher.refresh(): its reader reuse keeps segments that a merge
                # replaced, so a refreshed searcher counts an updated document twice
                # (whoosh-reloaded 2.7.5). A fresh searcher costs more, only after a write.
                try:
                    if self._searcher.up_to_date():
                        return self._searcher
                except Exception as error:  # a damaged index: reopen below, or say so
                    logger.warning("Checking the Whoosh searcher failed: %s", error)
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
        ix = self._open_index(create=False)  # a lost index is reported, not silently emptied
        with self._lock:
            try:
                self._searcher = ix.searcher(weighting=BM25F())
                self._snapshot = self._arrays.snapshot(self._searcher)
            except Exception as error:
                raise base.SearchUnavailable(f"The search index cannot be read: {error}") from error
            self._searcher_generation = self._current_generation()
            return self._searcher

    # Writing

    def apply(self, upserts: Sequence[SearchDocument], deletions: Iterable[int] = ()) -> None:
        deletions = list(deletions)
        if not upserts and not deletions:
            return
        if self.generations.rebuilding():
            raise base.SearchBackendError("A rebuild is in progress; changes wait for it.")
        ix = self._open_index(create=True)
        try:
            writer = self._writer(ix, len(upserts))
        except LockError as error:
            raise base.SearchBackendError(
                "The search index is locked by another writer."
            ) from error
        except Exception as error:  # a damaged index, or a disk that refuses the lock file
            message = f"The search index cannot be written: {error!r}"
            raise base.SearchBackendError(message) from error
        try:
            for article_id in deletions:
                writer.delete_by_term("id", str(article_id))
            for document in upserts:
                writer.update_document(**_fields_of(document, writer.schema))
            # Under the writer's lock, so two processes never merge the file at once.
            words = self._vocabulary(self._current_generation()).pending()
            words.gather(upserts)
            words.merge()
            there_before = {segment.segment_id() for segment in ix._segments()}
            writer.commit()
        except Exception as error:
            writer.cancel()
            raise base.SearchBackendError(f"Writing the search index failed: {error}") from error
        # The file of a big segment this commit's merge made, if any; not of one that was
        # there before (an index written before postings files), which would make an
        # editor's save wait for every such file: the ingest and rebuild_index write those.
        _write_postings_files(ix, skip=there_before)

    def bulk_write(self) -> base.BulkWrite:
        return _WhooshBulkWrite(self)

    def merge_small_segments(self) -> None:
        """Merge the index's small segments (Whoosh's MERGE_SMALL, as an ordinary commit
        does) in a forked process, and wait for it. A merge makes garbage in proportion to
        the segments it reads; in the ingest's own process it stayed (Python keeps its heap's
        high-water mark), and the process grew with the archive. A merge that fails or finds
        the index locked leaves the segments as they are, for the next one: nothing is lost.
        """
        merger = multiprocessing.get_context("fork").Process(
            target=self._merge_small_segments, name="whoosh-merge", daemon=True
        )
        merger.start()
        merger.join()
        if merger.exitcode != 0:
            logger.warning("Merging the search index's segments failed (exit %s).", merger.exitcode)

    def _merge_small_segments(self) -> None:  # in the forked process
        die_with_parent()
        ix = self._open_index()
        writer = ix.writer(timeout=self.writer_timeout, delay=0.05, limitmb=MERGING_POOL_MB)
        writer.commit(mergetype=MERGE_SMALL)
        _write_postings_files(ix)

    def _writer(self, ix: index.Index, documents: int):
        """One process for a few documents; for many, two processes each writing segments
        of their own (twice as fast on two cores), merged at the next ordinary commit."""
        if documents >= BULK_WRITE:
            return _MpWriter(
                ix,
                procs=2,
                multisegment=True,
                limitmb=MERGING_POOL_MB,
                subargs={"limitmb": INDEXING_POOL_MB},
                timeout=self.writer_timeout,
                delay=0.05,
            )
        return ix.writer(timeout=self.writer_timeout, delay=0.05, limitmb=MERGING_POOL_MB)

    def _vocabulary(self, generation: str | None) -> Vocabulary:
        """One per generation and process: it rereads its file only when the file changed,
        instead of every suggestion reading every word."""
        key = generation or ""
        if key not in self._vocabularies:
            self._vocabularies[key] = Vocabulary(self.root / key)
        return self._vocabularies[key]

    def clear(self) -> None:
        generation, _ = self._new_generation()
        self._switch_to(generation)

    def has_index(self) -> bool:
        return self._current_generation() is not None  # a directory someone may delete

    def count(self) -> int:
        with _reading_damage():
            return self._get_searcher().doc_count()

    def rebuild(self, batches: Iterator[Sequence[SearchDocument]]) -> int:
        """One writer for the whole build: two processes, each writing its own segment,
        once the archive is big enough for them to pay off. Searching several segments
        costs the array path next to nothing, so there is no final merge into one (at
        20,000 articles that merge alone took minutes)."""
        with self.generations.marked_as_rebuilding():
            generation, ix = self._new_generation()
            words = self._vocabulary(generation).pending()
            written = 0
            first: list[SearchDocument] = []
            batches = iter(batches)
            # Enough documents to know which writer pays off, or all there are.
            for batch in batches:
                first.extend(batch)
                if len(first) >= BULK_WRITE:
                    break
            writer = self._writer(ix, len(first))
            try:
                for batch in itertools.chain([first], batches):
                    for document in batch:
                        writer.add_document(**_fields_of(document, writer.schema))
                    words.gather(batch)
                    written += len(batch)
                words.merge()
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            _write_postings_files(ix)
            self._switch_to(generation)
            return written

    def analysis_is_current(self) -> bool:
        if self._current_generation() is None:
            return True
        with _reading_damage():
            indexed = self._get_searcher().schema  # from the index
        # Whoosh compares analyzers component by component, and fields by all their
        # settings: an index whose language field holds whole tags only (an ID, before
        # language ranges) finds "en" but not "en-us" with language:en until rebuilt.
        return (
            indexed["body"].analyzer == analyzer()
            and indexed["language"] == make_schema()["language"]
        )

    def segments_without_postings_files(self) -> int:
        """Big segments whose long lists are still decoded from Whoosh (whoosh_postings)."""
        if self._current_generation() is None:
            return 0
        with _reading_damage():
            return segments_without_files(self._open_index())

    def check(self) -> list[str]:
        try:
            self._get_searcher()
        except base.SearchBackendError as error:
            return [str(error)]
        return []

    def warm_up(self) -> None:
        super().warm_up()
        with _reading_damage():
            self._get_searcher_and_snapshot()[1].open_postings_files()

    # Searching

    def search(self, request: base.SearchRequest) -> base.SearchResults:
        with _reading_damage():
            return self._search(request)

    def _search(self, request: base.SearchRequest) -> base.SearchResults:
        """Matches, scores, the total, facets and date order from arrays kept per segment
        (search/backends/whoosh_arrays.py); Whoosh highlights the page's hits."""
        searcher, snapshot = self._get_searcher_and_snapshot()
        text_query = _text_query(request.query)
        if text_query is None:
            return base.SearchResults(total=0, hits=[])
        filter_query = _filter_query(request)
        matches = Matches.of(snapshot, text_query, filter_query)
        stop = request.offset + request.page_size
        if request.sort != base.Sort.RELEVANCE or not request.query.has_text:
            docnums = matches.by_date(
                "published",
                stop,
                newest_first=request.sort != base.Sort.OLDEST,
                article_id=lambda docnum: int(searcher.stored_fields(docnum)["id"]),
            )
            # Sorted by date, a hit has no relevance score.
            top = [(0.0, docnum) for docnum in docnums]
        else:
            top = matches.by_relevance(searcher, text_query, stop)
        highlighter = Highlighter(self._analyses, holds=snapshot.holds)
        results = Results(searcher, text_query, top, highlighter=highlighter)
        hits = [self._hit(hit, request.query) for hit in results[request.offset : stop]]
        facets = {}
        if request.facets:
            facets = {
                name: [
                    base.FacetCount(value=value.decode(), count=count)
                    for value, count in matches.top_facets(name, request.facet_limit)
                ]
                for name in base.FACET_FIELDS
            }
        suggestion = None
        if matches.total < base.SUGGEST_BELOW and request.query.has_text:
            suggestion = self._suggestion(searcher, snapshot, request, matches.total, filter_query)
        return base.SearchResults(
            total=matches.total, hits=hits, facets=facets, suggestion=suggestion
        )

    def _get_searcher_and_snapshot(self) -> tuple:
        searcher = self._get_searcher()
        with self._lock:
            if self._searcher is searcher:
                return searcher, self._snapshot
        # Another thread reopened the searcher meanwhile: arrays for this one, not kept.
        return searcher, DocArrays().snapshot(searcher)

    def _hit(self, hit, parsed: ParsedQuery) -> base.Hit:
        title, body = hit["title"], hit["body"]
        title_html = snippet_html = ""
        if parsed.has_text:
            hit.results.fragmenter = highlight.WholeFragmenter()
            hit.results.formatter = _MarkFormatter()
            title_html = hit.highlights("title", text=title, top=1)
            hit.results.fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
            snippet_html = hit.highlights("body", text=body, top=2)
        return base.Hit(
            article_id=int(hit["id"]),
            score=hit.score,
            title_html=title_html or MarkedHTML(html.escape(title, quote=False)),
            snippet_html=snippet_html
            or MarkedHTML(html.escape(base.first_words(body), quote=False)),
        )

    def _suggestion(
        self, searcher, snapshot: Snapshot, request: base.SearchRequest, total: int, filter_query
    ) -> str | None:
        """The query with each unknown word replaced by the closest indexed word, offered
        only when the corrected query finds more."""

        def articles_with(word: str) -> int:
            tokens = _analyzed(word)  # none for a stop word, which no correction should be
            if not tokens:
                return 0
            return max(searcher.doc_frequency(field, tokens[0][0]) for field in TEXT_FIELDS)

        vocabulary = self._vocabulary(self._searcher_generation)
        corrections = corrections_for(request.query, vocabulary, articles_with)
        if not corrections:
            return None
        corrected = replace_words(request.query.original, corrections)
        better = _text_query(parse_query(corrected).without_filters())
        if better is None:
            return None
        if Matches.of(snapshot, better, filter_query).total <= total:
            return None
        return corrected


def _write_postings_files(ix: index.Index, skip: Iterable[str] = ()) -> None:
    """The postings files of the index's big segments that have none (whoosh_postings),
    but for the segments in ``skip``. They only make searches faster: a failure is logged,
    and searches read Whoosh's own lists meanwhile."""
    try:
        write_postings_files(ix, skip=frozenset(skip))
    except Exception:
        logger.exception("Writing the search index's postings files failed")


@contextmanager
def _reading_damage() -> Iterator[None]:
    """Whoosh trusts its files: one cut short or overwritten fails with whatever its decoder
    meets (UnpicklingError, UnicodeDecodeError, TypeError, struct.error, EOFError ...). To
    readers that is search being unavailable, not a server error; the log keeps the detail,
    and `rebuild_index` mends it."""
    try:
        yield
    except base.SearchBackendError:
        raise
    except Exception as error:
        logger.exception("The search index cannot be read")
        raise base.SearchUnavailable(f"The search index cannot be read: {error!r}") from error


# Query building


_QUERY_WORDS = analyzer()  # one memory of analysed words for every query of the process


def _analyzed(text: str) -> list[tuple[str, int]]:
    """(token, position) pairs as the index stores them."""
    return [(t.text, t.pos) for t in _QUERY_WORDS(text, positions=True)]


def _term_query(term: Term) -> wq.Query | None:
    """A term in its fields: None when every word of it is a stop word."""
    fields = ("title",) if term.field == "title" else TEXT_FIELDS
    tokens = _analyzed(term.text)
    if not tokens:
        return None
    if len(tokens) == 1:
        return wq.Or([wq.Term(field, tokens[0][0]) for field in fields])
    # Stop words left gaps in the positions: let the phrase span each gap, no wider.
    slop = max(b[1] - a[1] for a, b in itertools.pairwise(tokens))
    words = [token for token, _ in tokens]
    return wq.Or([wq.Phrase(field, words, slop=max(slop, 1)) for field in fields])


def _text_query(parsed: ParsedQuery) -> wq.Query | None:
    """The words part of a query; Every() when there are no words; None when the words the
    reader gave all vanished (stop words only), so nothing matches."""
    groups = []
    for group in parsed.groups:
        alternatives = [q for q in map(_term_query, group) if q is not None]
        if alternatives:
            groups.append(wq.Or(alternatives) if len(alternatives) > 1 else alternatives[0])
    exclusions = [q for q in map(_term_query, parsed.excluded) if q is not None]
    if not groups:
        if parsed.has_text:
            return None
        positive: wq.Query = wq.Every()
    else:
        positive = wq.And(groups) if len(groups) > 1 else groups[0]
    if exclusions:
        return wq.AndNot(positive, wq.Or(exclusions))
    return positive


def _filter_query(request: base.SearchRequest) -> wq.Query | None:
    """Filters go to Whoosh as ``filter=``: counted that way, totals stay exact (DESIGN.md)."""
    parts: list[wq.Query] = []
    for field, values in (("outlet", request.outlets), ("language", request.languages)):
        if values:
            parts.append(wq.Or([wq.Term(field, value) for value in values]))
    parts += [wq.Term("tag", slug) for slug in request.tags]
    parts += [wq.Term("region", str(region)) for region in request.regions]
    if request.date_range and (request.date_range.start or request.date_range.end):
        start = request.date_range.start
        end = request.date_range.end
        parts.append(
            wq.DateRange(
                "published",
                datetime(start.year, start.month, start.day) if start else None,
                datetime(end.year, end.month, end.day) + timedelta(days=1, microseconds=-1)
                if end
                else None,
            )
        )
    if not parts:
        return None
    return wq.And(parts) if len(parts) > 1 else parts[0]
