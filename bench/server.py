"""Dateline as production runs it, for benchmarks: the production settings in child
processes, and gunicorn serving them on loopback.

Requests reach gunicorn as they would from the TLS-terminating proxy of the README's
Production section: with ``X-Forwarded-Proto: https`` (and, from bench/locustfile.py, an
``X-Forwarded-For`` address per simulated reader). Nothing in the production settings is
switched off for the benchmark.
"""

import http.client
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
ACCESS_LINE = re.compile(r'^(?P<status>\d{3}) (?P<ms>\d+) "(?P<kind>[^"]*)" ')


def step(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def manage(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), *args]


def run(command: list[str], env: dict[str, str], log: Path) -> str:
    """Run a command to the end, its output to a log; a failure shows the log's tail."""
    with log.open("w") as output:
        result = subprocess.run(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:3])} failed:\n{log.read_text()[-3000:]}")
    return log.read_text()


def production_environment(work: Path, database_url: str, backend: str) -> dict[str, str]:
    """The environment the README's Production section gives every process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SEARCH_BACKEND": backend,
        "SEARCH_INDEX_DIR": str(work / "index"),
        "STATIC_ROOT": str(work / "static"),
        "INGEST_REJECTED_DIR": str(work / "rejected"),
        # One proxy in front of gunicorn, appending the reader's address.
        "COMMENT_TRUSTED_PROXIES": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests; never in production
    return env


def collect_static(env: dict[str, str], work: Path, cache: Path | None) -> subprocess.Popen:
    """Start `manage.py collectstatic` into STATIC_ROOT, as the README's deployment does, in
    the background (wait() on what this returns). With a cache directory, files collected
    before from the same sources are reused: WhiteNoise compresses every file (with Brotli
    too, which locust brings in), about 40 s of CPU, more than the rest of a short run."""
    log = (work / "collectstatic.log").open("w")
    if cache:
        code = "import bench.server; bench.server.print_static_key()"
        key = run(manage("shell", "-c", code), env, work / "static-key.log").split()[-1]
        kept = cache.resolve() / key
        env["STATIC_ROOT"] = str(kept)
        if (kept / "staticfiles.json").exists():
            return subprocess.Popen(["true"])
        env = {**env, "STATIC_ROOT": str(kept.with_name(f"{key}.{os.getpid()}.partial"))}
        partial, final = shlex.quote(env["STATIC_ROOT"]), shlex.quote(str(kept))
        # Another run may have put the same files there first: then theirs serve.
        command = (
            f"{shlex.join(manage('collectstatic', '--noinput', '-v0'))} && "
            f"{{ mv -T {partial} {final} || test -e {final}/staticfiles.json; }}"
        )
        return subprocess.Popen(command, shell=True, env=env, cwd=ROOT, stdout=log, stderr=log)
    command = manage("collectstatic", "--noinput", "-v0")
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)


def print_static_key() -> None:
    """A key for what collectstatic would write: the static files found (path, size, time),
    the storage and the versions of what transforms them (run in `manage.py shell`)."""
    import hashlib
    from importlib import metadata

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha1(repr(settings.STORAGES["staticfiles"]).encode())
    for package in ("django", "whitenoise", "brotli"):
        try:
            digest.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"no {package}".encode())
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            source = Path(storage.path(path))
            digest.update(f"{path} {source.stat().st_size} {source.stat().st_mtime}".encode())
    print(digest.hexdigest()[:16])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, timeout: float = 60) -> int:
    """One GET as the proxy would forward it; the status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Gunicorn:
    """``gunicorn config.wsgi`` with sync workers, every request in an access log (status,
    milliseconds, the load generator's name for it, request line) and the workers' own output
    in the error log."""

    def __init__(self, env: dict[str, str], workers: int, work: Path):
        self.port = free_port()
        self.access_log = work / "access.log"
        self.error_log = work / "gunicorn.log"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi"),
                *("--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)),
                *("--access-logfile", str(self.access_log)),
                *("--access-logformat", '%(s)s %(M)s "%({x-load-kind}i)s" "%(r)s"'),
                *("--error-logfile", str(self.error_log), "--capture-output"),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_until_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.error_log.read_text()[-3000:]}")
            try:
                if get(self.port, "/", timeout=10) == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def server_errors(self) -> list[str]:
        """5xx in gunicorn's own access log: the server's account, not the load generator's."""
        if not self.access_log.exists():
            return []
        return [line for line in self.access_log.read_text().splitlines() if line[:1] == "5"]

    def server_times(self) -> dict[str, list[float]]:
        """Milliseconds gunicorn spent on each request, by the load generator's name for it:
        the time in the server, without the wait in its queue that the client sees."""
        times: dict[str, list[float]] = {}
        if self.access_log.exists():
            for line in self.access_log.read_text().splitlines():
                if match := ACCESS_LINE.match(line):
                    times.setdefault(match["kind"], []).append(float(match["ms"]))
        return times

    def logged_problems(self) -> list[str]:
        """Lines of the error log that name a problem: tracebacks, worker timeouts, locks."""
        if not self.error_log.exists():
            return []
        wanted = ("Traceback", "Error", "WORKER TIMEOUT", "locked", "Internal Server Error")
        return [
            line
            for line in self.error_log.read_text().splitlines()
            if any(word in line for word in wanted)
        ]
