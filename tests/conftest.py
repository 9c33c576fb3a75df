from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from archive.gazetteer import load_regions
from archive.models import Region
from search.backends import reset_backend
from search.facet_labels import labels as facet_labels
from search.insight import promoted_queries

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PAGE = ROOT / "samples" / "rudaw-2017-08-15-deir-ez-zor.txt"
# Enough of the world for the sample and the ambiguous datelines the tests use.
TEST_COUNTRIES = ["IQ", "SY", "LB", "LY", "FR", "US", "GB"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The replica tests copy a PostgreSQL test server: on SQLite there is none, so they are
    deselected (the summary counts them), neither skipped nor passed."""
    if connection.vendor == "postgresql":
        return
    replica_tests = [item for item in items if item.get_closest_marker("replica")]
    if replica_tests:
        config.hook.pytest_deselected(items=replica_tests)
        items[:] = [item for item in items if not item.get_closest_marker("replica")]


@pytest.fixture(scope="session", autouse=True)
def _gazetteer_files_in_tmp(tmp_path_factory) -> None:
    """The gazetteer's file (archive.gazetteer_file) of the test databases kept out of var/;
    the processes the tests start share it (tests.processes.environment)."""
    settings.GAZETTEER_CACHE_DIR = tmp_path_factory.mktemp("gazetteer")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load part of the gazetteer once; tests that need it still ask for ``gazetteer``."""
    with django_db_blocker.unblock():
        load_regions(TEST_COUNTRIES)


@pytest.fixture
def gazetteer(db) -> None:
    """The test countries' regions, reloaded if a transactional test flushed them."""
    if not Region.objects.filter(country_code="IQ", kind=Region.Kind.CITY).exists():
        load_regions(TEST_COUNTRIES)


@pytest.fixture(autouse=True)
def _rejected_logs_in_tmp(settings, tmp_path) -> None:
    """Keep the ingest's rejected-record logs out of var/."""
    settings.INGEST_REJECTED_DIR = tmp_path / "rejected"


@pytest.fixture(autouse=True)
def _no_facet_labels_from_another_test() -> None:
    """Each process remembers facet labels and promoted queries for a minute; a test's
    rolled-back outlets, tags, places and promotions must not show in another test's."""
    facet_labels.forget()
    promoted_queries.forget()


@pytest.fixture(autouse=True)
def _search_index_in_tmp(settings, tmp_path):
    """Every test gets its own (empty) search index directory, never var/index: a test
    must not pass or fail by what a developer's own index happens to hold."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    reset_backend()
    yield
    reset_backend()


@pytest.fixture
def sample_page() -> Path:
    return SAMPLE_PAGE
