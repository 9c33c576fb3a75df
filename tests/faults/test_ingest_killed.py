"""An ingest killed at any moment and run again ends with every article exactly once."""

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db.models import Count

from archive.models import Article
from search.backends import get_backend, reset_backend
from search.sync import pending_count
from tests.processes import ROOT, environment, manage

ARTICLES = 400


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill_after", [1, 150])
def test_an_ingest_killed_and_run_again_saves_every_article_once(
    settings, tmp_path, gazetteer, kill_after
):
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    reset_backend()
    source = tmp_path / "corpus.jsonl"
    source.write_text(
        "".join(
            json.dumps(
                {
                    "title": f"Report number {n} from the front",
                    "body": f"BAGHDAD (Reuters) - Report {n} says the front moved {n} metres.",
                    "url": f"https://wire.example.com/report/{n}",
                    "outlet": "Wire",
                    "published": f"2017-08-{1 + n % 28:02d}",
                    "tags": [f"Front {n % 7}"],
                }
            )
            + "\n"
            for n in range(ARTICLES)
        )
    )
    command = manage("ingest", str(source), "--batch-size", "10")
    env = environment()

    first = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while Article.objects.count() < kill_after and time.monotonic() < deadline:
        if first.poll() is not None:
            break
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert Article.objects.count() < ARTICLES, "the ingest finished before it could be killed"

    # The killed ingest's Whoosh writer processes die with it: none is left holding the
    # index's lock, so the rerun writes the index instead of waiting on the lock each batch.
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    assert not _processes_reading(source), "a process of the killed ingest is still alive"

    assert Article.objects.count() == ARTICLES
    assert not Article.objects.values("canonical_url").annotate(n=Count("id")).filter(n__gt=1)
    assert pending_count() == 0
    reset_backend()
    assert get_backend().count() == ARTICLES


def _processes_reading(source) -> list[int]:
    """Processes whose command line names ``source`` (the ingest and its writer processes,
    which are forked and so share its command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(source).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:  # ended while we looked
                continue
    return found
