import pytest

from archive.gazetteer import load_regions
from archive.models import Region
from archive.places import forget_gazetteer
from tests.conftest import TEST_COUNTRIES

# What the dateline table and the ordinary-word paragraphs need besides the suite's
# countries: the other Tripoli, Alexandria, Santiago, Valencia, San José..., and the towns
# called Split, Of, Man, Police and Best.
WORLD_COUNTRIES = [
    "EG", "CL", "CU", "ES", "VE", "CR", "CA", "GR", "RU", "AU", "HR", "TR", "CI", "PL", "NL",
    "UA", "PS", "KW", "MX",
]  # fmt: skip


@pytest.fixture(scope="session")
def _world_loaded(django_db_setup, django_db_blocker) -> None:
    with django_db_blocker.unblock():
        load_regions(WORLD_COUNTRIES)


@pytest.fixture
def world(gazetteer, _world_loaded) -> None:
    """The suite's countries and WORLD_COUNTRIES, reloaded if a transactional test flushed
    them."""
    if not Region.objects.filter(country_code="CL", kind=Region.Kind.CITY).exists():
        load_regions(TEST_COUNTRIES + WORLD_COUNTRIES)


@pytest.fixture(autouse=True)
def _fresh_gazetteer():
    """Each test sees the regions as its own transaction has them."""
    forget_gazetteer()
    yield
    forget_gazetteer()
