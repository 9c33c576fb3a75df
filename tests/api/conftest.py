import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.search.conftest import backend, sync  # noqa: F401  (fixtures for these tests)


@pytest.fixture
def backend_name() -> str:
    return "whoosh"  # the embedded index: every database runs it


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
