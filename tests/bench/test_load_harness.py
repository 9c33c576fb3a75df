"""bench/load.py, run tiny, so that the load harness and its locustfile cannot rot.

The whole thing as the benchmark runs it: an archive built with the production settings,
gunicorn, locust's readers and commenters, an ingest alongside; on the database the suite
runs on. It asserts what the benchmark guarantees (no 5xx, every accepted comment stored, the
index complete after the ingest), never a time.
"""

import json
import subprocess
import sys

from django.conf import settings

from tests.processes import ROOT


def load_command(tmp_path) -> list[str]:
    command = [
        *(sys.executable, str(ROOT / "bench" / "load.py")),
        *("--articles", "200", "--seconds", "10", "--users", "12", "--commenters", "3"),
        *("--ingest-articles", "150", "--ingest-chunk", "50"),
        # A few countries' regions instead of the world's: seconds instead of half a minute.
        *("--countries", "US,IN,CN"),
        *("--json", str(tmp_path / "load.json")),
        # WhiteNoise's compression is most of a short run's CPU: collected once, then reused.
        *("--static-cache", str(ROOT / "var" / "bench" / "static")),
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
