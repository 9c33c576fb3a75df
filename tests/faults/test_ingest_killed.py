"""An ingest killed with SIGKILL at any moment and run again ends with every article
exactly once, and the index holding exactly the articles the database says it should."""

import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from whoosh import index

from archive.models import Article
from search.backends import get_backend, reset_backend
from search.sync import pending_count
from tests.faults.conftest import indexable_ids, whoosh_ids
from tests.processes import ROOT, environment, manage, open_search_write

ARTICLES = 400
BATCH = 10
# Where the first run dies: after so many articles are saved (1: the first batch's
# transaction; 150: midway), at three seeded random counts (each with a random extra moment
# so the kill lands inside a batch as often as between two), and while its bulk write holds
# the index's writer lock (from the first batch to the commit at the end), half way through.
KILL_POINTS = [
    pytest.param(1, id="after-the-first-article"),
    pytest.param(150, id="midway"),
    *(pytest.param(f"random-{seed}", id=f"random-{seed}") for seed in (1, 2, 3)),
    pytest.param("index-write", id="during-the-index-write"),
]


def write_corpus(path) -> None:
    path.write_text(
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


def wait_for(condition, process: subprocess.Popen, poll: float = 0.01) -> None:
    deadline = time.monotonic() + 120
    while not condition() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(poll)


def writer_lock_is_held(index_dir) -> bool:
    """Whether a writer holds the Whoosh index's lock (tried, and let go at once)."""
    generation = (index_dir / "CURRENT").read_text().strip()
    lock = index.open_dir(str(index_dir / generation)).lock("WRITELOCK")
    if lock.acquire(blocking=False):
        lock.release()
        return False
    return True


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill_point", KILL_POINTS)
def test_an_ingest_killed_and_run_again_saves_every_article_once_and_indexes_it(
    settings, tmp_path, gazetteer, kill_point
):
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    reset_backend()
    get_backend().clear()  # an empty serving index, whose writer lock can be looked at
    source = tmp_path / "corpus.jsonl"
    write_corpus(source)
    command = manage("ingest", str(source), "--batch-size", str(BATCH))
    env = environment(SEARCH_WRITER_TIMEOUT="120")

    first = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if kill_point == "index-write":
        wait_for(
            lambda: (
                Article.objects.count() >= ARTICLES // 2
                and writer_lock_is_held(settings.SEARCH_INDEX_DIR)
            ),
            first,
        )
    elif isinstance(kill_point, int):
        wait_for(lambda: Article.objects.count() >= kill_point, first)
    else:
        chance = random.Random(kill_point)
        kill_after = chance.randrange(1, ARTICLES - BATCH)
        wait_for(lambda: Article.objects.count() >= kill_after, first)
        time.sleep(chance.uniform(0, 0.05))
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert Article.objects.count() < ARTICLES, "the ingest finished before it was killed"
    if kill_point == "index-write":
        assert pending_count() > 0, "the index write had already been committed"

    # The killed ingest's Whoosh writer processes die with it: none is left holding the
    # index's lock, so the rerun writes the index instead of waiting on the lock each batch.
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    # A child killed with its parent may still be tearing down its memory a moment after
    # the rerun's own exit on a busy machine: what must not be is one that stays.
    deadline = time.monotonic() + 10
    while _processes_reading(source) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = {pid: _state(pid) for pid in _processes_reading(source)}
    assert not survivors, f"a process of the killed ingest is still alive: {survivors}"

    assert Article.objects.count() == ARTICLES
    assert not Article.objects.values("canonical_url").annotate(n=Count("id")).filter(n__gt=1)
    assert pending_count() == 0
    assert whoosh_ids(settings.SEARCH_INDEX_DIR) == indexable_ids()
    assert len(indexable_ids()) == ARTICLES


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's write")
@pytest.mark.django_db(transaction=True)
def test_an_ingest_killed_while_postgresql_indexes_its_batches_indexes_each_once_when_rerun(
    settings, tmp_path, gazetteer
):
    """The PostgreSQL backend's bulk write runs on a connection of its own, batch after
    batch in one transaction up to the index commit: a kill in between leaves the outbox
    rows, and the rerun indexes what they name."""
    settings.SEARCH_BACKEND = "postgres"
    reset_backend()
    backend = get_backend()
    source = tmp_path / "corpus.jsonl"
    write_corpus(source)
    command = manage("ingest", str(source), "--batch-size", str(BATCH))
    try:
        first = subprocess.Popen(
            command,
            env=environment(),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(
            lambda: Article.objects.count() >= ARTICLES // 2 and open_search_write() is not None,
            first,
        )
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert Article.objects.count() < ARTICLES, "the ingest finished before it was killed"
        assert pending_count() > 0
        assert backend.count() == 0  # nothing of the write committed

        subprocess.run(command, env=environment(), cwd=ROOT, check=True, capture_output=True)
        assert Article.objects.count() == ARTICLES
        assert pending_count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT article_id FROM search_document ORDER BY article_id")
            assert [article_id for (article_id,) in cursor.fetchall()] == indexable_ids()
        assert len(indexable_ids()) == ARTICLES
    finally:
        backend.clear()  # a flush between tests does not know this table


def _state(pid: int) -> str:
    """A process's state and parent, as /proc says (for the failure message)."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return "ended"
    return f"state {fields[0]}, parent {fields[1]}"


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
