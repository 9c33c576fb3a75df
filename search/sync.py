"""Keep the index true to the database through an outbox.

Every change to what an article's search document holds records the article's id in
``IndexOutbox`` inside the change's own transaction. After commit, ``apply_outbox`` sends
the pending articles to the backend in batches and deletes the rows it applied. If the
backend fails, the rows stay for the next run (``manage.py sync_index``), so no change is
lost and the index is never ahead of the database.
"""

import logging
import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction

from config.routers import primary_reads
from search.backends import get_backend
from search.backends.base import SearchBackend, SearchBackendError
from search.documents import documents_for
from search.models import IndexOutbox

logger = logging.getLogger(__name__)

_state = threading.local()


def record_changes(article_ids: Iterable[int]) -> None:
    """Mark articles as changed; call inside the transaction that changes them."""
    rows = [IndexOutbox(article_id=article_id) for article_id in set(article_ids)]
    if not rows:
        return
    IndexOutbox.objects.bulk_create(rows)
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


def pending_count() -> int:
    return IndexOutbox.objects.count()


def apply_outbox(backend: SearchBackend | None = None, batch_size: int = 500) -> int:
    """Apply pending changes to the backend; returns how many articles were applied.

    Raises SearchBackendError when the backend fails, leaving the unapplied rows in place.
    Safe to run in several processes at once: each applies what it read, and applying an
    article twice is harmless. Reads the primary: a replica may not have replayed yet the
    change an outbox row stands for, and the row is deleted once applied.
    """
    with primary_reads():
        return _apply_outbox(backend or get_backend(), batch_size)


def _apply_outbox(backend: SearchBackend, batch_size: int) -> int:
    applied = 0
    last_id = 0
    while True:
        rows = list(
            IndexOutbox.objects.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "article_id")[:batch_size]
        )
        if not rows:
            return applied
        article_ids = {article_id for _, article_id in rows}
        documents = documents_for(article_ids)
        deletions = article_ids - {document.article_id for document in documents}
        try:
            backend.apply(documents, deletions)
        except SearchBackendError:
            logger.warning("Search backend unavailable; %d changes left pending.", len(rows))
            raise
        IndexOutbox.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
        applied += len(article_ids)
        last_id = rows[-1][0]


class StreamingApply:
    """``apply_outbox`` for a long bulk job, fed after each batch it commits: the pending
    documents go to the backend's bulk write at once (Whoosh indexes them in other
    processes while the job prepares its next batch) and are committed every ``every``
    articles. The outbox rows are deleted only after the commit, so a failure or a kill
    leaves them for the next run."""

    def __init__(self, backend: SearchBackend | None = None, every: int = 2000) -> None:
        self.backend = backend or get_backend()
        self.every = every
        self._write = self.backend.bulk_write()
        self._row_ids: list[int] = []
        self._last_id = 0
        self._articles = 0

    def feed(self) -> None:
        """Send what the outbox holds now to the open write; commit when it is full."""
        rows = list(
            IndexOutbox.objects.filter(id__gt=self._last_id)
            .order_by("id")
            .values_list("id", "article_id")
        )
        if not rows:
            return
        article_ids = {article_id for _, article_id in rows}
        documents = documents_for(article_ids)
        try:
            self._write.add(documents, article_ids - {d.article_id for d in documents})
        except SearchBackendError:
            self._forget()
            raise
        self._row_ids += [row_id for row_id, _ in rows]
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
        for start in range(0, len(self._row_ids), 10_000):  # SQLite's parameter limit
            IndexOutbox.objects.filter(id__in=self._row_ids[start : start + 10_000]).delete()
        self._row_ids, self._articles = [], 0
        return applied

    def cancel(self) -> None:
        self._write.cancel()
        self._forget()

    def _forget(self) -> None:
        # What was fed is not in the index: its rows stay, and the next feed starts over.
        self._row_ids, self._articles, self._last_id = [], 0, 0
