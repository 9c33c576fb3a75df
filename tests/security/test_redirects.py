"""No `next` parameter sends anyone off the site: every view that reads one (sign-in and
sign-out, the admin's, the moderation decisions) checks it with Django's
url_has_allowed_host_and_scheme, and a safe local one is still honoured."""

import re
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from moderation.forms import issue_form_stamp
from moderation.roles import moderators_group
from moderation.services import submit_comment
from tests.factories import make_article

PASSWORD = "a-long-test-password"
LOCAL = "/tags/?order=count"

OFFSITE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "/\t/evil.example/",
    " //evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "http://testserver@evil.example/",
    "https://testserver.evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://evil.example/",
]


def assert_stays_on_site(location: str) -> None:
    """Where a browser would go: it drops tabs and newlines, trims spaces and reads a
    backslash as a slash; the result must be this site over HTTP(S)."""
    as_browser_reads_it = re.sub(r"[\t\n\r]", "", location).strip().replace("\\", "/")
    target = urlsplit(urljoin("http://testserver/somewhere/", as_browser_reads_it))
    assert target.scheme in ("http", "https"), location
    assert target.hostname == "testserver", location


@pytest.fixture
def superuser(db):
    user = get_user_model().objects.create_superuser("ada", "ada@example.com", PASSWORD)
    user.groups.add(moderators_group())
    return user


@pytest.fixture
def pending_comment(db):
    article = make_article(title="Syrian army advances on Deir ez-Zor")
    return submit_comment(
        article=article,
        author_name="Ann Reader",
        author_email="ann@example.com",
        body="A fair remark about the offensive.",
    )


def sign_in(client, url_name: str, next_url: str):
    credentials = {"username": "ada", "password": PASSWORD, "next": next_url}
    return client.post(reverse(url_name), credentials)


@pytest.mark.parametrize("url_name", ["moderation:login", "admin:login"])
@pytest.mark.parametrize("target", OFFSITE)
def test_signing_in_never_follows_an_offsite_next(client, superuser, url_name, target):
    response = sign_in(client, url_name, target)
    assert response.status_code == 302
    assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("url_name", ["moderation:login", "admin:login"])
def test_signing_in_follows_a_local_next(client, superuser, url_name):
    assert sign_in(client, url_name, LOCAL)["Location"] == LOCAL


@pytest.mark.parametrize("url_name", ["moderation:login", "admin:login"])
@pytest.mark.parametrize("target", OFFSITE)
def test_a_next_in_the_sign_in_address_is_checked_too(client, superuser, url_name, target):
    response = client.post(
        f"{reverse(url_name)}?{urlencode({'next': target})}",
        {"username": "ada", "password": PASSWORD},
    )
    assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("url_name", ["moderation:logout", "admin:logout"])
@pytest.mark.parametrize("target", OFFSITE)
def test_signing_out_never_follows_an_offsite_next(client, superuser, url_name, target):
    client.force_login(superuser)
    response = client.post(reverse(url_name), {"next": target})
    if url_name == "admin:logout":  # the admin shows its "logged out" page instead
        assert response.status_code == 200
        assert "Location" not in response
    else:
        assert response.status_code == 302
        assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("url_name", ["moderation:logout", "admin:logout"])
def test_signing_out_follows_a_local_next(client, superuser, url_name):
    client.force_login(superuser)
    assert client.post(reverse(url_name), {"next": LOCAL})["Location"] == LOCAL


def decide(client, action: str, comment, target: str):
    if action == "bulk":
        return client.post(
            reverse("moderation:bulk"),
            {"comments": [comment.pk], "action": "approve", "note": "", "next": target},
        )
    data = {"next": target, "reason": "off_topic", "note": ""}
    return client.post(reverse(f"moderation:{action}", args=[comment.pk]), data)


@pytest.mark.parametrize("action", ["approve", "reject", "bulk"])
@pytest.mark.parametrize("target", OFFSITE)
def test_moderation_decisions_never_follow_an_offsite_next(
    client, superuser, pending_comment, action, target
):
    client.force_login(superuser)
    response = decide(client, action, pending_comment, target)
    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:queue")


@pytest.mark.parametrize("action", ["approve", "reject", "bulk"])
def test_moderation_decisions_return_to_the_queue_page_they_came_from(
    client, superuser, pending_comment, action
):
    client.force_login(superuser)
    page = "/moderation/?status=pending&order=suspect"
    assert decide(client, action, pending_comment, page)["Location"] == page


@pytest.mark.parametrize("target", OFFSITE)
def test_the_comment_form_ignores_any_next(client, pending_comment, settings, target):
    settings.COMMENT_MIN_SECONDS = 0
    article = pending_comment.article
    data = {
        "author_name": "Ben Reader",
        "author_email": "ben@example.com",
        "body": "Another fair remark.",
        "website": "",
        "stamp": issue_form_stamp(article),
    }
    response = client.post(
        f"{reverse('archive:post_comment', args=[article.slug])}?{urlencode({'next': target})}",
        {**data, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"


def test_anonymous_visitors_to_the_queue_are_sent_to_sign_in_with_a_local_next(client, db):
    response = client.get("/moderation/?status=approved")
    assert response["Location"] == "/moderation/login/?next=/moderation/%3Fstatus%3Dapproved"
