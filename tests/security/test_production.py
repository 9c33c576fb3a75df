"""The production configuration: `check --deploy` is clean, and gunicorn with the production
settings serves pages with the security headers, secure cookies and its own static files."""

import gzip
import re
import subprocess
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.processes import ROOT, manage
from tests.security.conftest import production_environment

PASSWORD = "a-long-production-password"


def run_check(tmp_path, **overrides: str) -> subprocess.CompletedProcess:
    env = production_environment(tmp_path / "static", tmp_path / "index")
    env.update(overrides)
    return subprocess.run(
        manage("check", "--deploy", "--fail-level", "DEBUG"),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_check_deploy_reports_nothing_with_the_production_settings(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_production_settings_refuse_debug(tmp_path):
    result = run_check(tmp_path, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off with the production settings." in result.stderr


def test_the_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = run_check(tmp_path, SECRET_KEY="")
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment" in result.stderr


# Two requests through Django's WSGI handler, as gunicorn makes them (the test client leaves
# connections alone): is the connection the first one opened still the one after the second?
TWO_REQUESTS = """
import django
django.setup()
from wsgiref.util import setup_testing_defaults
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

handler = WSGIHandler()

def get(path):
    environ = {"PATH_INFO": path, "HTTP_X_FORWARDED_PROTO": "https"}
    setup_testing_defaults(environ)
    statuses = []
    response = handler(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()  # request_finished: where Django closes a connection past its age
    return statuses[0].split()[0]

first_status = get("/api/tags/")
first = connection.connection
print(first_status, get("/api/tags/"), first is not None and connection.connection is first)
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("conn_max_age", "kept"), [(None, "True"), ("0", "False")])
def test_database_connections_are_kept_between_requests(tmp_path, conn_max_age, kept):
    """On SQLite too: opening a connection was a twentieth of a search page's time. On the
    database of this pass of the suite; CONN_MAX_AGE=0 shows the check can tell."""
    env = production_environment(tmp_path / "static", tmp_path / "index")
    if conn_max_age is not None:
        env["CONN_MAX_AGE"] = conn_max_age
    result = subprocess.run(
        manage("shell", "-c", TWO_REQUESTS), env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["200", "200", kept], result.stdout


def test_plain_http_is_redirected_to_https(production_server):
    response = production_server.request("GET", "/tags/?order=count", https=False)
    assert response.status == 301
    assert response.headers["Location"] == (
        f"https://{production_server.host}:{production_server.port}/tags/?order=count"
    )


@pytest.mark.django_db(transaction=True)
def test_pages_carry_the_security_headers(production_server):
    response = production_server.request("GET", "/")
    assert response.status == 200
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def stylesheets(html: bytes) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html.decode())


@pytest.mark.django_db(transaction=True)
def test_static_files_are_served_by_whitenoise_hashed_compressed_and_cached(production_server):
    page = production_server.request("GET", "/")
    (stylesheet,) = stylesheets(page.body)
    # collectstatic's manifest: a name with a content hash, so it can be cached forever.
    assert re.fullmatch(r"/static/css/dateline\.[0-9a-f]{12}\.css", stylesheet)

    plain = production_server.request("GET", stylesheet)
    assert plain.status == 200
    assert plain.headers["Content-Type"].startswith("text/css")
    assert "immutable" in plain.headers["Cache-Control"]
    assert plain.body == (ROOT / "static" / "css" / "dateline.css").read_bytes()

    compressed = production_server.request("GET", stylesheet, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.body) == plain.body

    assert production_server.request("GET", "/static/css/missing.css").status == 404


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_api_docs_find_their_static_files(production_server):
    for path in ("/admin/login/", "/api/docs/"):
        page = production_server.request("GET", path)
        assert page.status == 200, path
        scripts = re.findall(r'<script src="([^"]+)"', page.body.decode())
        for asset in stylesheets(page.body) + scripts:
            asset = asset.replace("&amp;", "&")
            response = production_server.request("GET", asset)
            assert response.status == 200, asset
    init_script = production_server.request("GET", "/api/docs/?script=")
    assert init_script.headers["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in init_script.body


def cookies(response) -> dict[str, str]:
    """Each cookie set, by name, with its attributes as sent."""
    return {
        header.split("=", 1)[0]: header
        for name, header in response.getheaders()
        if name.lower() == "set-cookie"
    }


@pytest.mark.django_db(transaction=True)
def test_cookies_are_secure_and_http_only(production_server):
    user = get_user_model().objects.create_superuser("ada", "ada@example.com")
    # The production settings' hasher (the tests' own is MD5, which production does not read).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    user.save()

    form = production_server.request("GET", "/admin/login/")
    csrf_cookie = cookies(form)["csrftoken"]
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert attribute in csrf_cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body.decode())[1]
    cookie_value = csrf_cookie.split(";", 1)[0]

    signed_in = production_server.request(
        "POST",
        "/admin/login/?next=/admin/",
        headers={
            "Cookie": cookie_value,
            "Origin": f"https://{production_server.host}:{production_server.port}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode({"csrfmiddlewaretoken": token, "username": "ada", "password": PASSWORD}),
    )
    assert signed_in.status == 302
    assert signed_in.headers["Location"] == "/admin/"
    session_cookie = cookies(signed_in)["sessionid"]
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert attribute in session_cookie
