"""Shared by the security tests: the production configuration served by gunicorn."""

import http.client
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.processes import ROOT, environment, manage


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int

    def request(
        self, method: str, path: str, *, https: bool = True, headers: dict | None = None, body=None
    ) -> http.client.HTTPResponse:
        """One request, redirects not followed; ``https`` says the TLS proxy in front of us
        received it over HTTPS (X-Forwarded-Proto), as in production."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        sent = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        response.body = response.read()
        connection.close()
        return response


def production_environment(static_root, index_dir) -> dict[str, str]:
    env = environment(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(static_root),
        SEARCH_BACKEND="whoosh",
        SEARCH_INDEX_DIR=str(index_dir),
    )
    # The browser tests' conftest sets this in our own process; production never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@pytest.fixture(scope="module")
def production_server(django_db_setup, tmp_path_factory) -> Iterator[Server]:
    """gunicorn serving config.wsgi with the production settings against the test database,
    after collectstatic, as the README's Production section says to run it."""
    base = tmp_path_factory.mktemp("production")
    env = production_environment(base / "static", base / "index")
    subprocess.run(manage("collectstatic", "--noinput", "-v", "0"), env=env, cwd=ROOT, check=True)
    port = free_port()
    log = base / "gunicorn.log"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),  # a file, not a pipe nobody reads: a full pipe would block it
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited: {log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start listening within a minute")
                time.sleep(0.1)
        yield Server("127.0.0.1", port)
    finally:
        server.terminate()
        server.wait(timeout=30)
