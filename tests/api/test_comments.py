"""Posting a comment through the API: no CSRF token (it uses no cookies), so every other
guard of the comment form must hold here: the stamp, the honeypot, the field rules, closed
and withdrawn articles, repeats, the rate limits, screening, throttling and the hold for
moderation."""

import time

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.throttling import CommentThrottle
from archive.models import Article, Comment
from moderation.forms import issue_form_stamp
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return make_article(title="Open for comments")


def stamp_from(article, seconds_ago: float = 60) -> str:
    return issue_form_stamp(article, issued_at=time.time() - seconds_ago)


def post(api, article, address: str = "203.0.113.7", **fields):
    form = {
        "author_name": "Rita",
        "author_email": "Rita@Example.com",
        "body": "A thoughtful comment on the airport.",
        "stamp": stamp_from(article),
        **fields,
    }
    url = reverse("api:post_comment", args=[article.pk])
    return api.post(url, form, format="json", REMOTE_ADDR=address)


def test_a_comment_is_held_for_moderation_and_not_shown(api, client, article):
    response = post(api, article)
    assert response.status_code == 202
    assert response.json() == {"detail": "Thank you: your comment is held for moderation."}
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.author_email == "rita@example.com"
    assert comment.ip_hash
    assert "203.0.113.7" not in comment.ip_hash
    assert "thoughtful comment" not in client.get(article.get_absolute_url()).content.decode()


def test_a_form_post_works_as_json_does(api, article):
    url = reverse("api:post_comment", args=[article.pk])
    form = {
        "author_name": "Rita",
        "author_email": "rita@example.com",
        "body": "Posted as a form.",
        "stamp": stamp_from(article),
    }
    assert api.post(url, form).status_code == 202  # multipart, as an HTML form would


def test_signed_in_staff_post_as_anyone_and_need_no_csrf_token(article, admin_user):
    """No session is read: a cookie carries no authority here, which is why no token is
    asked for; the comment is an anonymous reader's like any other."""
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    assert post(browser, article).status_code == 202
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_the_stamp_endpoint_gives_a_stamp_that_is_too_fresh_to_post_at_once(api, article):
    stamp = api.get(reverse("api:comment_stamp", args=[article.pk])).json()["stamp"]
    response = post(api, article, stamp=stamp)
    assert response.status_code == 400
    assert response.json()["__all__"][0]["code"] == "too_fast"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"body": "x"}, "body"),
        ({"body": "y" * 3001}, "body"),
        ({"author_name": ""}, "author_name"),
        ({"author_name": "n" * 81}, "author_name"),
        ({"author_email": ""}, "author_email"),
        ({"author_email": "not-an-address"}, "author_email"),
        ({"stamp": "forged"}, "__all__"),  # the form's "could not be verified"
        ({"stamp": ""}, "stamp"),
    ],
)
def test_the_forms_field_rules_refuse_a_bad_comment(api, article, fields, error):
    response = post(api, article, **fields)
    assert response.status_code == 400
    assert error in response.json()
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("seconds_ago", "code"), [(1, "too_fast"), (5 * 3600, "too_old")], ids=["fresh", "stale"]
)
def test_a_stamp_too_fresh_or_too_old_is_refused(api, article, seconds_ago, code):
    response = post(api, article, stamp=stamp_from(article, seconds_ago))
    assert response.status_code == 400
    assert response.json()["__all__"][0]["code"] == code
    assert not Comment.objects.exists()


def test_a_stamp_from_another_article_is_refused(api, article):
    response = post(api, article, stamp=stamp_from(make_article()))
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_filled_honeypot_is_answered_alike_and_rejected(api, article):
    response = post(api, article, website="http://spam.example")
    assert response.status_code == 202
    assert Comment.objects.get().status == Comment.Status.REJECTED


def test_a_banned_word_is_answered_alike_and_rejected_by_screening(api, article):
    assert post(api, article, body="What a f u c k i n g mess.").status_code == 202
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.REJECTED
    assert "banned_word" in comment.screening_flags


def test_a_repeat_is_refused(api, article):
    assert post(api, article).status_code == 202
    assert post(api, article).status_code == 400
    assert Comment.objects.count() == 1


def test_closed_and_withdrawn_articles_take_no_comment(api, article):
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    assert post(api, article).status_code == 403
    gone = make_article(status=Article.Status.WITHDRAWN)
    assert post(api, gone).status_code == 404
    assert api.get(reverse("api:comment_stamp", args=[gone.pk])).status_code == 404
    assert not Comment.objects.exists()


def test_the_rate_limit_per_address_holds(api, article, settings):
    settings.COMMENT_RATE_LIMIT_PER_IP = 2
    statuses = [
        post(api, article, author_email=f"r{n}@example.com", body=f"Comment {n}.").status_code
        for n in range(3)
    ]
    assert statuses == [202, 202, 429]
    # Another address may still comment.
    assert post(api, article, address="198.51.100.1", body="From elsewhere.").status_code == 202


def test_the_rate_limit_per_email_holds_across_addresses(api, article, settings):
    settings.COMMENT_RATE_LIMIT_PER_EMAIL = 1
    assert post(api, article, address="198.51.100.1").status_code == 202
    response = post(api, article, address="198.51.100.2", body="Again, elsewhere.")
    assert response.status_code == 429
    assert "e-mail" in response.json()["detail"]


def test_the_comment_throttle_answers_429_before_the_form_is_read(api, article, monkeypatch):
    monkeypatch.setattr(CommentThrottle, "THROTTLE_RATES", {"anon": None, "comments": "2/hour"})
    statuses = [
        post(api, article, author_email=f"r{n}@example.com", body=f"Comment {n}.").status_code
        for n in range(3)
    ]
    assert statuses == [202, 202, 429]
    assert Comment.objects.count() == 2


def test_a_new_forwarded_for_header_does_not_escape_the_throttle(api, article, monkeypatch):
    """With no trusted proxy (COMMENT_TRUSTED_PROXIES=0), X-Forwarded-For is the client's
    own say and is ignored: the peer's address is what counts."""
    monkeypatch.setattr(CommentThrottle, "THROTTLE_RATES", {"anon": None, "comments": "1/hour"})
    url = reverse("api:post_comment", args=[article.pk])
    statuses = [
        api.post(url, {}, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [400, 429, 429]
