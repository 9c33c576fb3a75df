"""How the ingest writes a batch's rows: the many-to-many links in one statement (on
PostgreSQL, the columns as arrays), on PostgreSQL the body compressed with lz4, and a batch
saved again when another ingest saved some of its rows meanwhile or deadlocked with it."""

import json
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from archive.ingest.pipeline import BATCH_ATTEMPTS, Ingester, insert_links
from archive.models import Article, Tag
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db


def test_links_are_inserted_as_given_in_one_statement():
    articles = [make_article() for _ in range(3)]
    tags = [make_tag(f"Tag {n}") for n in range(4)]
    pairs = [(article.pk, tag.pk) for article in articles for tag in tags[: article.pk % 4 + 1]]
    with CaptureQueriesContext(connection) as queries:
        insert_links(Article.tags.through, pairs)
    assert len(queries) == 1
    stored = Article.tags.through.objects.values_list("article_id", "tag_id")
    assert sorted(stored) == sorted(pairs)
    with CaptureQueriesContext(connection) as none:
        insert_links(Article.tags.through, [])
    assert len(none) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage only")
def test_an_articles_body_is_compressed_with_lz4():
    """Migration archive/0015: pglz took a tenth of the server's time in an ingest."""
    body = " ".join(f"Paragraph {n} of a long report on the wells of Kirkuk." for n in range(80))
    article = make_article(body=body)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(body), (SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'archive_article'::regclass AND attname = 'body')"
            " FROM archive_article WHERE id = %s",
            [article.pk],
        )
        compressed, configured = cursor.fetchone()
    # A server built without lz4 keeps the default (the migration leaves the column as it is).
    assert compressed == ("lz4" if configured == "l" else "pglz")
    assert Article.objects.get(pk=article.pk).body == body


def _record(n: int, tags: list[str]) -> str:
    return json.dumps(
        {
            "title": f"Report {n} on the dams of the Tigris",
            "body": f"MOSUL (Reuters) - Engineers inspected dam number {n} on Tuesday.",
            "url": f"https://wire.example.com/dams/{n}",
            "outlet": "Wire",
            "published": "2017-08-15",
            "tags": tags,
        }
    )


def test_a_batch_meeting_rows_another_ingest_saved_meanwhile_is_saved_again_against_them(
    tmp_path, gazetteer
):
    """A second ingest, run while this one is between two batches, makes a tag this run
    does not know (it read the tags at its start) in another case than this run's record
    has it: the batch that meets it is rolled back and saved again against the archive as
    it is now, instead of the run failing on the tags' unique name."""
    ours, theirs = tmp_path / "ours.jsonl", tmp_path / "theirs.jsonl"
    ours.write_text(_record(1, ["Water"]) + "\n" + _record(2, ["Dams"]) + "\n")
    theirs.write_text(_record(3, ["DAMS"]) + "\n")

    def the_other_ingest_after_our_first_batch(saved: int) -> None:
        if not Tag.objects.filter(name="DAMS").exists():
            assert Ingester().run([theirs]).new == 1

    report = Ingester(batch_size=1, on_saved=the_other_ingest_after_our_first_batch).run([ours])
    assert (report.new, report.rejected) == (2, 0)
    (dams,) = Tag.objects.filter(name__iexact="dams")
    assert dams.name == "DAMS"
    assert sorted(dams.articles.values_list("canonical_url", flat=True)) == [
        "https://wire.example.com/dams/2",
        "https://wire.example.com/dams/3",
    ]
    assert Article.objects.count() == 3


def test_a_batch_that_keeps_conflicting_is_tried_three_times_then_fails(
    tmp_path, gazetteer, monkeypatch
):
    """A conflict that reading the archive again does not resolve is no race: after the
    last try the error is raised, not retried for ever, and nothing of the batch is saved."""
    source = tmp_path / "ours.jsonl"
    source.write_text(_record(1, ["Water"]) + "\n")
    tries = []

    def conflicting(self, batch):
        tries.append(len(batch))
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr(Ingester, "_save", conflicting)
    with pytest.raises(IntegrityError):
        Ingester().run([source])
    assert tries == [1] * BATCH_ATTEMPTS
    assert not Article.objects.exists()


def _wait_until_waiting_on_a_lock(backend_pid: int, seconds: float = 20) -> None:
    with connection.cursor() as cursor:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s",
                [backend_pid],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {backend_pid} never waited on a lock")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's deadlock detection")
@pytest.mark.django_db(transaction=True)
def test_a_batch_that_deadlocks_with_another_writer_is_saved_again(tmp_path, gazetteer, caplog):
    """Two writers making the same new tags in opposite orders deadlock: the other writer
    has made "Beta" (not yet committed), the batch makes "Alpha" then waits on "Beta", and
    the other writer then makes "Alpha". PostgreSQL aborts one side (here the batch, whose
    deadlock_timeout is the shorter); its run saves the batch again, against the other
    writer's tags, instead of ending with "deadlock detected"."""
    source = tmp_path / "ours.jsonl"
    source.write_text(_record(1, ["Alpha", "Beta"]) + "\n")
    with connection.cursor() as cursor:
        cursor.execute("SET deadlock_timeout = '100ms'")
        cursor.execute("SELECT pg_backend_pid()")
        ingest_pid = cursor.fetchone()[0]
    made_beta, failures = threading.Event(), []

    def other_writer() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET deadlock_timeout = '20s'")  # the batch detects it first
            with transaction.atomic():
                Tag.objects.create(name="Beta", slug="beta")
                made_beta.set()
                _wait_until_waiting_on_a_lock(ingest_pid)
                Tag.objects.create(name="Alpha", slug="alpha")
        except Exception as error:  # reported to the test's thread
            failures.append(error)
        finally:
            made_beta.set()
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    try:
        assert made_beta.wait(timeout=20)
        with caplog.at_level("WARNING", logger="archive.ingest.pipeline"):
            report = Ingester().run([source])
    finally:
        thread.join(timeout=60)
        with connection.cursor() as cursor:
            cursor.execute("RESET deadlock_timeout")
    assert failures == []
    assert "deadlock detected" in caplog.text
    assert (report.new, report.rejected) == (1, 0)
    article = Article.objects.get()
    assert sorted(article.tags.values_list("slug", flat=True)) == ["alpha", "beta"]
    assert Tag.objects.count() == 2
