"""An archive bench/search.py kept, shared by the harnesses that measure one."""

import pytest

from tests.bench.scripts import SEARCH_ARCHIVE_ARTICLES, run_bench


@pytest.fixture(scope="session")
def kept_archive(tmp_path_factory):
    """What bench/search.py keeps with --reuse DIR: corpus, SQLite database, Whoosh index;
    built once for the session (half a minute)."""
    directory = tmp_path_factory.mktemp("bench") / "search-archive"
    built = run_bench(
        "search.py", f"--articles={SEARCH_ARCHIVE_ARTICLES}", f"--reuse={directory}", "--build-only"
    )
    assert built.returncode == 0, built.stderr[-4000:]
    return directory
