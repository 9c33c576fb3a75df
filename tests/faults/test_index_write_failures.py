"""The search backend failing while changes are written to it (Whoosh's writer lock held by
another writer past the timeout; PostgreSQL's search table gone): the saved data stays, the
outbox keeps its rows, and `manage.py sync_index` applies them once the backend is back."""

import json
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from whoosh import index

from archive.models import Article
from search.backends import get_backend, reset_backend
from search.models import IndexOutbox
from search.service import build_request
from tests.factories import make_article, make_outlet
from tests.faults.conftest import indexable_ids, whoosh_ids

BACKENDS = ["whoosh", "postgres"] if connection.vendor == "postgresql" else ["whoosh"]


@pytest.fixture(params=BACKENDS)
def backend(request, settings, tmp_path, db):
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    settings.SEARCH_WRITER_TIMEOUT = 0.2
    settings.SEARCH_SYNC_ON_COMMIT = True
    reset_backend()
    get_backend().clear()
    yield get_backend()
    reset_backend()


@contextmanager
def failing(backend):
    """The backend unable to take writes while the block runs, back to health after it."""
    if backend.name == "whoosh":
        root = backend.root
        generation = root / (root / "CURRENT").read_text()
        lock = index.open_dir(str(generation)).lock("WRITELOCK")  # another writer's
        assert lock.acquire()
        try:
            yield
        finally:
            lock.release()
    else:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE search_document RENAME TO search_document_away")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE search_document_away RENAME TO search_document")


def index_ids(backend) -> list[int]:
    if backend.name == "whoosh":
        return whoosh_ids(backend.root)
    with connection.cursor() as cursor:
        cursor.execute("SELECT article_id FROM search_document ORDER BY article_id")
        return [row[0] for row in cursor.fetchall()]


def sync_index() -> str:
    out = StringIO()
    call_command("sync_index", stdout=out)
    return out.getvalue()


def test_an_edit_is_saved_and_its_index_change_kept_until_the_backend_recovers(
    backend, django_capture_on_commit_callbacks
):
    article = make_article(title="Dam repairs begin")
    sync_index()
    with failing(backend), django_capture_on_commit_callbacks(execute=True):
        article.title = "Dam repairs end"
        article.save()
        added = make_article(make_outlet(), title="A new article")

    assert Article.objects.get(pk=article.pk).title == "Dam repairs end"
    assert set(IndexOutbox.objects.values_list("article_id", flat=True)) == {article.pk, added.pk}
    assert index_ids(backend) == [article.pk]

    assert sync_index() == "Applied 2 changes.\n"
    assert not IndexOutbox.objects.exists()
    assert index_ids(backend) == indexable_ids()
    assert [hit.article_id for hit in backend.search(build_request("repairs end")).hits] == [
        article.pk
    ]


def test_sync_index_keeps_the_changes_while_the_backend_fails(backend):
    article = make_article()
    with failing(backend):
        with pytest.raises(CommandError, match="changes kept"):
            sync_index()
        assert list(IndexOutbox.objects.values_list("article_id", flat=True)) == [article.pk]
    sync_index()
    assert index_ids(backend) == [article.pk]


def test_an_ingest_saves_everything_while_the_backend_fails_and_sync_index_catches_up(
    backend, tmp_path, gazetteer
):
    source = tmp_path / "articles.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "title": f"Report {n}",
                    "body": f"BAGHDAD (Reuters) - Report {n} of the day.",
                    "published": "2017-08-15",
                    "outlet": "Wire",
                    "url": f"https://wire.example.com/{n}",
                }
            )
            + "\n"
            for n in range(25)
        )
    )
    with failing(backend):
        call_command("ingest", str(source), "--batch-size", "10", stdout=StringIO())
        assert Article.objects.count() == 25
        pending = set(IndexOutbox.objects.values_list("article_id", flat=True))
        assert pending == set(Article.objects.values_list("id", flat=True))

    sync_index()
    assert not IndexOutbox.objects.exists()
    assert index_ids(backend) == indexable_ids()
    assert len(index_ids(backend)) == 25
