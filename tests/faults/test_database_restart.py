"""PostgreSQL restarted under a running server (gunicorn, two workers with persistent
connections): requests fail fast while it is down, with the friendly error page, and
succeed again as soon as it is back, from the same server processes. CONN_HEALTH_CHECKS is
what makes the first request after the restart succeed: without it, each worker's first
request on its dead connection fails.

PostgreSQL here is a throwaway cluster of its own (initdb into a temporary directory, on a
free port), so restarting it disturbs no other test run. It runs in the SQLite pass too.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.processes import ROOT, manage

PG_BIN = Path("/usr/lib/postgresql/15/bin")
GUNICORN = Path(os.sys.executable).with_name("gunicorn")
WORKERS = 2
FRIENDLY_500 = "Something went wrong"
SEARCH_NOTICE = "Search is unavailable"
# A refused or reset connection is answered at once; anything near this would be a hang.
FAILS_WITHIN_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    data: Path
    port: int
    run_as: list[str]

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/dateline"

    def pg_ctl(self, *args: str) -> None:
        # -l: the server's output goes to its log, not to pg_ctl's (captured) pipes, which
        # it would hold open for ever.
        log = ["-l", str(self.data.parent / "log")] if args[-1] in ("start", "restart") else []
        subprocess.run(
            [*self.run_as, str(PG_BIN / "pg_ctl"), "-D", str(self.data), *log, *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "restart")


@pytest.fixture
def cluster():
    """A PostgreSQL 15 cluster of this test's own; fails loudly where it cannot be made."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15's initdb is not in {PG_BIN}: apt-get install postgresql-15")
    home = Path(tempfile.mkdtemp(prefix="dateline-pg-"))
    run_as = []
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
        shutil.chown(home, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(home / "data", free_port(), run_as)
    subprocess.run(
        [
            *run_as,
            str(PG_BIN / "initdb"),
            "-D",
            str(cluster.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-p {cluster.port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    cluster.pg_ctl("-o", options, "-w", "start")
    try:
        subprocess.run(
            [
                *run_as,
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                "dateline",
            ],
            check=True,
            capture_output=True,
        )
        yield cluster
    finally:
        cluster.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def server(cluster, tmp_path):
    """The site on gunicorn against the cluster, its data migrated and an article in it."""
    if not GUNICORN.exists():
        pytest.fail(f"gunicorn is not installed in {GUNICORN.parent}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": cluster.url,
        "SEARCH_BACKEND": "postgres",
        "CONN_MAX_AGE": "600",
        "INGEST_REJECTED_DIR": str(tmp_path / "rejected"),
        "PYTHONPATH": str(ROOT),
    }
    for command in (["migrate"], ["ingest", str(ROOT / "samples")]):
        subprocess.run(manage(*command), env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "60",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Until the workers answer: each loads the application (and the toxicity model) first.
        deadline, answered = time.monotonic() + 120, 0
        while answered < 2 * WORKERS and time.monotonic() < deadline:
            try:
                answered += requests.get(base + "/", timeout=60).status_code == 200
            except requests.RequestException:
                time.sleep(0.2)
        yield base, process
    finally:  # whatever failed above: the server goes with the test
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def worker_pids(process: subprocess.Popen) -> set[int]:
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
    return {int(pid) for pid in children.split()}


@dataclass
class Answer:
    url: str
    started: float
    seconds: float
    status: int | None  # None: no HTTP answer at all
    text: str = ""


def ask(base: str, url: str) -> Answer:
    started = time.monotonic()
    try:
        response = requests.get(base + url, timeout=30)
    except requests.RequestException as error:
        return Answer(url, started, time.monotonic() - started, None, repr(error))
    return Answer(url, started, time.monotonic() - started, response.status_code, response.text)


def pages(base: str) -> list[str]:
    home = requests.get(base + "/", timeout=10).text
    article = re.search(r'href="(/articles/[^"/]+/)"', home).group(1)
    return ["/", article, "/outlets/rudaw/", "/tags/", "/archive/2017/", "/search/?q=syrian"]


def test_requests_fail_fast_during_a_restart_and_succeed_after_it_in_the_same_server(
    cluster, server
):
    base, process = server
    urls = pages(base)
    for _ in range(3 * WORKERS):  # every worker holds a persistent connection now
        assert all(ask(base, url).status == 200 for url in urls)
    workers = worker_pids(process)

    # A restart with nothing running: the workers' connections are dead, and only the
    # health check on each one's first use saves the next request.
    cluster.restart()
    after_quiet_restart = [ask(base, url) for _ in range(2 * WORKERS) for url in urls]
    assert [(a.url, a.status) for a in after_quiet_restart if a.status != 200] == []

    # A restart under load: four readers asking all the time.
    answers: list[Answer] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            for url in urls:
                answers.append(ask(base, url))

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    time.sleep(1.5)
    down = time.monotonic()
    cluster.restart()
    up = time.monotonic()
    time.sleep(2)
    stop.set()
    for thread in readers:
        thread.join()

    failed = [a for a in answers if a.status != 200]
    assert failed, "no request met the restart: it proves nothing"
    assert all(a.status is not None for a in answers), "a request got no HTTP answer"
    for answer in failed:
        assert answer.seconds < FAILS_WITHIN_SECONDS, answer
        if answer.status == 503:
            assert SEARCH_NOTICE in answer.text, answer.url
        else:
            assert answer.status == 500, answer
            assert FRIENDLY_500 in answer.text, answer.url
    assert [(a.url, a.status) for a in answers if a.started > up and a.status != 200] == []
    assert process.poll() is None
    assert worker_pids(process) == workers, "a worker was restarted"

    print(
        f"\nPostgreSQL restart under load: {len(answers)} requests, {len(failed)} failed "
        f"(statuses {sorted({a.status for a in failed})}), slowest failure "
        f"{max(a.seconds for a in failed):.3f} s, restart took {up - down:.2f} s, failures "
        f"from {min(a.started for a in failed) - down:+.2f} s to "
        f"{max(a.started + a.seconds for a in failed) - down:+.2f} s after it began; "
        f"0 failures after it ended"
    )
