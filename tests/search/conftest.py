from datetime import UTC, datetime

import pytest
from django.db import connection

from archive.models import Region
from search.backends import get_backend, reset_backend
from search.sync import apply_outbox
from tests.factories import make_article, make_outlet, make_tag
from tests.search.oracle import build_archive


def backends_for_this_database() -> list[str]:
    """The embedded backends (Whoosh, tantivy) run on every database; the PostgreSQL backend
    only where PostgreSQL is."""
    names = ["whoosh", "tantivy"]
    if connection.vendor == "postgresql":
        names.append("postgres")
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses a backend once per backend, unless the test names its own
    (a behaviour only one backend has, such as Whoosh's writer lock)."""
    chosen = any(
        "backend_name" in str(marker.args[0])
        for marker in metafunc.definition.iter_markers("parametrize")
    )
    if "backend_name" in metafunc.fixturenames and not chosen:
        metafunc.parametrize("backend_name", backends_for_this_database())


@pytest.fixture
def backend(backend_name, settings, tmp_path, db):
    """An empty index of the backend under test, made the process's configured backend."""
    settings.SEARCH_BACKEND = backend_name
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    reset_backend()
    backend = get_backend()
    backend.clear()
    yield backend
    reset_backend()


@pytest.fixture(scope="module")
def whoosh_archive(tmp_path_factory):
    """A Whoosh index of several segments, with updates and deletions, and the oracle of
    what it holds (tests.search.oracle): built once for each module that uses it."""
    return build_archive(tmp_path_factory.mktemp("whoosh-archive"))


@pytest.fixture
def sync(backend):
    """Apply the outbox to the backend under test, as the after-commit hook does."""
    return lambda: apply_outbox(backend)


def when(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def corpus(gazetteer, sync):
    """A small archive with known words, places, outlets, tags, dates and languages."""
    rudaw, reuters, afp = make_outlet("Rudaw"), make_outlet("Reuters"), make_outlet("AFP")
    deir_tag, raqqa_tag, kurdistan_tag = (
        make_tag("Deir ez-Zor"),
        make_tag("Raqqa"),
        make_tag("Kurdistan"),
    )
    deir = Region.objects.get(name="Deir ez-Zor")
    raqqa = Region.objects.get(name="Ar Raqqah")
    erbil = Region.objects.get(name="Erbil")
    articles = {
        "deir": make_article(
            rudaw,
            title="Syrian army fights into Deir ez-Zor",
            body="Government forces and their allies advanced through the desert. "
            "The Middle Euphrates valley lies ahead of the fighting columns.",
            dateline="ERBIL, Kurdistan Region",
            published_at=when(2017, 8, 15),
            language="en",
            tags=[deir_tag],
            dateline_region=erbil,
        ),
        "raqqa": make_article(
            reuters,
            title="Offensive on Raqqa enters final phase",
            body="Kurdish-led fighters pushed into the old city of Raqqa. Some units may "
            "later move towards the middle of the province along the Euphrates river.",
            published_at=when(2017, 6, 1),
            language="en",
            tags=[raqqa_tag],
        ),
        "parliament": make_article(
            rudaw,
            title="Kurdish parliament votes on budget",
            body="Lawmakers in Erbil approved the budget after a long session about Raqqa "
            "refugees and the cost of the war.",
            published_at=when(2016, 3, 10),
            language="en",
            tags=[kurdistan_tag],
            dateline_region=erbil,
        ),
        "french": make_article(
            afp,
            title="Les forces syriennes avancent vers Déir ez-Zor",
            body="L'armée syrienne et ses alliés progressent dans le désert.",
            published_at=when(2017, 8, 20),
            language="fr",
            tags=[deir_tag],
        ),
        "markup": make_article(
            reuters,
            title="Budget <script>alert(1)</script> debate",
            body="The <b>budget</b> debate in Baghdad went on late into the night.",
            published_at=when(2015, 1, 5),
            language="en",
        ),
    }
    articles["deir"].regions.add(deir)
    articles["raqqa"].regions.add(raqqa)
    articles["french"].regions.add(deir)
    sync()
    return articles
