"""The security headers are on in every environment (these tests run with the test settings,
as development does), and no template needs the CSP to allow anything inline."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

URLS = [
    "/",
    "/search/?q=raqqa",
    "/tags/",
    "/sitemap.xml",
    "/api/articles/",
    "/api/docs/",
    "/admin/login/",
    "/moderation/login/",
    "/no-such-page/",
]


@pytest.mark.parametrize("url", URLS)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_cookies_are_http_only_in_every_environment(client):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_HTTPONLY
    page_with_a_form = client.get(reverse("admin:login"))
    assert page_with_a_form.cookies["csrftoken"]["httponly"]


INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>"),
    "a style element": re.compile(r"<style\b"),
    "a style attribute": re.compile(r"\sstyle\s*="),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_no_template_holds_anything_the_policy_would_block():
    """The browser test (tests/e2e/test_content_security_policy.py) loads the main pages;
    this reads every template, including pages that test does not reach."""
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []
