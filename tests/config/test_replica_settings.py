"""DATABASE_REPLICA_URLS and the router without a replica: they hold on every database.
What goes where with a real replica is checked in tests/replica."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS

from archive.models import Article, Comment, Outlet
from config.databases import replica_databases
from config.routers import ReplicaRouter, read_database, replica_reads

PRIMARY = {"ENGINE": "django.db.backends.postgresql", "NAME": "dateline", "CONN_MAX_AGE": 60}


def test_each_replica_url_becomes_an_alias_naming_a_postgresql_server():
    replicas = replica_databases(
        ["postgres://reader@db-2:5432/dateline", " postgres://reader:s3cret@db-3/dateline "],
        PRIMARY,
    )

    assert list(replicas) == ["replica_1", "replica_2"]
    assert replicas["replica_1"]["HOST"] == "db-2"
    assert replicas["replica_2"]["PASSWORD"] == "s3cret"
    for replica in replicas.values():
        assert replica["ENGINE"] == "django.db.backends.postgresql"
        assert replica["CONN_MAX_AGE"] == 60
        # Django's test runner must not create or flush a database on a read-only server.
        assert replica["TEST"] == {"MIRROR": "default"}


def test_no_replica_urls_make_no_aliases():
    assert replica_databases([], PRIMARY) == {}
    assert replica_databases([""], {"ENGINE": "django.db.backends.sqlite3"}) == {}


def test_replicas_need_a_postgresql_primary():
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL primary"):
        replica_databases(["postgres://db-2/dateline"], {"ENGINE": "django.db.backends.sqlite3"})


@pytest.mark.filterwarnings("ignore:Engine not recognized")
@pytest.mark.parametrize("url", ["sqlite:///replica.sqlite3", "mysql://db-2/x", "not a url"])
def test_a_replica_url_that_is_not_postgresql_is_refused_without_echoing_it(url):
    with pytest.raises(ImproperlyConfigured, match="replica 2 is not a postgres") as refusal:
        replica_databases(["postgres://db-2/dateline", url], PRIMARY)
    assert url not in str(refusal.value)


def test_without_replicas_every_read_and_write_goes_to_the_primary():
    router = ReplicaRouter()
    with replica_reads():
        assert read_database() == DEFAULT_DB_ALIAS
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Comment) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Article) == DEFAULT_DB_ALIAS


def test_replicas_are_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("replica_1", "archive") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "archive") is None


def test_rows_from_a_replica_may_be_related_to_the_primarys(monkeypatch):
    monkeypatch.setattr("config.routers.replica_aliases", lambda: ["replica_1"])
    router = ReplicaRouter()
    outlet, article = Outlet(name="Wire"), Article()
    for outlet_db, allowed in [
        (DEFAULT_DB_ALIAS, True),
        ("replica_1", True),  # the same rows
        ("archive_2", None),  # another database's: Django's own rule decides
    ]:
        outlet._state.db, article._state.db = outlet_db, DEFAULT_DB_ALIAS
        assert router.allow_relation(article, outlet) is allowed, outlet_db
        assert router.allow_relation(outlet, article) is allowed, outlet_db
