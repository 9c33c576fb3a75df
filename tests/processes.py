"""Running Dateline in another process against the test database (for crash and
concurrency tests)."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def environment(**overrides: str) -> dict[str, str]:
    """The environment of a process that shares this test's database and search index."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": test_database_url(),
        "SEARCH_BACKEND": settings.SEARCH_BACKEND,
        "SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR),
        "GAZETTEER_CACHE_DIR": str(settings.GAZETTEER_CACHE_DIR or ""),
        "PYTHONPATH": str(ROOT),
        **overrides,
    }


def run_python(code: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    """``python -c code`` in a process of its own sharing this test's database and index
    (``environment``), from the project's root; its output captured, a failure raised."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment(**overrides),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def open_search_write() -> str | None:
    """The last statement of another PostgreSQL session that is in a transaction and has
    written to the search tables (a bulk write's thread), or None when there is none."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
            # The statement's text as sent: the upsert's begins with a line break.
            " AND ltrim(query, E' \\n') LIKE 'INSERT INTO search_%%'"
        )
        rows = cursor.fetchall()
    return " ".join(rows[0][0].split()[:3]) if rows else None
