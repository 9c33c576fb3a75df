"""Keep the index true to the database through an outbox.

Every change to what an article's search document holds records the article's id in
``IndexOutbox`` inside the change's own transaction. After commit, ``apply_outbox`` sends
the pending articles to the backend in batches and deletes the rows it applied. If the
backend fails, the rows stay for the next run (``manage.py sync_index``), so no change is
lost and the index is never ahead of the database.

Switching backends without downtime: ``rebuild_index --backend NAME`` makes NAME a follower
(IndexFollower) before it reads the first article, builds NAME's index while the configured
backend keeps serving and applying the outbox, then catches NAME up. From the moment it
follows, every change the configured backend applies is also queued for NAME (a copy of
the row, tagged with NAME, in the transaction that deletes the original), so the changes a
rebuild could not see reach NAME after it, and the changes made until the site is switched
to NAME wait for it. A backend applies the rows for "the configured backend" and those
tagged with its own name; ``sync_index`` run by the switched site ends the following.
"""

import logging
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction

from archive.bulk import insert_all
from config.routers import primary_reads
from search.backends import get_backend
from search.backends.base import SearchBackend, SearchBackendError, SearchUnavailable
from search.documents import SearchDocument, documents_for, indexable_articles
from search.models import IndexFollower, IndexOutbox

logger = logging.getLogger(__name__)

_state = threading.local()


def record_changes(article_ids: Iterable[int]) -> None:
    """Mark articles as changed; call inside the transaction that changes them."""
    rows = [IndexOutbox(article_id=article_id) for article_id in set(article_ids)]
    if not rows:
        return
    insert_all(rows)
    if settings.SEARCH_SYNC_ON_COMMIT and not getattr(_state, "deferred", 0):
        transaction.on_commit(_apply_after_commit)


def _apply_after_commit() -> None:
    try:
        apply_outbox()
    except Exception:  # the request or ingest that changed the data must not fail here
        logger.exception("Applying the search outbox failed; the rows stay for the next run.")


@contextmanager
def deferred(apply: bool = True):
    """Record changes but apply them once at the end (bulk ingest: one index write per
    batch); ``apply=False`` leaves them to whoever applies the outbox next."""
    _state.deferred = getattr(_state, "deferred", 0) + 1
    try:
        yield
    finally:
        _state.deferred -= 1
    if apply and not _state.deferred and settings.SEARCH_SYNC_ON_COMMIT:
        transaction.on_commit(_apply_after_commit)


def pending_count(backend_name: str | None = None) -> int:
    """Rows waiting for the backend (the configured one unless named)."""
    backend_name = backend_name or settings.SEARCH_BACKEND
    return IndexOutbox.objects.filter(backend__in=("", backend_name)).count()


def apply_outbox(backend: SearchBackend | None = None, batch_size: int = 500) -> int:
    """Apply pending changes to the backend; returns how many articles were applied.

    Raises SearchBackendError when the backend fails, leaving the unapplied rows in place.
    Safe to run in several processes at once: each applies what it read, and applying an
    article twice is harmless. Reads the primary: a replica may not have replayed yet the
    change an outbox row stands for, and the row is deleted once applied.
    """
    with primary_reads():
        return _apply(backend or get_backend(), batch_size, consume_shared=True)


def catch_up(backend: SearchBackend, batch_size: int = 500) -> int:
    """Bring a follower (a backend that is not the configured one) up to date: apply its own
    queue, deleting it, and the rows still pending for the configured backend, leaving those
    for it (they will be queued for the follower again once applied: harmless)."""
    return _apply(backend, batch_size, consume_shared=False)


def follow(backend_name: str) -> None:
    """Queue for this backend, from now on, every change the configured backend applies.
    Call before reading the articles to index: a change applied (and its row deleted) after
    this commits is copied for the follower; one applied before was committed before, so
    what is read afterwards holds it."""
    IndexFollower.objects.get_or_create(backend=backend_name)


def is_following(backend_name: str) -> bool:
    return IndexFollower.objects.filter(backend=backend_name).exists()


def stop_following(backend_name: str) -> bool:
    """The site now runs this backend: stop queueing changes for it (its queue is still
    applied with the configured backend's rows). Returns whether it was following."""
    deleted, _ = IndexFollower.objects.filter(backend=backend_name).delete()
    return bool(deleted)


def forget_follower(backend_name: str) -> int:
    """Give up a switch: stop following and drop what was queued for the backend (its index
    is stale from then on). Returns how many queued changes were dropped."""
    with transaction.atomic():
        stop_following(backend_name)
        dropped, _ = IndexOutbox.objects.filter(backend=backend_name).delete()
    return dropped


def _apply(backend: SearchBackend, batch_size: int, *, consume_shared: bool) -> int:
    check_index_to_write(backend)
    applied = 0
    last_id = 0
    while True:
        rows = list(
            IndexOutbox.objects.filter(id__gt=last_id, backend__in=("", backend.name))
            .order_by("id")
            .values_list("id", "article_id", "backend")[:batch_size]
        )
        if not rows:
            return applied
        article_ids = {article_id for _, article_id, _ in rows}
        documents = documents_for(article_ids)
        deletions = article_ids - {document.article_id for document in documents}
        try:
            backend.apply(documents, deletions)
        except SearchBackendError:
            logger.warning("Search backend unavailable; %d changes left pending.", len(rows))
            raise
        shared = [(row_id, article_id) for row_id, article_id, tag in rows if not tag]
        own = [row_id for row_id, _, tag in rows if tag]
        with transaction.atomic():
            if consume_shared and shared:
                _queue_for_followers(backend.name, [article_id for _, article_id in shared])
            done = own + ([row_id for row_id, _ in shared] if consume_shared else [])
            IndexOutbox.objects.filter(id__in=done).delete()
        applied += len(article_ids)
        last_id = rows[-1][0]


def check_index_to_write(backend: SearchBackend) -> None:
    """Raise SearchUnavailable, leaving the outbox as it is, when the backend has no index
    and one begun from the outbox alone would lack articles: indexable ones with no change
    pending, which the lost index held. Written to, it would serve a partial index as if it
    were whole; `rebuild_index` makes a whole one. (On a new install every article is still
    in the outbox, and the first write makes the index.)"""
    if backend.has_index():
        return
    pending = IndexOutbox.objects.filter(backend__in=("", backend.name)).values("article_id")
    if indexable_articles().exclude(id__in=pending).exists():
        raise SearchUnavailable(
            "The search index is missing: run rebuild_index (the changes are kept)."
        )


def _queue_for_followers(applied_by: str, article_ids: list[int]) -> None:
    followers = IndexFollower.objects.exclude(backend=applied_by).values_list("backend", flat=True)
    IndexOutbox.objects.bulk_create(
        IndexOutbox(article_id=article_id, backend=follower)
        for follower in followers
        for article_id in set(article_ids)
    )


def _documents(
    rows: list[tuple[int, int, str]],
    article_ids: set[int],
    known: Mapping[int, SearchDocument | None],
) -> list[SearchDocument]:
    """The documents of these articles, in id order: from ``known`` for an article whose one
    row is the caller's, read from the database for the rest (an article with another row
    too was changed by someone else since: what the database holds now is what counts)."""
    rows_of = Counter(article_id for _, article_id, _ in rows)
    ready = {i for i in article_ids if i in known and rows_of[i] == 1}
    documents = [document for i in ready if (document := known[i]) is not None]
    if rest := article_ids - ready:
        documents += documents_for(rest)
    return sorted(documents, key=lambda document: document.article_id)


class StreamingApply:
    """``apply_outbox`` for a long bulk job, fed after each batch it commits: the pending
    documents go to the backend's bulk write at once (Whoosh indexes them in processes of
    its own, tantivy in its indexing threads, PostgreSQL's server on a connection of the
    write's, while the job prepares its next batch) and are committed every ``every``
    articles. The outbox rows are deleted only after the commit, so a failure or a kill
    leaves them for the next run."""

    def __init__(self, backend: SearchBackend | None = None, every: int = 2000) -> None:
        self.backend = backend or get_backend()
        self.every = every
        self._write = self.backend.bulk_write()
        self._rows: list[tuple[int, int, str]] = []  # (row id, article id, backend tag)
        self._last_id = 0
        self._articles = 0

    def feed(self, known: Mapping[int, SearchDocument | None] | None = None) -> None:
        """Send what the outbox holds now to the open write; commit when it is full.

        ``known``: the documents of articles the caller has just saved and has in memory
        (None for one that is not indexable), used instead of reading them back."""
        with primary_reads():
            rows = list(
                IndexOutbox.objects.filter(
                    id__gt=self._last_id, backend__in=("", self.backend.name)
                )
                .order_by("id")
                .values_list("id", "article_id", "backend")
            )
            if not rows:
                return
            article_ids = {article_id for _, article_id, _ in rows}
            documents = _documents(rows, article_ids, known or {})
            if not self._rows:  # the write opens with these: is there an index to write to?
                check_index_to_write(self.backend)
        try:
            self._write.add(documents, article_ids - {d.article_id for d in documents})
        except SearchBackendError:
            self._forget()
            raise
        self._rows += rows
        self._last_id = rows[-1][0]
        self._articles += len(article_ids)
        if self._articles >= self.every:
            self.commit()

    def commit(self) -> int:
        """Make what was fed searchable and drop its outbox rows; returns the articles."""
        applied = self._articles
        try:
            self._write.commit()
        except SearchBackendError:
            logger.warning("Search backend unavailable; %d changes left pending.", applied)
            self._forget()
            raise
        with transaction.atomic():
            # As apply_outbox does: a backend being built beside this one gets copies.
            _queue_for_followers(self.backend.name, [a for _, a, tag in self._rows if not tag])
            row_ids = [row_id for row_id, _, _ in self._rows]
            for start in range(0, len(row_ids), 10_000):  # SQLite's parameter limit
                IndexOutbox.objects.filter(id__in=row_ids[start : start + 10_000]).delete()
        self._rows, self._articles = [], 0
        return applied

    def cancel(self) -> None:
        self._write.cancel()
        self._forget()

    def _forget(self) -> None:
        # What was fed is not in the index: its rows stay, and the next feed starts over.
        self._rows, self._articles, self._last_id = [], 0, 0
