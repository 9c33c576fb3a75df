"""Editors curate and cannot moderate; Moderators moderate and cannot curate; superusers do
both. Every staff page curation added, and the moderation queue, for every role."""

import pytest
from django.urls import reverse

from archive.models import Comment, Tag
from tests.factories import make_article, make_tag

pytestmark = pytest.mark.django_db

LOGIN, OK, FORBIDDEN = "login", 200, 403

# page -> expected answer for (anonymous, editor, moderator, superuser)
PAGES = {
    "admin:archive_article_changelist": (LOGIN, OK, FORBIDDEN, OK),
    "admin:archive_tag_changelist": (LOGIN, OK, FORBIDDEN, OK),
    "admin:archive_region_changelist": (LOGIN, OK, FORBIDDEN, OK),
    "admin:archive_outlet_changelist": (LOGIN, OK, FORBIDDEN, OK),
    "admin:archive_article_unresolved_datelines": (LOGIN, OK, FORBIDDEN, OK),
    "article_change": (LOGIN, OK, FORBIDDEN, OK),
    "article_history": (LOGIN, OK, FORBIDDEN, OK),
    "admin:search_searchlog_changelist": (LOGIN, OK, FORBIDDEN, OK),
    "admin:search_searchpromotion_changelist": (LOGIN, OK, FORBIDDEN, OK),
    "admin:archive_comment_changelist": (LOGIN, FORBIDDEN, OK, OK),
    "moderation:queue": (LOGIN, FORBIDDEN, OK, OK),
}
ROLES = ["anonymous", "editor", "moderator", "superuser"]


def url_of(page: str) -> str:
    if page in ("article_change", "article_history"):
        return reverse(f"admin:archive_{page}", args=[make_article().pk])
    return reverse(page)


@pytest.fixture
def user_of(request):
    return lambda role: None if role == "anonymous" else request.getfixturevalue(role)


def expectation(page: str, role: str):
    return PAGES[page][ROLES.index(role)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_each_role_gets_what_it_may_see(client, user_of, page, role):
    if (user := user_of(role)) is not None:
        client.force_login(user)
    if page.startswith("moderation:") and role == "moderator":
        # Moderators need not be staff: the queue is outside the admin.
        user.is_staff = False
        user.save()
    response = client.get(url_of(page))
    expected = expectation(page, role)
    if expected == LOGIN:
        assert response.status_code == 302
        assert "login" in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("editor", True), ("moderator", False), ("superuser", True)],
)
def test_only_curators_may_merge_tags(client, user_of, role, allowed):
    client.force_login(user_of(role))
    keep, drop = make_tag("Keep"), make_tag("Drop")
    client.post(
        reverse("admin:archive_tag_changelist"),
        {"action": "merge", "_selected_action": [keep.pk, drop.pk], "apply": "1", "into": keep.pk},
    )
    assert Tag.objects.filter(pk=drop.pk).exists() is not allowed


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("editor", False), ("moderator", True), ("superuser", True)],
)
def test_only_moderators_may_decide_on_comments(client, user_of, role, allowed):
    comment = Comment.objects.create(
        article=make_article(), author_name="R", author_email="r@example.com", body="Hello."
    )
    client.force_login(user_of(role))
    client.post(reverse("moderation:approve", args=[comment.pk]))
    comment.refresh_from_db()
    assert (comment.status == Comment.Status.APPROVED) is allowed
