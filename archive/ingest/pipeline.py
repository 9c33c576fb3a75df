"""From sources to saved articles, in batches: read, normalise, dedup, save, index.

Each batch is one transaction (articles, tags and their outbox rows together) and one
index write after it commits. Killing the process at any moment loses at most the batch
in flight, and running the same command again skips what was saved (same canonical URL
or same content), so every article ends up in the archive exactly once.
"""

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    connection,
    models,
    reset_queries,
    transaction,
)
from django.db.models import Q, QuerySet
from django.utils.text import slugify

from archive.bulk import insert_all
from archive.datelines import Dateline
from archive.ingest.article_data import ArticleData
from archive.ingest.errors import IngestError
from archive.ingest.extraction_log import extraction_log_lines_naming_pages
from archive.ingest.jsonl import NOTE_PREFIX, read_jsonl
from archive.ingest.normalise import outlet_name
from archive.ingest.prepare import Item, Prepared, in_reader_process, prepare
from archive.ingest.records import ReadContext, Records
from archive.ingest.saved_page import OutletRules, decode_text, parse_saved_page
from archive.ingest.sources import STDIN, Format, Source, open_source, source_paths, spooled_stdin
from archive.ingest.syndication import SyndicationFinder
from archive.ingest.tag_line import split_tag_line
from archive.languages import language_tag
from archive.models import Article, Outlet, Tag
from archive.places import (
    current_gazetteer,
    dateline_place,
    gazetteer_pinned,
    known_place_names,
    places_covered,
)
from archive.text import fold
from search import sync as search_sync
from search.backends.base import SearchBackendError
from search.documents import SearchDocument, assemble_document

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
# Tries at a batch whose rows another writer saved meanwhile, each after reading again.
BATCH_ATTEMPTS = 3
# Articles saved between index commits: Whoosh indexes them in two processes while the next
# batches are read and saved, and each commit costs a merge.
INDEX_EVERY = 2000


@dataclass
class IngestReport:
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    near_duplicates: int = 0  # saved, and linked to the first copy
    errors: list[IngestError] = field(default_factory=list)
    stopped_at: str = ""  # --strict: the file and line of the error that ended the run
    rejected_files: list[Path] = field(default_factory=list)  # the rejected log's files

    @property
    def rejected(self) -> int:
        return len(self.errors)

    @property
    def created(self) -> int:  # the foundation's name for `new`
        return self.new

    def summary(self) -> str:
        counts = (
            f"{self.new} new, {self.updated} updated, {self.duplicates} already in the "
            f"archive, {self.near_duplicates} near-duplicate, {self.rejected} rejected."
        )
        if self.stopped_at:
            return f"{counts} Stopped at {self.stopped_at} (--strict): nothing after it saved."
        return counts


class StopIngest(Exception):
    """--strict: the first bad record ends the run (the good ones before it are saved)."""

    def __init__(self, error: IngestError) -> None:
        self.error = error
        super().__init__(str(error))


@dataclass
class Ingester:
    """One ingest run. ``dry_run`` reads, checks and counts, then rolls every batch back."""

    outlet: str = ""
    dry_run: bool = False
    strict: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE
    on_error: Callable[[IngestError], None] = lambda error: None
    on_saved: Callable[[int], None] = lambda count: None
    rejected_log: Path | None = None
    index_every: int = INDEX_EVERY
    # Read and prepare the records in a second process while this one saves and indexes.
    reader_process: bool = False
    report: IngestReport = field(default_factory=IngestReport)

    def __post_init__(self) -> None:
        self._outlets: dict[str, Outlet] = {}
        self._rules: dict[str, OutletRules] = {}
        self._all_rules_read = False  # then an outlet not in _rules has the default rules
        self._places: dict[tuple[str, str, str], int | None] = {}
        self._log: _RejectedLog | None = None
        self._index: search_sync.StreamingApply | None = None
        self._index_failed = False
        self._tags: dict[str, Tag] | None = None
        self._tag_slugs: set[str] = set()
        self._documents: dict[int, SearchDocument | None] = {}  # saved, not yet indexed
        self._stdin: BinaryIO | None = None  # standard input, read before the reader forked
        self._first_copies = SyndicationFinder()  # for the whole run: each day read once

    def run(self, paths: Iterable[str | Path]) -> IngestReport:
        # Place names found (in the reader process too: it is forked inside) and resolved
        # with one gazetteer, the run's.
        with gazetteer_pinned():
            return self._run(list(paths))

    def _run(self, paths: list[str | Path]) -> IngestReport:
        items = self._items(paths)
        batch: list[Prepared] = []
        try:
            try:
                for item in items:
                    if isinstance(item, IngestError):
                        self._reject(item)
                        continue
                    batch.append(item)
                    if len(batch) >= self.batch_size:
                        self._save_batch(batch)
                        batch = []
            except StopIngest as stop:
                self.report.stopped_at = stop.error.where
            finally:
                items.close()  # ends the reader process, if it is still reading
            # The last records read, --strict's before its error too: "stop at the first
            # error" keeps what came before it, as a run without --strict would.
            self._save_batch(batch)
        finally:
            if self._log:
                self._log.close()
            self._commit_index()
        return self.report

    def _items(self, paths: list[str | Path]) -> Iterator[Item]:
        if not self.reader_process:
            return self._prepared(paths)
        # What the reader process reads from the database, read now: it inherits it (forked,
        # the gazetteer pinned) and never opens a connection of its own.
        self._read_all_rules()
        if any(str(path) == STDIN for path in paths):
            # A forked process gets no standard input (multiprocessing closes it): read it
            # here, as open_source would have (it spools all of it before reading a record).
            self._stdin = spooled_stdin()

        def records() -> Iterator[Item]:  # run in the reader process
            # Languages are detected a chunk at a time there, with the other derived values.
            return self._prepared(paths, detect_language=False)

        return in_reader_process(records)

    def _prepared(
        self, paths: Iterable[str | Path], detect_language: bool = True
    ) -> Iterator[Item]:
        # Set up where the pages are read: in the reader process, when there is one.
        with extraction_log_lines_naming_pages():
            for item in self._records(paths):
                yield prepare(item, self.rules_for_outlet, detect_language)

    def _feed_index(self) -> None:
        """Send a saved batch's outbox rows to the index, which commits every
        ``index_every`` articles. If the index cannot be written now, the rows stay for
        `sync_index` or the next write: the articles are saved."""
        documents, self._documents = self._documents, {}
        if self.dry_run or not settings.SEARCH_SYNC_ON_COMMIT or self._index_failed:
            return
        try:
            if self._index is None:
                self._index = search_sync.StreamingApply(every=self.index_every)
            self._index.feed(documents)
        except SearchBackendError as error:
            # Not again each batch (a locked index makes each try wait): once, at the end.
            self._index_failed = True
            logger.warning("Index not updated (%s); run manage.py sync_index.", error)

    def _commit_index(self) -> None:
        if self._index is None:
            return
        try:
            if self._index_failed:
                self._index.feed()
            self._index.commit()
        except SearchBackendError as error:
            logger.warning("Index not updated (%s); run manage.py sync_index.", error)

    # Reading

    def _records(self, paths: Iterable[str | Path]) -> Iterator[ArticleData | IngestError]:
        context = ReadContext(outlet=self.outlet, rules_for_outlet=self.rules_for_outlet)
        for name in source_paths(paths):
            stdin, self._stdin = (self._stdin, None) if name == STDIN else (None, self._stdin)
            try:
                source = open_source(name, stdin)
            except IngestError as error:
                yield error
                continue
            try:
                yield from read_source(source, context)
            finally:
                source.stream.close()

    def rules_for_outlet(self, name: str) -> OutletRules:
        name = outlet_name(name)  # as a source printed it: it may hold what no database can
        key = name.casefold()
        if key not in self._rules:
            if self._all_rules_read:
                return OutletRules()
            outlet = Outlet.objects.filter(name__iexact=name).first()
            self._rules[key] = (
                OutletRules(
                    day_first=outlet.date_order == Outlet.DateOrder.DAY_FIRST,
                    time_zone=outlet.time_zone,
                    boilerplate=frozenset(outlet.boilerplate_lines),
                )
                if outlet
                else OutletRules()
            )
        return self._rules[key]

    def _read_all_rules(self) -> None:
        """Every outlet's rules, read in one query (outlets are few): what rules_for_outlet
        would read one by one. An outlet made during the run has the default rules."""
        for outlet in Outlet.objects.order_by("name"):
            self._rules.setdefault(
                outlet_name(outlet.name).casefold(),
                OutletRules(
                    day_first=outlet.date_order == Outlet.DateOrder.DAY_FIRST,
                    time_zone=outlet.time_zone,
                    boilerplate=frozenset(outlet.boilerplate_lines),
                ),
            )
        self._all_rules_read = True

    def _reject(self, error: IngestError) -> None:
        self.report.errors.append(error)
        self.on_error(error)
        self._log_rejected(error)
        if self.strict:
            raise StopIngest(error)

    def _log_rejected(self, error: IngestError) -> None:
        """Rejected records, written so that an operator can fix them and ingest them again.

        ``rejected_log`` gets the rejected JSON Lines records, one a line, in the order
        rejected: a JSON object with two notes added (``_ingest_source``, the file and line
        it came from, and ``_ingest_error``; a re-ingest ignores ``_ingest*`` keys), and any
        other line (truncated JSON, ``[1, 2, 3]``, ``NaN``, not UTF-8) verbatim, so editing
        the line fixes it. Its first line, notes alone, makes the log JSON Lines to an
        ingest whatever the lines after it hold. ``<rejected_log>.errors`` says why, one line each:
        ``<log>:<line>: <source>:<line>: <reason>`` for those, and ``<source>: <reason>``
        for what the log cannot hold (a feed entry, a page, a file): those are fixed in
        their source, which is then ingested again.
        """
        if not self.rejected_log or self.dry_run:  # a dry run writes nothing
            return
        if self._log is None:
            self.rejected_log.parent.mkdir(parents=True, exist_ok=True)
            self._log = _RejectedLog(self.rejected_log)
        self._log.write(error)
        self.report.rejected_files = self._log.written()

    # Saving

    def _save_batch(self, batch: list[Prepared]) -> None:
        if not batch:
            return
        for attempt in range(1, BATCH_ATTEMPTS + 1):
            try:
                with search_sync.deferred(apply=False), transaction.atomic():
                    counts = self._save(batch)
                    if self.dry_run:
                        transaction.set_rollback(True)
                break
            except DatabaseError as error:
                if not _lost_a_race(error):
                    raise
                # The batch was rolled back; read the archive again and retry.
                self._forget_the_batch()
                if attempt == BATCH_ATTEMPTS:
                    raise
                logger.warning("Batch saved again (attempt %d): %s", attempt + 1, error)
        if self.dry_run:  # what the batch made is gone: forget it too
            self._forget_the_batch()
        else:
            self._first_copies.saved()
        self._feed_index()
        _forget_logged_queries()
        self.report.new += counts["new"]
        self.report.updated += counts["updated"]
        self.report.duplicates += counts["duplicate"]
        self.report.near_duplicates += counts["near-duplicate"]
        self.on_saved(len(batch))

    def _forget_the_batch(self) -> None:
        """A batch rolled back: forget what it made (first copies, documents to index) and
        the archive's rows this run keeps in memory (tags, outlets), read again when needed."""
        self._first_copies.discard()
        self._documents.clear()
        self._tags = None
        self._outlets.clear()

    def _save(self, batch: list[Prepared]) -> dict[str, int]:
        """Save one batch in a fixed number of queries: new articles, their tags, places
        and outbox rows are bulk inserted; only updates of known pages go one by one."""
        counts = {"new": 0, "updated": 0, "duplicate": 0, "near-duplicate": 0}
        urls = {item.data.canonical_url for item in batch if item.data.canonical_url}
        by_url = {a.canonical_url: a for a in articles_at(urls)}
        digests = [item.digest for item in batch]
        seen_hashes = set(
            Article.objects.filter(content_hash__in=set(digests)).values_list(
                "content_hash", flat=True
            )
        )
        originals = self._first_copies
        originals.begin(item.data.published_at for item in batch)
        new: list[tuple[Article, Prepared]] = []
        for item, digest in zip(batch, digests, strict=True):
            data = item.data
            existing = by_url.get(data.canonical_url) if data.canonical_url else None
            if existing is not None:
                if existing.pk is None or existing.content_hash == digest:
                    counts["duplicate"] += 1  # the same page twice, in the archive or in this batch
                else:
                    self._update(existing, data)
                    counts["updated"] += 1
                continue
            if digest in seen_hashes:
                counts["duplicate"] += 1
                continue
            fingerprint = item.fingerprint
            original = originals.first_copy_of(fingerprint, data.published_at)
            article = self._new_article(data, original, digest, fingerprint)
            originals.add(article, fingerprint, data.published_at, is_copy=original is not None)
            new.append((article, item))
            seen_hashes.add(digest)
            if data.canonical_url:
                by_url[data.canonical_url] = article
            counts["near-duplicate" if original is not None else "new"] += 1
        gone = self._first_copies_gone(new)
        counts["near-duplicate"] -= len(gone)
        counts["new"] += len(gone)
        self._insert(new)
        return counts

    def _first_copies_gone(self, new: list[tuple[Article, Prepared]]) -> list[Article]:
        """The batch's copies whose first copy was deleted (or made a copy) since the run
        read it (first copies are kept for the whole run): each is linked to another first
        copy, or is one itself, rather than a link the database would refuse; those that
        are first copies now. One query."""
        linked = {article.original for article, _ in new if isinstance(article.original, int)}
        if not linked:
            return []
        still = Article.objects.filter(pk__in=linked, near_duplicate_of__isnull=True)
        gone = linked - set(still.values_list("pk", flat=True))
        if not gone:
            return []
        self._first_copies.forget(gone)
        unlinked = []
        for article, _ in new:  # in order: the first of several copies is the others' first
            if article.original in gone:
                first = self._first_copies.first_copy_of(article.simhash, article.published_at)
                article.original = first
                if first is None:
                    self._first_copies.add(
                        article, article.simhash, article.published_at, is_copy=False
                    )
                    unlinked.append(article)
        return unlinked

    def _new_article(
        self,
        data: ArticleData,
        original: "Article | int | None",
        digest: str,
        fingerprint: int | None,
    ) -> Article:
        """An unsaved article; ``original`` is the first copy of a syndicated story, saved
        (its id) or still in this batch (the object, saved before this one)."""
        outlet = self.outlet_named(data.outlet_name)
        article = Article(
            outlet=outlet,
            source=data.source[:1000],
            content_hash=digest,
            simhash=fingerprint,
        )
        article.original = original  # resolved to near_duplicate_of_id once it has an id
        self._fill(article, data, outlet)
        return article

    def _insert(self, new: list[tuple["Article", Prepared]]) -> None:
        """Bulk insert a batch's new articles with their tags, places and outbox rows.

        No history row for a first version: the source is its record, and a copy of every
        body ingested would double the archive. Edits and new versions get rows."""
        if not new:
            return
        self._give_slugs([article for article, _ in new])
        names_of = {id(article): self.tag_names_for(item.data) for article, item in new}
        self.tags_named({name: None for names in names_of.values() for name in names})
        # Names that differ only in case are one tag: one row each.
        tags_of = {
            key: list({tag.pk: tag for tag in self.tags_named(names)}.values())
            for key, names in names_of.items()
        }
        # First copies before the copies that point at them: the insert sets their ids.
        firsts = [a for a, _ in new if not isinstance(a.original, Article)]
        copies = [a for a, _ in new if isinstance(a.original, Article)]
        for article in firsts:
            article.near_duplicate_of_id = article.original
        insert_all(firsts)
        for article in copies:
            article.near_duplicate_of_id = article.original.pk
        insert_all(copies)

        articles = [article for article, _ in new]
        insert_links(
            Article.tags.through,
            [(article.pk, tag.pk) for article in articles for tag in tags_of[id(article)]],
        )
        covered = {
            id(article): places_covered(article, mentions=item.mentions) for article, item in new
        }
        insert_links(
            Article.regions.through,
            [(article.pk, region) for article in articles for region in covered[id(article)]],
        )
        # The insert sends no signals: the outbox rows are written here, in the same
        # transaction as the articles.
        search_sync.record_changes(article.pk for article in articles)
        self._documents.update(self._documents_of(articles, tags_of, covered))

    @staticmethod
    def _documents_of(
        articles: list[Article], tags_of: dict[int, list[Tag]], covered: dict[int, list[int]]
    ) -> dict[int, SearchDocument | None]:
        """The search documents of new articles, from what the batch holds (None for those
        that are not indexed), so the index write need not read them back."""
        gazetteer = current_gazetteer()
        documents: dict[int, SearchDocument | None] = {}
        for article in articles:
            if article.near_duplicate_of_id is not None or not article.is_published:
                documents[article.pk] = None
                continue
            region_ids = covered[id(article)]
            if article.dateline_region_id:
                region_ids = [*region_ids, article.dateline_region_id]
            # Every id came from this gazetteer (the run's, pinned): each is in it.
            lineages = [gazetteer.places[region_id].lineage for region_id in region_ids]
            tags = sorted(tags_of[id(article)], key=lambda tag: tag.name)  # Tag's ordering
            documents[article.pk] = assemble_document(article, tags, lineages)
        return documents

    def _give_slugs(self, articles: list[Article]) -> None:
        """Unique slugs for a batch with one query, not one query per article."""
        bases = [Article.base_slug_for(article.title) for article in articles]
        taken = set(Article.objects.filter(slug__in=bases).values_list("slug", flat=True))
        for article, base in zip(articles, bases, strict=True):
            slug = base
            if slug in taken:
                slug = Article.unique_slug_for(article.title, also_taken=taken)
            taken.add(slug)
            article.slug = slug

    def _update(self, article: Article, data: ArticleData) -> None:
        """A newer version of a known page: same id, same comments, new text."""
        outlet = self.outlet_named(data.outlet_name)
        self._fill(article, data, outlet)
        article.save()
        # Its fingerprint and time as they are now, for the rest of the run's batches.
        self._first_copies.forget({article.pk})
        is_copy = article.near_duplicate_of_id is not None
        self._first_copies.add(article.pk, article.simhash, article.published_at, is_copy)
        article.tags.set(self.tags_for(data))
        article.regions.set(places_covered(article))

    def _fill(self, article: Article, data: ArticleData, outlet: Outlet) -> None:
        article.outlet = outlet
        article.title = data.title[:500]
        article.canonical_url = data.canonical_url
        article.published_at = data.published_at
        article.published_time_known = data.published_time_known
        article.body = data.body
        article.summary = data.summary
        # The outlet's language only when the record declares none and its text tells none;
        # an editor typed it, so it is read as the ingest reads a declared one.
        article.language = data.language or language_tag(outlet.language)
        article.extra = data.extra
        dateline = data.dateline or Dateline(printed="", place="")
        article.dateline = dateline.printed[:255]
        article.dateline_place = dateline.place[:120]
        article.dateline_qualifier = dateline.qualifier[:120]
        article.dateline_agency = dateline.agency[:60]
        article.dateline_region_id = self.place_of(dateline, outlet) if dateline.place else None

    def place_of(self, dateline: Dateline, outlet: Outlet) -> int | None:
        """The dateline's region id, from the gazetteer in memory (no query)."""
        key = (fold(dateline.place), fold(dateline.qualifier), outlet.country)
        if key not in self._places:
            place = dateline_place(dateline.place, dateline.qualifier, outlet.country)
            self._places[key] = place.id if place else None
        return self._places[key]

    def outlet_named(self, name: str) -> Outlet:
        key = name.casefold()
        if key not in self._outlets:
            outlet = Outlet.objects.filter(name__iexact=name).first()
            if outlet is None:
                outlet = Outlet.objects.create(name=name[:200], slug=_unique_slug(Outlet, name))
            self._outlets[key] = outlet
        return self._outlets[key]

    def tags_for(self, data: ArticleData) -> list[Tag]:
        return self.tags_named(self.tag_names_for(data))

    @staticmethod
    def tag_names_for(data: ArticleData) -> list[str]:
        names = data.tags or split_tag_line(data.unseparated_tags, known_tag_or_place_names)
        return list(dict.fromkeys(name.strip()[:100] for name in names if name.strip()))

    def tags_named(self, names: Iterable[str]) -> list[Tag]:
        """The tags of these names whatever their case, the new ones made in one insert.
        All tags are read once a run (thousands, not millions), not one query a tag."""
        if self._tags is None:
            self._tags = {}
            self._tag_slugs = set()
            for tag in Tag.objects.all():
                self._tags[tag.name.casefold()] = tag
                self._tag_slugs.add(tag.slug)
        names = list(names)
        missing = {name.casefold(): name for name in names if name.casefold() not in self._tags}
        if missing:
            made = []
            for name in missing.values():
                slug = _free_slug(slugify(name, allow_unicode=True)[:90] or "tag", self._tag_slugs)
                self._tag_slugs.add(slug)
                made.append(Tag(name=name, slug=slug))
            # A new tag has no articles yet: the signal bulk_create skips would record none.
            for tag in Tag.objects.bulk_create(made):
                self._tags[tag.name.casefold()] = tag
        return [self._tags[name.casefold()] for name in names]

    def tag_named(self, name: str) -> Tag:
        return self.tags_named([name])[0]


def _lost_a_race(error: DatabaseError) -> bool:
    """Whether a batch failed on another writer's work, which saving it again against the
    archive as it is now resolves: rows another ingest of overlapping sources saved since
    this run read the archive (a tag, an outlet, an article's URL), or on PostgreSQL a
    deadlock with it or a serialization failure (SQLSTATE class 40, "transaction
    rollback": the server aborted this side so that the other could go on)."""
    if isinstance(error, IntegrityError):
        return True
    return str(getattr(error.__cause__, "sqlstate", "") or "").startswith("40")


class _RejectedLog:
    """The rejected log (JSON Lines to fix and ingest again) and its ``.errors`` beside it,
    each opened when it first has something to say and appended to (a log named again by
    --rejected-log goes on numbering its lines)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors_path = path.with_name(path.name + ".errors")
        self._records: BinaryIO | None = None
        self._errors = None
        self._lines = 0

    def write(self, error: IngestError) -> None:
        line = _loggable_line(error)
        if line is None:
            self._note(str(error))
            return
        if self._records is None:
            self._lines = _line_count(self.path)
            self._records = self.path.open("ab")
            if not self._lines:
                self._write_line(self._heading())
        self._write_line(line)
        self._note(f"{self.path}:{self._lines}: {error}")

    def _write_line(self, line: bytes) -> None:
        self._records.write(line + b"\n")
        self._records.flush()
        self._lines += 1

    def _heading(self) -> bytes:
        """The log's first line: notes alone, which an ingest skips. It opens a JSON object,
        which is what tells JSON Lines from a page by content (sources.detect_format): a log
        of lines like ``[1, 2, 3]`` or ``<p>`` alone was read again as a page saved as text
        or an HTML page. A name (``.jsonl``) would not do: the log may be renamed, gzipped
        or piped to standard input, and the ingest never goes by names."""
        note = (
            "Records the ingest rejected, a line each: fix them and ingest this file again. "
            f"Why each was rejected: {self.errors_path.name}"
        )
        return json.dumps({f"{NOTE_PREFIX}_log": note}).encode("ascii")

    def _note(self, text: str) -> None:
        if self._errors is None:
            self._errors = self.errors_path.open("a", encoding="utf-8", errors="replace")
        self._errors.write(text + "\n")
        self._errors.flush()

    def written(self) -> list[Path]:
        return [
            path
            for path, file in ((self.path, self._records), (self.errors_path, self._errors))
            if file
        ]

    def close(self) -> None:
        for file in (self._records, self._errors):
            if file is not None:
                file.close()


def _loggable_line(error: IngestError) -> bytes | None:
    """The rejected log's line for a JSON Lines record, or None for another format's."""
    if isinstance(error.record, dict):
        entry = {**error.record, "_ingest_source": error.where, "_ingest_error": error.reason}
        try:
            return json.dumps(entry, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the source): kept escaped
            return json.dumps(entry).encode("ascii")
    return error.raw


def _line_count(path: Path) -> int:
    try:
        with path.open("rb") as file:
            return sum(1 for _ in file)
    except FileNotFoundError:
        return 0


def articles_at(urls: Iterable[str]) -> QuerySet:
    """The articles with these canonical URLs. Their unique index leaves out the empty URL
    (articles without one); a query must say it does too, or SQLite cannot use the index and
    reads the whole table for each batch."""
    return Article.objects.filter(canonical_url__in=urls).exclude(canonical_url="")


def _forget_logged_queries() -> None:
    """With DEBUG on, Django logs the last 9,000 queries' SQL, each batch's insert holding
    all its bodies: a long ingest grew by a gigabyte. Django clears the log per request; an
    ingest clears it per batch, unless someone is counting queries (a test's capture)."""
    if settings.DEBUG and not connection.force_debug_cursor:
        reset_queries()


def insert_links(through: type[models.Model], pairs: list[tuple[int, int]]) -> None:
    """Rows of an article many-to-many table, (article id, other id) each, in one statement:
    bulk_create makes a model instance of every row and compiles each of its fields, which
    was a third of the saving process's time for an article's tags and places. PostgreSQL
    takes the two columns as arrays (unnest): an executemany sent each row as a statement
    of its own, parsed and planned on its own, a twentieth of the server's time for an
    ingested article. SQLite runs an executemany's rows in one prepared statement."""
    if not pairs:
        return
    links = [field for field in through._meta.concrete_fields if field.is_relation]
    (article,) = [field for field in links if field.related_model is Article]
    (other,) = [field for field in links if field.related_model is not Article]
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(through._meta.db_table)} "
        f"({quote(article.column)}, {quote(other.column)})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [field.db_type(connection) for field in (article, other)]
            cursor.execute(
                f"{insert} SELECT * FROM unnest(%s::{types[0]}[], %s::{types[1]}[])",
                [list(ids) for ids in zip(*pairs, strict=True)],
            )
        else:
            cursor.executemany(f"{insert} VALUES (%s, %s)", pairs)


def read_source(source: Source, context: ReadContext) -> Records:
    """Every record of one source, whatever its format."""
    # The readers of feeds and pages (feedparser, trafilatura, htmldate, warcio) imported
    # when a source needs them: a JSON Lines run's start was 80 ms longer for them.
    try:
        if source.format is Format.JSONL:
            yield from read_jsonl(source.stream, source.name, context)
        elif source.format is Format.WARC:
            from archive.ingest.warc import read_warc

            yield from read_warc(source.stream, source.name, context)
        else:
            raw = source.stream.read()
            if source.format is Format.FEED:
                from archive.ingest.feeds import read_feed

                yield from read_feed(raw, source.name, context)
            elif source.format is Format.HTML:
                from archive.ingest.html_pages import read_html_page

                yield read_html_page(decode_text(raw, source.name), source.name, context)
            else:
                yield parse_saved_page(raw, source.name, context.rules_for_outlet)
    except IngestError as error:
        yield error
    except (OSError, EOFError) as error:  # a corrupt gzip stream, found while reading
        yield IngestError(source.name, f"unreadable: {error}")


def ingest_paths(
    paths: Iterable[str | Path], on_error: Callable[[IngestError], None] = lambda error: None
) -> IngestReport:
    """Ingest files and directories with the defaults; see Ingester for the options."""
    return Ingester(on_error=on_error).run(paths)


def known_tag_or_place_names(phrases: set[str]) -> set[str]:
    """The folded forms of the phrases that are an existing tag or a place's own name."""
    if not phrases:
        return set()
    tag_names = Tag.objects.filter(
        reduce(or_, (Q(name__iexact=phrase) for phrase in phrases))
    ).values_list("name", flat=True)
    return {fold(name) for name in tag_names} | known_place_names(
        map(fold, phrases), primary_only=True
    )


def _unique_slug(model: type[Outlet] | type[Tag], name: str) -> str:
    base = slugify(name, allow_unicode=True)[:90] or model.__name__.lower()
    slug, suffix = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def _free_slug(base: str, taken: set[str]) -> str:
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug
