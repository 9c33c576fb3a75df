"""Keeping the index true: the outbox, commands, failures and concurrent writers."""

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from io import StringIO

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import transaction
from whoosh.analysis import CompositeAnalyzer
from whoosh.fields import ID
from whoosh.fields import Schema as WhooshSchema

from archive.models import Article
from search import service
from search.backends import get_backend, reset_backend
from search.backends import tantivy_schema as ts
from search.backends import whoosh as whoosh_backend
from search.backends.base import SearchBackendError, SearchUnavailable
from search.backends.whoosh_analysis import PossessiveFilter, WordAnalyzer
from search.documents import document_for, iter_all_documents
from search.models import IndexOutbox
from search.sync import StreamingApply, apply_outbox, pending_count
from tests.factories import bulletin, make_article, make_outlet
from tests.processes import ROOT, environment


def titles(q: str) -> list[str]:
    page = service.search(service.build_request(q, sort="newest"))
    return [article.title for _, article in page.hits]


def test_a_change_and_its_outbox_row_commit_or_roll_back_together(backend):
    outlet = make_outlet()
    pending_inside = []

    def change_then_fail():
        with transaction.atomic():
            make_article(outlet, title="Never committed")
            pending_inside.append(pending_count())
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert pending_inside == [1]
    assert pending_count() == 0
    make_article(outlet, title="Committed")
    assert set(IndexOutbox.objects.values_list("article_id", flat=True)) == set(
        Article.objects.values_list("id", flat=True)
    )


def test_changes_are_applied_after_commit_and_their_rows_removed(
    backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Mosul dam repairs begin")
    assert titles("mosul") == ["Mosul dam repairs begin"]
    assert pending_count() == 0


def test_an_ingest_writes_the_index_once_per_thousands_of_articles(
    gazetteer, backend, sample_page, django_capture_on_commit_callbacks, monkeypatch
):
    commits = []
    original_bulk_write = type(backend).bulk_write

    def counted_bulk_write(self):
        write = original_bulk_write(self)
        original_commit = write.commit
        monkeypatch.setattr(write, "commit", lambda: commits.append(1) or original_commit())
        return write

    monkeypatch.setattr(type(backend), "bulk_write", counted_bulk_write)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("ingest", str(sample_page), stdout=StringIO())
    assert (len(callbacks), len(commits)) == (0, 1)  # no write per save: one, at the end
    assert titles("euphrates") == ["Syrian army and backers fight into Deir ez-Zor from the south"]
    assert pending_count() == 0


def pending_articles() -> set[int]:
    return set(IndexOutbox.objects.values_list("article_id", flat=True))


def test_a_bulk_write_commits_every_so_many_articles(backend):
    """StreamingApply commits when it has been fed ``every`` articles and deletes only the
    outbox rows it committed."""
    first = [make_article(title=f"Streamed article {n}") for n in range(3)]
    stream = StreamingApply(backend, every=3)
    stream.feed()  # three pending rows: a full write, committed at once
    assert (pending_count(), len(titles("streamed"))) == (0, 3)
    late = make_article(title="Streamed article late")
    stream.feed()  # one article: fed, not yet committed
    assert (pending_articles(), len(titles("streamed"))) == ({late.id}, 3)
    assert stream.commit() == 1
    assert (pending_count(), len(titles("streamed"))) == (0, 4)
    assert {a.title for a in first} < set(titles("streamed"))


def test_a_bulk_write_takes_known_documents_unless_someone_else_changed_them(backend, monkeypatch):
    """Documents the caller has in memory are used as they are; an article that has another
    outbox row (changed by someone else since) is read back; None means "not indexed"."""
    mine, edited, copy = (make_article(title=f"Known article {n}") for n in range(3))
    IndexOutbox.objects.create(article_id=edited.id)  # an editor's change, after the save
    stale = {a.id: replace(document_for(a), title="Stale in memory") for a in (mine, edited)}
    sent = []
    original_bulk_write = type(backend).bulk_write

    def recorded_bulk_write(self):
        write = original_bulk_write(self)
        original_add = write.add
        monkeypatch.setattr(
            write,
            "add",
            lambda upserts, deletions: (
                sent.append(([d.title for d in upserts], set(deletions)))
                or original_add(upserts, deletions)
            ),
        )
        return write

    monkeypatch.setattr(type(backend), "bulk_write", recorded_bulk_write)
    StreamingApply(backend).feed({**stale, copy.id: None})
    assert sent == [(["Stale in memory", "Known article 1"], {copy.id})]


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_a_bulk_write_that_fails_keeps_its_outbox_rows(backend, settings):
    settings.SEARCH_WRITER_TIMEOUT = 0.2
    reset_backend()
    backend = get_backend()
    article = make_article(title="Streamed while locked")
    other_writer = backend._open_index(create=True).writer()  # another process's writer
    try:
        with pytest.raises(SearchBackendError, match="locked"):
            StreamingApply(backend, every=1).feed()
        assert pending_articles() == {article.id}
    finally:
        other_writer.cancel()
    stream = StreamingApply(backend, every=10)
    stream.feed()
    stream.commit()
    assert (pending_count(), titles("locked")) == (0, ["Streamed while locked"])


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_a_locked_index_keeps_the_changes_until_it_is_free(backend, settings):
    settings.SEARCH_WRITER_TIMEOUT = 0.2
    reset_backend()
    backend = get_backend()
    make_article(title="Written while the index was locked")
    other_writer = backend._open_index(create=True).writer()  # another process's writer
    try:
        with pytest.raises(SearchBackendError, match="locked"):
            apply_outbox(backend)
        assert pending_count() == 1
    finally:
        other_writer.cancel()
    assert apply_outbox(backend) == 1
    assert pending_count() == 0
    assert titles("locked") == ["Written while the index was locked"]


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_search_keeps_serving_the_old_index_during_a_rebuild(backend, sync):
    make_article(title="Before the rebuild")
    sync()
    seen_during_rebuild = []

    def batches():
        for batch in iter_all_documents(batch_size=1):
            seen_during_rebuild.append(titles("rebuild"))
            yield batch
        # A change made meanwhile waits for the rebuild instead of being lost.
        make_article(title="During the rebuild")
        with pytest.raises(SearchBackendError, match="rebuild"):
            apply_outbox(backend)

    backend.rebuild(batches())
    assert seen_during_rebuild == [["Before the rebuild"]]
    apply_outbox(backend)
    assert titles("rebuild") == ["During the rebuild", "Before the rebuild"]


def test_rebuild_index_command_builds_from_the_database(backend, sync):
    for n in range(7):
        make_article(title=f"Ceasefire report {n}")
    IndexOutbox.objects.all().delete()  # as if the index had been lost
    assert titles("ceasefire") == []

    out = StringIO()
    call_command("rebuild_index", "--batch-size", "3", stdout=out, stderr=StringIO())

    assert "Indexed 7 articles" in out.getvalue()
    assert len(titles("ceasefire")) == 7
    assert backend.count() == 7


def test_index_status_reports_database_index_and_outbox(backend, sync):
    make_article(title="Counted")
    sync()
    make_article(title="Pending")
    out = StringIO()
    call_command("index_status", stdout=out)
    report = out.getvalue()
    assert f"backend:               {backend.name}" in report
    assert "articles to index:     2" in report
    assert "documents in index:    1" in report
    assert "pending outbox rows:   1" in report


def test_search_command_prints_ranked_hits(backend, sync):
    make_article(title="Kirkuk oil exports resume", body="Oil flows again from Kirkuk.")
    make_article(title="Oil prices", body="Kirkuk is mentioned once here.")
    sync()
    out = StringIO()
    call_command("search", "kirkuk", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2 matches"
    assert "Kirkuk oil exports resume" in lines[1]
    assert "Oil prices" in lines[3]


def test_sync_index_command_applies_pending_changes(backend):
    make_article(title="Applied by the worker")
    out = StringIO()
    call_command("sync_index", stdout=out)
    assert out.getvalue().strip() == "Applied 1 changes."
    assert titles("worker") == ["Applied by the worker"]


WRITER_SCRIPT = """
import django, sys
django.setup()
from django.db import transaction
from archive.models import Outlet, Article
from datetime import datetime, UTC
outlet, _ = Outlet.objects.get_or_create(name="Writer " + sys.argv[1], slug="writer-" + sys.argv[1])
for n in range(int(sys.argv[2])):
    with transaction.atomic():
        Article.objects.create(
            outlet=outlet, title=f"Concurrent {sys.argv[1]} {n}", body="Concurrent writers.",
            published_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_two_processes_saving_at_once_lose_no_index_update(backend, tmp_path):
    """Each process applies the outbox after its own commits; neither's changes are lost
    although only one can hold the index's writer lock at a time."""
    env = environment()
    per_process = 15
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_SCRIPT, name, str(per_process)], env=env, cwd=ROOT
        )
        for name in ("a", "b")
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]

    assert Article.objects.count() == 2 * per_process
    assert pending_count() == 0
    reset_backend()
    assert get_backend().count() == 2 * per_process
    assert len(titles("concurrent")) == 10  # one page of the 30


def test_rebuild_if_stale_builds_a_missing_index_and_leaves_a_true_one(backend, sync):
    make_article(title="Indexed once")
    sync()
    out = StringIO()
    call_command("rebuild_index", "--if-stale", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == f"The {backend.name} index is up to date (1 articles)."

    backend.clear()
    out = StringIO()
    call_command("rebuild_index", "--if-stale", stdout=out, stderr=StringIO())
    assert "Indexed 1 articles" in out.getvalue()
    assert titles("indexed") == ["Indexed once"]


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_an_index_analysed_the_old_way_is_stale_until_rebuilt(backend, sync, monkeypatch):
    """An upgrade that changes how text is cut into words (here: Whoosh before possessives
    lost their "'s") warns, and `rebuild_index --if-stale` rebuilds though no count
    changed."""

    def old_analyzer() -> WordAnalyzer:
        words = WordAnalyzer()
        words.chain = CompositeAnalyzer(
            *(item for item in words.chain.items if not isinstance(item, PossessiveFilter))
        )
        return words

    make_article(title="Kirkuk's oil")
    with monkeypatch.context() as old_code:
        old_code.setattr(whoosh_backend, "analyzer", old_analyzer)
        call_command("rebuild_index", stdout=StringIO(), stderr=StringIO())
    reset_backend()
    assert not get_backend().analysis_is_current()
    assert "search.W001" in [message.id for message in run_checks()]

    out = StringIO()
    call_command("rebuild_index", "--if-stale", stdout=out, stderr=StringIO())
    assert "Indexed 1 articles" in out.getvalue()
    reset_backend()
    assert get_backend().analysis_is_current()
    assert "search.W001" not in [message.id for message in run_checks()]
    assert titles("kirkuk") == ["Kirkuk's oil"]


@contextmanager
def indexing_whole_language_tags(backend_name: str, monkeypatch) -> Iterator[None]:
    """The code before language ranges: each index's language field held the whole tag."""
    with monkeypatch.context() as old_code:
        if backend_name == "whoosh":
            old_schema = whoosh_backend.make_schema

            def make_schema_of_whole_tags() -> WhooshSchema:
                schema = old_schema()
                schema.remove("language")
                schema.add("language", ID())
                return schema

            old_code.setattr(whoosh_backend, "make_schema", make_schema_of_whole_tags)
        else:  # the field was "language", and held the tag alone
            old_code.setattr(ts, "LANGUAGE_RANGES_FIELD", ts.OLD_LANGUAGE_FIELD)
            old_code.setattr(ts, "language_ranges", lambda tag: [])
        yield


@pytest.mark.parametrize("backend_name", ["whoosh", "tantivy"])
def test_an_index_of_whole_language_tags_is_stale_and_filters_as_before_until_rebuilt(
    backend, backend_name, sync, monkeypatch
):
    """An index built before language filters were ranges warns and is rebuilt by
    `rebuild_index --if-stale`; meanwhile it filters on whole tags, an article saved since
    included, rather than losing them."""
    make_article(title="Detected", language="en")
    make_article(title="Declared", language="en-us")
    with indexing_whole_language_tags(backend_name, monkeypatch):
        call_command("rebuild_index", stdout=StringIO(), stderr=StringIO())
    reset_backend()
    assert not get_backend().analysis_is_current()
    assert "search.W001" in [message.id for message in run_checks()]
    make_article(title="Declared since", language="en-us")
    apply_outbox(get_backend())
    assert titles("language:en") == ["Detected"]
    assert sorted(titles("language:en-us")) == ["Declared", "Declared since"]

    out = StringIO()
    call_command("rebuild_index", "--if-stale", stdout=out, stderr=StringIO())
    assert "Indexed 3 articles" in out.getvalue()
    reset_backend()
    assert get_backend().analysis_is_current()
    assert sorted(titles("language:en")) == ["Declared", "Declared since", "Detected"]


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_a_lost_whoosh_index_is_reported_not_silently_emptied(backend, sync):
    make_article(title="Needs an index")
    sync()
    shutil.rmtree(backend.root)
    reset_backend()
    with pytest.raises(SearchUnavailable, match="rebuild_index"):
        get_backend().search(service.build_request("index"))
    call_command("rebuild_index", stdout=StringIO(), stderr=StringIO())
    assert titles("index") == ["Needs an index"]


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_a_bulk_write_through_two_writer_processes_keeps_every_document(backend):
    from search.backends.whoosh import BULK_WRITE

    documents = [bulletin(n) for n in range(1, BULK_WRITE + 2)]
    backend.index(documents)
    backend.index(documents[:10])  # updated again: still one document each
    assert backend.count() == BULK_WRITE + 1
    results = backend.search(service.build_request("bulletins", page_size=1))
    assert results.total == BULK_WRITE + 1
    assert backend.search(service.build_request("bulletns")).suggestion == "bulletins"
