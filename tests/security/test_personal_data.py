"""A commenter's e-mail address and IP hash are shown to nobody but the staff who need them:
not on any page a visitor can reach, in any feed, sitemap, export or API response."""

import html
import re
import time
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from archive.models import Comment
from moderation.addresses import hash_ip_address
from moderation.forms import issue_form_stamp
from moderation.roles import moderators_group
from moderation.services import approve_comment, reject_comment
from search.backends import reset_backend
from search.sync import apply_outbox
from tests.factories import make_article, make_outlet, make_tag

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
EMAIL = "secret.commenter@example.com"
ADDRESS = "198.51.100.77"
MAX_PAGES = 400

# Entry points a visitor can reach without following a link from the pages.
API_ENTRY_POINTS = [
    "/api/articles/",
    "/api/search/?q=raqqa",
    "/api/search/export.csv?q=raqqa",
    "/api/tags/",
    "/api/outlets/",
    "/api/regions/",
    "/api/schema/",
    "/api/docs/",
    "/search/?q=raqqa",
    "/search/feed/?q=raqqa",
    "/search/export.csv?q=raqqa",
    "/sitemap.xml",
    "/moderation/",
    "/admin/archive/comment/",
]


@pytest.fixture
def commented(gazetteer, settings, tmp_path, client):
    """An article with an approved, a pending and a rejected comment from the same reader,
    posted through the form from ADDRESS, so the IP hash is the one the site computes."""
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    settings.COMMENT_MIN_SECONDS = 0
    settings.COMMENT_RATE_LIMIT_PER_EMAIL = 10
    reset_backend()
    article = make_article(
        make_outlet("Rudaw", slug="rudaw"),
        title="Offensive on Raqqa enters final phase",
        body="Fighters pushed into the old city of Raqqa.",
        tags=[make_tag("Raqqa")],
    )
    apply_outbox()
    for body in ("A first fair remark.", "A second fair remark.", "A third remark, off topic."):
        response = client.post(
            reverse("archive:post_comment", args=[article.slug]),
            {
                "author_name": "Ann Reader",
                "author_email": EMAIL,
                "body": body,
                "website": "",
                "stamp": issue_form_stamp(article, issued_at=time.time() - 60),
            },
            REMOTE_ADDR=ADDRESS,
        )
        assert response.status_code == 302, response.content.decode()[:500]
    client.cookies.clear()  # the reader leaves; what follows is anyone else
    first, _second, third = Comment.objects.order_by("pk")
    staff = get_user_model().objects.create_superuser("ada", "ada@example.com", PASSWORD)
    staff.groups.add(moderators_group())
    approve_comment(first, moderator=staff)
    reject_comment(third, moderator=staff, reason=Comment.Reason.OFF_TOPIC)
    yield {"article": article, "comment": first, "staff": staff}
    reset_backend()


def secrets_in(text: str) -> list[str]:
    ip_hash = hash_ip_address(ADDRESS)
    found = [secret for secret in (EMAIL, ip_hash, ADDRESS) if secret in text]
    if "secret.commenter" in text:  # the address's local part, however it is written
        found.append("secret.commenter")
    return found


def links_in(body: str) -> list[str]:
    return [html.unescape(link) for link in re.findall(r'(?:href|src)="([^"#]+)', body)]


def test_the_comment_is_stored_with_the_email_and_the_hash_of_the_address(commented):
    comment = commented["comment"]
    assert comment.author_email == EMAIL
    assert comment.ip_hash == hash_ip_address(ADDRESS)
    assert comment.status == Comment.Status.APPROVED


def test_no_page_a_visitor_can_reach_shows_a_commenters_email_or_ip_hash(client, commented):
    article = commented["article"]
    queue = deque(["/", article.get_absolute_url(), *API_ENTRY_POINTS])
    queue.append(f"/api/articles/{article.pk}/")
    queue.append(f"/api/articles/{article.pk}/comments/stamp/")
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = response.content.decode(errors="replace")
        headers = str(response.headers)
        assert secrets_in(body + headers) == [], f"{url} shows {secrets_in(body + headers)}"
        if response.status_code in (301, 302):
            queue.append(response["Location"])
        for link in links_in(body):
            parts = urlsplit(link)
            if parts.netloc not in ("", "testserver") or parts.path.startswith("/static/"):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))

    # The walk reached the places comments are shown, and enough of the rest.
    assert article.get_absolute_url() in seen
    assert {"/tags/", "/regions/", "/outlets/", "/archive/", "/moderation/"} <= seen
    assert len(seen) > 40


def test_the_approved_comment_is_shown_with_its_name_only(client, commented):
    html_text = client.get(commented["article"].get_absolute_url()).content.decode()
    assert "A first fair remark." in html_text
    assert "Ann Reader" in html_text
    assert "A second fair remark." not in html_text  # pending
    assert "A third remark" not in html_text  # rejected
    assert secrets_in(html_text) == []


def test_posting_a_comment_by_the_api_does_not_echo_the_email(client, commented):
    article = commented["article"]
    stamp = client.get(f"/api/articles/{article.pk}/comments/stamp/").json()["stamp"]
    # Accepted (202) or refused by a rate limit (429): either way the answer names nobody.
    response = client.post(
        f"/api/articles/{article.pk}/comments/",
        {"author_name": "Ann", "author_email": EMAIL, "body": "A fourth remark.", "stamp": stamp},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code in (202, 400, 429)
    assert secrets_in(response.content.decode()) == []


def test_the_moderation_queue_shows_the_email_to_moderators(client, commented):
    client.force_login(commented["staff"])
    queue = client.get(reverse("moderation:queue"), {"status": "all"}).content.decode()
    assert EMAIL in queue  # to tell a commenter's history apart, and to contact them
    assert hash_ip_address(ADDRESS) not in queue  # the hash means nothing to a person


def test_the_admin_shows_the_email_and_hash_to_staff_only(client, commented):
    url = reverse("admin:archive_comment_change", args=[commented["comment"].pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert secrets_in(anonymous.content.decode() + str(anonymous.headers)) == []

    client.force_login(commented["staff"])
    page = client.get(url).content.decode()
    assert EMAIL in page
    assert hash_ip_address(ADDRESS) in page


def test_a_signed_in_reader_who_is_not_staff_sees_none_of_it(client, commented):
    reader = get_user_model().objects.create_user("rita", "rita@example.com", PASSWORD)
    client.force_login(reader)
    for url in (
        reverse("moderation:queue"),
        reverse("admin:archive_comment_changelist"),
        reverse("admin:archive_comment_change", args=[commented["comment"].pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert secrets_in(response.content.decode()) == []
