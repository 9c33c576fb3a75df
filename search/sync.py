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
