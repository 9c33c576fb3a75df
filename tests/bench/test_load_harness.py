"""bench/load.py, run tiny, so that the load harness and its locustfile cannot rot.

The whole thing as the benchmark runs it: an archive built with the production settings,
gunicorn, locust's readers and commenters, an ingest alongside; on the database the suite
runs on. And the search mix served from an archive bench/search.py kept (--from-archive), as
the 100,000-article HTTP figures are measured. It asserts what the benchmark guarantees (no
5xx, every accepted comment stored, the index complete), never a time.
"""

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.bench.scripts import SEARCH_ARCHIVE_ARTICLES
from tests.processes import ROOT

# WhiteNoise's compression is most of a short run's CPU: collected once, then reused.
STATIC_CACHE = ROOT / "var" / "bench" / "static"


def load_command(tmp_path) -> list[str]:
    command = [
        *(sys.executable, str(ROOT / "bench" / "load.py")),
        *("--articles", "200", "--seconds", "10", "--users", "12", "--commenters", "3"),
        *("--ingest-articles", "150", "--ingest-chunk", "50"),
        # A few countries' regions instead of the world's: seconds instead of half a minute.
        *("--countries", "US,IN,CN"),
        *("--json", str(tmp_path / "load.json")),
        *("--static-cache", str(STATIC_CACHE)),
    ]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        server = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        command += ["--database", "postgres", "--postgres", server]
    return command


def test_a_short_load_serves_every_request_and_stores_every_accepted_comment(tmp_path):
    result = subprocess.run(
        load_command(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-4000:]
    facts = json.loads((tmp_path / "load.json").read_text())
    assert facts["failures"] == []
    assert facts["server_errors"] == 0
    assert facts["unanswered"] == {}
    assert facts["comments_accepted"] > 0
    assert facts["comments_stored"] == facts["comments_accepted"]
    assert facts["ingested_during_load"] > 0
    assert facts["index"]["documents"] == facts["index"]["articles"]
    requests = {row["request"]: row["count"] for row in facts["table"]}
    for kind in ("all search pages", "all browsing pages", "all API requests", "comment: post"):
        assert requests.get(kind, 0) > 0, f"no {kind!r} was made: {requests}"


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite + Whoosh whatever the suite's database: runs in the SQLite pass of .ci/run",
)
def test_a_search_load_on_an_archive_bench_search_kept_answers_every_page(tmp_path, kept_archive):
    archive = kept_archive
    manifest = json.loads((archive / "archive.json").read_text())
    assert (manifest["articles"], manifest["database"], manifest["backend"]) == (
        SEARCH_ARCHIVE_ARTICLES,
        "sqlite",
        "whoosh",
    )

    command = [
        *(sys.executable, str(ROOT / "bench" / "load.py"), "--mix", "search"),
        *("--from-archive", str(archive), "--articles", str(SEARCH_ARCHIVE_ARTICLES)),
        *("--seconds", "5", "--json", str(tmp_path / "load.json")),
        *("--static-cache", str(STATIC_CACHE)),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    # Served from the kept archive, not built again.
    assert f"built by bench/search.py in {archive}" in result.stdout
    facts = json.loads((tmp_path / "load.json").read_text())
    assert facts["failures"] == []
    assert facts["server_errors"] == 0
    assert facts["unanswered"] == {}
    # What the server held is the archive bench/search.py built, its index complete.
    assert facts["index"] == {
        "articles": SEARCH_ARCHIVE_ARTICLES,
        "documents": SEARCH_ARCHIVE_ARTICLES,
        "pending": 0,
    }
    rows = {row["request"]: row for row in facts["table"]}
    assert rows["all search pages"]["count"] > 0
    assert rows["all requests"]["count"] == rows["all search pages"]["count"], rows.keys()
    assert [row["request"] for row in facts["table"] if row["failures"]] == []
