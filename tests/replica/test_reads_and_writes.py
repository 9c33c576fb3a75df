"""Reads and writes against a real streaming replica of the test server (see conftest.py).

What went where is read on the servers: the replica's log of the statements it ran, rows on
the primary and on the replica, and a replica whose replay is paused, which has none of
what the test writes on the primary until it resumes.
"""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.urls import reverse

from archive.models import Article, Outlet
from config.routers import ReplicaRouter, read_database, replica_reads
from moderation.forms import issue_form_stamp
from moderation.services import submit_comment
from tests.factories import make_article, make_outlet
from tests.replica.conftest import REPLICA_ALIAS, Replica

pytestmark = [
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA_ALIAS]),
]

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP)\b", re.I)
ARTICLE_ROW = "SELECT title FROM archive_article WHERE id = %s"


def search(client, query: str):
    response = client.get(reverse("search:results"), {"q": query})
    assert response.status_code == 200
    return [article.pk for _, article in response.context["hits"]]


def test_an_article_saved_on_the_primary_becomes_searchable_through_the_replica(
    client, replica: Replica, postgres_search
):
    article = make_article(title="Quetzalcoatl sighted over the Euphrates")
    # Written on the primary (the outbox was applied when the article committed).
    documents = "SELECT title FROM search_document WHERE article_id = %s"
    assert replica.on_primary(documents, [article.pk]) == [(article.title,)]

    replica.catch_up()
    assert replica.on_replica(documents, [article.pk]) == [(article.title,)]
    mark = replica.log_position()
    assert search(client, "quetzalcoatl") == [article.pk]

    statements = replica.statements_since(mark)
    assert any("search_document" in s and "'quetzalcoatl'" in s for s in statements)
    assert any(s.lstrip().startswith("SELECT") and "archive_article" in s for s in statements)
    assert not [s for s in statements if WRITE.match(s)]
    assert not [e for e in replica.log_since(mark) if e.message.startswith(("ERROR", "FATAL"))]
    # The page logged the search: a write, so on the primary, and nothing of it on the replica.
    searches = "SELECT hit_count FROM search_searchlog WHERE query = %s"
    assert replica.on_primary(searches, ["quetzalcoatl"]) == [(1,)]
    assert not [s for s in statements if "search_searchlog" in s]


def test_public_pages_read_the_replica_and_staff_pages_the_primary(
    client, admin_client, paused_replica: Replica, postgres_search
):
    article = make_article(title="Zyzzogeton found in the Tigris")
    assert paused_replica.on_primary(ARTICLE_ROW, [article.pk]) == [(article.title,)]
    assert paused_replica.on_replica(ARTICLE_ROW, [article.pk]) == []

    # The replica has not replayed the article: public pages do not know it yet...
    assert client.get(reverse("archive:article", args=[article.slug])).status_code == 404
    assert client.get(reverse("api:article", args=[article.pk])).status_code == 404
    assert search(client, "zyzzogeton") == []
    # ...while the admin reads the primary.
    change_page = admin_client.get(reverse("admin:archive_article_change", args=[article.pk]))
    assert change_page.status_code == 200
    assert article.title in change_page.content.decode()

    paused_replica.resume_replay()
    paused_replica.catch_up()
    assert client.get(reverse("archive:article", args=[article.slug])).status_code == 200
    assert client.get(reverse("api:article", args=[article.pk])).status_code == 200
    assert search(client, "zyzzogeton") == [article.pk]


def test_a_comment_posted_with_a_replica_configured_is_written_on_the_primary(
    client, paused_replica: Replica
):
    article = make_article(title="Comments on a fresh article")  # on the primary only
    mark = paused_replica.log_position()
    response = client.post(
        reverse("archive:post_comment", args=[article.slug]),
        {
            "author_name": "Ann Reader",
            "author_email": "ann@example.com",
            "body": "A thoughtful remark about the offensive.",
            "website": "",
            "stamp": issue_form_stamp(article, issued_at=time.time() - 60),
        },
    )

    assert response.status_code == 302
    comments = "SELECT author_name, status FROM archive_comment WHERE article_id = %s"
    assert paused_replica.on_primary(comments, [article.pk]) == [("Ann Reader", "pending")]
    assert paused_replica.on_replica(comments, [article.pk]) == []
    # A form post reads and writes the primary only: the replica ran nothing for it.
    assert paused_replica.statements_since(mark) == []

    paused_replica.resume_replay()
    paused_replica.catch_up()
    assert paused_replica.on_replica(comments, [article.pk]) == [("Ann Reader", "pending")]


def test_a_write_sent_to_the_replica_is_refused_by_the_server(replica: Replica):
    with pytest.raises(DatabaseError, match="read-only transaction"):
        Outlet(name="Nowhere News", slug="nowhere-news").save(using=REPLICA_ALIAS)
    assert replica.on_primary("SELECT id FROM archive_outlet WHERE slug = 'nowhere-news'") == []


def test_the_router_sends_every_write_to_the_primary(replica: Replica):
    outlet = make_outlet("Before the rename")
    replica.catch_up()
    with replica_reads():
        from_replica = Outlet.objects.get(pk=outlet.pk)
        assert from_replica._state.db == REPLICA_ALIAS
        assert ReplicaRouter().db_for_write(Outlet, instance=from_replica) == DEFAULT_DB_ALIAS
        from_replica.name = "After the rename"
        from_replica.save()  # an object read from the replica is saved on the primary

    names = "SELECT name FROM archive_outlet WHERE id = %s"
    assert replica.on_primary(names, [outlet.pk]) == [("After the rename",)]


def test_a_request_reads_its_own_writes_from_the_primary(paused_replica: Replica, settings):
    settings.SEARCH_SYNC_ON_COMMIT = False  # keep the outbox row to look at
    outlet = make_outlet()  # on the primary only
    with replica_reads():
        assert read_database() == REPLICA_ALIAS
        assert not Outlet.objects.filter(pk=outlet.pk).exists()  # the lagging replica
        with transaction.atomic():
            # In a transaction, reads see what the transaction sees: the primary.
            assert Outlet.objects.filter(pk=outlet.pk).exists()
        assert not Outlet.objects.filter(pk=outlet.pk).exists()

        article = make_article(outlet=outlet, title="Written in this request")
        # After a write, the request reads the primary, where its write is.
        assert read_database() == DEFAULT_DB_ALIAS
        assert Article.objects.filter(pk=article.pk).exists()

    outbox = "SELECT article_id FROM search_indexoutbox WHERE article_id = %s"
    assert paused_replica.on_primary(outbox, [article.pk]) == [(article.pk,)]
    assert paused_replica.on_replica(outbox, [article.pk]) == []


def test_the_moderation_queue_reads_the_primary(client, paused_replica: Replica):
    """The moderation queue lists a comment on an article the replica has not replayed."""
    moderator = get_user_model().objects.create_superuser("mod", "mod@example.com", "x" * 20)
    article = make_article(title="Queue article only the primary has")
    submit_comment(
        article=article,
        author_name="Ann Reader",
        author_email="ann@example.com",
        body="Waiting for a moderator.",
        ip_hash="",
    )
    client.force_login(moderator)
    mark = paused_replica.log_position()
    queue = client.get(reverse("moderation:queue"))
    assert queue.status_code == 200
    assert article.title in queue.content.decode()
    assert paused_replica.statements_since(mark) == []
