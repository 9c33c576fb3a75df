"""A real PostgreSQL streaming replica of the test server, for the tests in this directory.

Before this directory's tests, ``replica`` copies the test server with pg_basebackup
(``-R``: the copy follows the primary as a hot standby, through a replication slot) into a
temporary directory, starts it on a free port and waits until it streams. The copy holds every
database of the cluster, the test database included, and replays what the tests write on
the primary; the alias "replica_1" (built by config.databases, as DATABASE_REPLICA_URLS
would) names the test database on the replica's port. The replica logs every statement it
runs, so tests can see on the server which queries reached it. After the directory's tests
the server is stopped, the slot dropped and the directory removed.

Needs the test server on PostgreSQL accepting replication connections from this machine
(.ci/run adds the pg_hba.conf line), and the server programs of its major version
(Debian: /usr/lib/postgresql/NN/bin). On SQLite these tests are deselected (tests/conftest.py).
"""

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from config.databases import POSTGRESQL, replica_databases
from search.backends import get_backend, reset_backend

REPLICA_ALIAS = "replica_1"
SLOT_PREFIX = "dateline_test_replica_"
DIRECTORY_PREFIX = "dateline-replica-"
# The fixture's own sessions, left out of what the tests read in the replica's log.
FIXTURE_APPLICATION = "dateline-replica-fixture"
TIMEOUT = 60.0  # seconds to wait for the replica to start, stream or catch up
# Settings a hot standby must have at least as high as its primary's.
AT_LEAST_THE_PRIMARYS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
# The primary's configured settings the replica does not copy: where it lives and logs.
NOT_COPIED = re.compile(
    r"^(port|listen_addresses|unix_socket_.*|data_directory|config_file|hba_file|ident_file"
    r"|external_pid_file|cluster_name|ssl.*|log.*|archive_.*|restore_command|primary_.*"
    r"|shared_preload_libraries|include.*)$"
)
_LOGGED_STATEMENT = re.compile(r"LOG:  (?:statement|execute [^:]*): (.*)", re.S)
_LOG_ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] app=(.*?) : ", re.M)


@dataclass(frozen=True)
class LogEntry:
    application: str
    message: str  # "LOG:  statement: SELECT ...", "ERROR:  ...", continuation lines included

    @property
    def statement(self) -> str | None:
        """The SQL of a logged statement (simple or extended protocol), else None."""
        logged = _LOGGED_STATEMENT.match(self.message)
        return logged[1] if logged else None


class Replica:
    """The running replica, and the primary it follows, as the tests need them."""

    def __init__(self, primary: psycopg.Connection, standby: psycopg.Connection, log: Path):
        self._primary = primary
        self._standby = standby
        self.log = log

    def on_primary(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Rows of a query run on the primary, in the test database."""
        return self._primary.execute(sql, params).fetchall()

    def on_replica(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        """Rows of a query run on the replica, in the test database."""
        return self._standby.execute(sql, params).fetchall()

    def catch_up(self) -> None:
        """Wait until the replica has replayed everything the primary had written by now."""
        (target,) = self.on_primary("SELECT pg_current_wal_lsn()")[0]
        replayed = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
        _wait_for(
            lambda: self.on_replica(replayed, [target])[0][0],
            f"the replica to replay the primary's WAL up to {target}",
        )

    def pause_replay(self) -> None:
        """Stop applying WAL: from now on the replica lags every change on the primary.
        The startup process checks the request before it applies each record."""
        self.on_replica("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.on_replica("SELECT pg_wal_replay_resume()")

    def log_position(self) -> int:
        return self.log.stat().st_size

    def log_since(self, position: int) -> list[LogEntry]:
        """What the replica logged since ``position`` for sessions other than the fixture's:
        the queries the code under test sent it."""
        text = self.log.read_bytes()[position:].decode(errors="replace")
        heads = list(_LOG_ENTRY.finditer(text))
        ends = [head.start() for head in heads[1:]] + [len(text)] if heads else []
        entries = [
            LogEntry(head[1], text[head.end() : end].strip())
            for head, end in zip(heads, ends, strict=True)
        ]
        return [entry for entry in entries if entry.application != FIXTURE_APPLICATION]

    def statements_since(self, position: int) -> list[str]:
        return [entry.statement for entry in self.log_since(position) if entry.statement]


@pytest.fixture(scope="package", autouse=True)
def replica(django_db_setup) -> Iterator[Replica]:
    """A streaming replica of the test server, registered as the alias "replica_1" for this
    package's tests only: elsewhere public pages must read the primary, as tests do not
    list the alias among their databases."""
    primary_settings = connections[DEFAULT_DB_ALIAS].settings_dict
    if primary_settings["ENGINE"] != POSTGRESQL:
        pytest.fail("The replica tests need the test database on PostgreSQL (DATABASE_URL).")
    with ExitStack() as cleanup:
        primary = _connect(primary_settings)
        cleanup.callback(primary.close)
        programs = _server_programs(primary)
        slot = f"{SLOT_PREFIX}{os.getpid()}"
        _remove_abandoned_replicas(programs, primary, slot)
        directory = _private_directory(primary)
        cleanup.callback(shutil.rmtree, directory, ignore_errors=True)
        data, log, port = directory / "data", directory / "server.log", _free_port()

        _copy_primary(programs, primary_settings, data, slot)
        cleanup.callback(_drop_slot, primary, slot)
        _configure(data, directory, port, primary)
        _run(
            [programs / "pg_ctl", "-D", data, "-l", log, "-w", "-t", str(int(TIMEOUT)), "start"],
            "start the replica",
        )
        cleanup.callback(_stop, programs, data)

        replica_settings = {**primary_settings, "HOST": "127.0.0.1", "PORT": port}
        standby = _connect(replica_settings)
        cleanup.callback(standby.close)
        _wait_for(
            lambda: (
                standby.execute("SELECT status FROM pg_stat_wal_receiver").fetchone()
                == ("streaming",)
            ),
            "the replica to stream from the primary",
        )
        _register_alias(replica_settings)
        cleanup.callback(_unregister_alias)
        replica = Replica(primary, standby, log)
        replica.catch_up()
        yield replica


@pytest.fixture
def paused_replica(replica: Replica) -> Iterator[Replica]:
    """The replica caught up, then lagging: it applies nothing written during the test
    until the test resumes it (or the test ends)."""
    replica.catch_up()
    replica.pause_replay()
    yield replica
    replica.resume_replay()


@pytest.fixture
def postgres_search(settings) -> Iterator[None]:
    """The PostgreSQL search backend, its index emptied (flushes leave it alone)."""
    settings.SEARCH_BACKEND = "postgres"
    reset_backend()
    get_backend().clear()
    yield
    reset_backend()


# Setting up


def _connect(database: dict) -> psycopg.Connection:
    return psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
        application_name=FIXTURE_APPLICATION,
        autocommit=True,
    )


def _server_programs(primary: psycopg.Connection) -> Path:
    """The directory of pg_basebackup and pg_ctl of the primary's major version."""
    major = int(primary.execute("SHOW server_version_num").fetchone()[0]) // 10000
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    if found := shutil.which("pg_basebackup"):
        candidates.append(Path(found).parent)
    for directory in candidates:
        programs = directory / "pg_basebackup", directory / "pg_ctl"
        if all(program.is_file() for program in programs):
            version = subprocess.run(
                [programs[0], "--version"], capture_output=True, text=True, check=False
            ).stdout
            if re.search(rf"\b{major}\.", version):
                return directory
    pytest.fail(
        f"The replica tests need PostgreSQL {major}'s server programs (pg_basebackup, "
        f"pg_ctl), e.g. Debian's postgresql-{major} package; looked in "
        f"{', '.join(map(str, candidates))}."
    )


def _as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its programs as "postgres"."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _private_directory(primary: psycopg.Connection) -> Path:
    """A new temporary directory the server user owns, with room for a copy of the cluster,
    named after this process (see _remove_abandoned_replicas)."""
    directory = Path(tempfile.mkdtemp(prefix=f"{DIRECTORY_PREFIX}{os.getpid()}-"))
    if os.geteuid() == 0:
        server_user = pwd.getpwnam("postgres")
        os.chown(directory, server_user.pw_uid, server_user.pw_gid)
    (size,) = primary.execute("SELECT sum(pg_database_size(oid)) FROM pg_database").fetchone()
    if shutil.disk_usage(directory).free < 2 * size:
        shutil.rmtree(directory)
        pytest.fail(
            f"The replica tests copy the whole test server ({size / 1e9:.1f} GB): "
            f"not enough free space in {directory.parent}."
        )
    return directory


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _remove_abandoned_replicas(programs: Path, primary: psycopg.Connection, own_slot: str) -> None:
    """Stop and remove the replicas of test sessions killed before they tore down, and drop
    their slots: a slot nobody reads keeps the primary's WAL for ever. Directories and slots
    are named after the process of their session."""
    for directory in Path(tempfile.gettempdir()).glob(f"{DIRECTORY_PREFIX}*-*"):
        owner = directory.name.removeprefix(DIRECTORY_PREFIX).split("-")[0]
        if owner.isdigit() and not _process_exists(int(owner)):
            if (directory / "data" / "postmaster.pid").exists():
                _run_quietly([programs / "pg_ctl", "-D", directory / "data", "stop", "-m", "i"])
            shutil.rmtree(directory, ignore_errors=True)
    rows = primary.execute(
        "SELECT slot_name, active_pid FROM pg_replication_slots WHERE starts_with(slot_name, %s)",
        [SLOT_PREFIX],
    ).fetchall()
    for slot, sender in rows:
        owner = slot.removeprefix(SLOT_PREFIX)
        if slot == own_slot or not owner.isdigit() or not _process_exists(int(owner)):
            if sender:  # a replica still streams (its directory was removed by hand)
                primary.execute("SELECT pg_terminate_backend(%s)", [sender])
            _drop_slot(primary, slot)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _copy_primary(programs: Path, primary: dict, data: Path, slot: str) -> None:
    environment = {**os.environ, "PGAPPNAME": FIXTURE_APPLICATION}
    if primary["PASSWORD"]:
        environment["PGPASSWORD"] = primary["PASSWORD"]
    _run(
        [
            programs / "pg_basebackup",
            *("-h", primary["HOST"], "-p", str(primary["PORT"]), "-U", primary["USER"]),
            *("-D", data),
            "--wal-method=stream",
            "--write-recovery-conf",  # standby.signal and primary_conninfo: a hot standby
            *("--create-slot", "--slot", slot),  # the primary keeps the WAL it has not sent
            "--checkpoint=fast",  # start now rather than at the primary's next checkpoint
            "--no-sync",  # a throwaway copy need not reach the disk
        ],
        "copy the test server with pg_basebackup (does its pg_hba.conf allow replication "
        "connections from here? .ci/run adds "
        f'"host replication {primary["USER"]} 127.0.0.1/32 trust")',
        environment=environment,
    )


def _configure(data: Path, directory: Path, port: int, primary: psycopg.Connection) -> None:
    """The replica's postgresql.conf and pg_hba.conf: the primary's configured settings
    (Debian keeps them outside the data directory, which is all pg_basebackup copies), the
    hot-standby minimums, its own port and socket, and a log of every statement."""
    rows = primary.execute(
        "SELECT name, setting FROM pg_settings WHERE source = 'configuration file' "
        "OR name = ANY(%s)",
        [list(AT_LEAST_THE_PRIMARYS)],
    ).fetchall()
    copied = {name: value for name, value in rows if not NOT_COPIED.match(name)}
    own = {
        "port": str(port),
        "listen_addresses": "127.0.0.1",
        "unix_socket_directories": str(directory),
        "hot_standby": "on",
        "fsync": "off",
        "shared_buffers": "32MB",
        "logging_collector": "off",
        "log_destination": "stderr",
        "log_statement": "all",
        "log_line_prefix": "%m [%p] app=%a : ",
        "lc_messages": "C",
        "cluster_name": "dateline-test-replica",
    }
    lines = [f"{name} = {_quoted(value)}\n" for name, value in (copied | own).items()]
    (data / "postgresql.conf").write_text("".join(lines))
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")
    if os.geteuid() == 0:
        server_user = pwd.getpwnam("postgres")
        for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
            os.chown(data / name, server_user.pw_uid, server_user.pw_gid)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _register_alias(replica: dict) -> None:
    """Add "replica_1" to DATABASES as DATABASE_REPLICA_URLS would. It stays a test mirror
    (so Django neither creates nor flushes a database on it) but keeps its own settings:
    Django made mirrors point at the primary when the session began, before it existed."""
    url = (
        f"postgres://{quote(replica['USER'], safe='')}:{quote(replica['PASSWORD'], safe='')}"
        f"@{replica['HOST']}:{replica['PORT']}/{quote(replica['NAME'], safe='')}"
    )
    aliases = replica_databases([url], connections[DEFAULT_DB_ALIAS].settings_dict)
    assert list(aliases) == [REPLICA_ALIAS]
    connections.configure_settings({DEFAULT_DB_ALIAS: {}, **aliases})  # Django's defaults
    settings.DATABASES.update(aliases)  # the very dict django.db.connections reads


def _unregister_alias() -> None:
    connections[REPLICA_ALIAS].close()
    del connections[REPLICA_ALIAS]
    del settings.DATABASES[REPLICA_ALIAS]


# Tearing down


def _stop(programs: Path, data: Path) -> None:
    stop = [programs / "pg_ctl", "-D", data, "-w", "-t", str(int(TIMEOUT)), "stop"]
    try:
        _run([*stop, "-m", "fast"], "stop the replica")
    except pytest.fail.Exception:
        _run([*stop, "-m", "immediate"], "stop the replica at once")


def _drop_slot(primary: psycopg.Connection, slot: str) -> None:
    # The primary's sender lets go of the slot a moment after the replica stopped.
    def released() -> bool:
        row = primary.execute(
            "SELECT active FROM pg_replication_slots WHERE slot_name = %s", [slot]
        ).fetchone()
        return row is None or not row[0]

    _wait_for(released, f"the primary to release the replication slot {slot}")
    primary.execute(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s",
        [slot],
    )


# Helpers


def _run_quietly(command: list) -> None:
    subprocess.run([*_as_server_user(), *map(str, command)], capture_output=True, check=False)


def _run(command: list, purpose: str, environment: dict | None = None) -> None:
    result = subprocess.run(
        [*_as_server_user(), *map(str, command)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=10 * TIMEOUT,
        check=False,
    )
    if result.returncode:
        pytest.fail(f"Could not {purpose}:\n{result.stdout}{result.stderr}")


def _wait_for(condition: Callable[[], object], what: str) -> None:
    """Poll until ``condition`` holds; a timeout fails the test with ``what`` it awaited."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {TIMEOUT:.0f} s waiting for {what}.")
        time.sleep(0.02)
