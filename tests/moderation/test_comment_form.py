"""The comment form's rules, each as a reader meets it on the article page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from archive.models import Comment, ModerationEvent
from moderation.addresses import hash_ip_address
from moderation.views import HELD_FOR_MODERATION
from tests.factories import make_article

from .conftest import form_data, post_comment

pytestmark = pytest.mark.django_db


def test_a_valid_comment_is_held_for_moderation_and_the_reader_is_told(client, article):
    response = post_comment(client, article, follow=False)

    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert (comment.author_name, comment.author_email) == ("Ann Reader", "ann@example.com")
    assert comment.body == "A thoughtful remark about the offensive."
    assert not comment.events.exists()  # nothing has been decided yet

    page = client.get(response["Location"])
    assert HELD_FOR_MODERATION in page.content.decode()
    assert "A thoughtful remark" not in page.content.decode()  # not public until approved


def test_the_ip_address_is_stored_only_as_a_keyed_hash(client, article):
    post_comment(client, article, address="203.0.113.9")

    comment = Comment.objects.get()
    assert comment.ip_hash == hash_ip_address("203.0.113.9")
    assert len(comment.ip_hash) == 64
    assert "203.0.113.9" not in str(Comment.objects.values().get())


def test_the_ip_hash_is_keyed_by_the_secret_key(settings):
    first = hash_ip_address("203.0.113.9")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"
    assert hash_ip_address("203.0.113.9") != first


@pytest.mark.parametrize("field", ["author_name", "author_email", "body", "stamp"])
def test_a_missing_field_is_refused(client, article, field):
    response = post_comment(client, article, **{field: ""})

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_refusal_for_a_hidden_field_says_why_in_the_error_summary(client, article):
    response = post_comment(client, article, stamp="")

    summary = lxml_html.fromstring(response.content.decode()).get_element_by_id(
        "comment-form-errors"
    )
    reasons = [item.text_content() for item in summary.iter("li")]
    assert reasons
    assert all("Reload the page" in reason for reason in reasons), reasons


def test_missing_name_and_email_are_reported_next_to_their_fields(client, article):
    response = post_comment(client, article, author_name="", author_email="")

    form = response.context["comment_form"]
    assert form.errors["author_name"] == ["This field is required."]
    assert form.errors["author_email"] == ["This field is required."]
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize("email", ["not-an-address", "ann@", "@example.com", "ann example.com"])
def test_a_bad_email_is_refused(client, article, email):
    response = post_comment(client, article, author_email=email)

    assert response.status_code == 400
    assert "author_email" in response.context["comment_form"].errors
    assert not Comment.objects.exists()


def test_the_email_is_kept_in_lower_case_so_history_and_limits_find_it(client, article):
    post_comment(client, article, author_email="Ann.Reader@Example.COM")

    assert Comment.objects.get().author_email == "ann.reader@example.com"


def test_a_body_longer_than_the_limit_is_refused(client, article, settings):
    settings.COMMENT_BODY_MAX_LENGTH = 100

    too_long = post_comment(client, article, body="x" * 101)
    just_right = post_comment(client, article, body="y" * 100)

    assert too_long.status_code == 400
    assert "at most 100 characters" in str(too_long.context["comment_form"].errors["body"])
    assert just_right.status_code == 302
    assert Comment.objects.get().body == "y" * 100


def test_a_body_too_short_or_only_spaces_is_refused(client, article):
    assert post_comment(client, article, body="x").status_code == 400
    assert post_comment(client, article, body="   \n  ").status_code == 400
    assert not Comment.objects.exists()


def test_a_name_longer_than_eighty_characters_is_refused(client, article):
    assert post_comment(client, article, author_name="N" * 81).status_code == 400


def test_the_form_needs_a_csrf_token(article):
    strict = Client(enforce_csrf_checks=True)
    response = post_comment(strict, article)

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_the_article_page_serves_the_form_with_csrf_honeypot_and_stamp(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="website"' in html
    assert 'class="comment-form__trap" aria-hidden="true"' in html
    assert 'name="stamp"' in html


def test_a_filled_honeypot_is_rejected_by_the_system_but_the_bot_is_not_told(client, article):
    response = post_comment(client, article, website="https://cheap-pills.example")

    assert response.status_code == 302  # the same answer a person gets
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.REJECTED
    assert comment.rejection_reason == Comment.Reason.PROMOTION
    assert "honeypot" in comment.screening_flags
    event = ModerationEvent.objects.get()
    assert event.actor is None
    assert (event.from_status, event.to_status) == ("pending", "rejected")
    assert "honeypot" in event.note


def test_a_form_posted_too_fast_is_refused(client, article, settings):
    settings.COMMENT_MIN_SECONDS = 5

    response = post_comment(client, article, seconds_ago=1)

    assert response.status_code == 400
    assert "That was quick" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_form_older_than_the_maximum_age_is_refused_and_served_again_fresh(
    client, article, settings
):
    settings.COMMENT_FORM_MAX_AGE = 3600
    old = form_data(article, seconds_ago=3601)["stamp"]

    response = post_comment(client, article, stamp=old)

    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()
    assert not Comment.objects.exists()
    renewed = response.context["comment_form"].data["stamp"]
    assert renewed != old
    assert (
        post_comment(client, article, stamp=renewed, seconds_ago=60).status_code == 400
    )  # too fast
    settings.COMMENT_MIN_SECONDS = 0
    assert post_comment(client, article, stamp=renewed).status_code == 302


def test_a_tampered_stamp_is_refused(client, article):
    stamp = form_data(article)["stamp"]

    response = post_comment(client, article, stamp=stamp[:-2] + "xx")

    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()


def test_a_stamp_from_another_articles_form_is_refused(client, article):
    other = make_article()

    response = post_comment(client, article, stamp=form_data(other)["stamp"])

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_the_rate_limit_per_ip_address(client, article, settings):
    settings.COMMENT_RATE_LIMIT_PER_IP = 2
    for n in range(2):
        reply = post_comment(client, article, author_email=f"r{n}@example.com", body=f"Point {n}")
        assert reply.status_code == 302

    refused = post_comment(client, article, author_email="r9@example.com", body="Point 9")
    elsewhere = post_comment(
        client, article, author_email="r9@example.com", body="Point 9", address="192.0.2.44"
    )

    assert refused.status_code == 429
    assert "Too many comments from your network" in refused.content.decode()
    assert elsewhere.status_code == 302
    assert Comment.objects.count() == 3


def test_the_rate_limit_per_email(client, article, settings):
    settings.COMMENT_RATE_LIMIT_PER_EMAIL = 2
    for n in range(2):
        address = f"192.0.2.{n + 1}"
        assert post_comment(client, article, body=f"Point {n}", address=address).status_code == 302

    refused = post_comment(client, article, body="Point 9", address="192.0.2.99")

    assert refused.status_code == 429
    assert "Too many comments from this e-mail address" in refused.content.decode()
    assert Comment.objects.count() == 2


def test_the_rate_limit_counts_only_the_recent_window(client, article, settings):
    settings.COMMENT_RATE_LIMIT_PER_EMAIL = 1
    assert post_comment(client, article, body="First point").status_code == 302
    Comment.objects.update(submitted_at=timezone.now() - timedelta(hours=1))

    assert post_comment(client, article, body="Second point").status_code == 302


def test_an_exact_repeat_is_refused(client, article):
    assert post_comment(client, article).status_code == 302

    repeat = post_comment(client, article)
    from_elsewhere = post_comment(client, article, address="192.0.2.80")
    same_network = post_comment(client, article, author_email="other@example.com")

    for response in (repeat, from_elsewhere, same_network):
        assert response.status_code == 400
        assert "You have already sent this comment" in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_same_words_from_someone_else_or_on_another_article_are_not_a_repeat(client, article):
    post_comment(client, article)
    other_person = post_comment(client, article, author_email="bo@example.com", address="192.0.2.5")
    other_article = post_comment(client, make_article(), author_email="ann@example.com")

    assert other_person.status_code == 302
    assert other_article.status_code == 302


def test_comments_are_closed_where_an_editor_closed_them(client):
    closed = make_article(comments_open=False)

    page = client.get(closed.get_absolute_url()).content.decode()
    response = post_comment(client, closed)

    assert "Comments are closed on this article." in page
    assert 'name="stamp"' not in page
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_comments_are_closed_on_withdrawn_articles(client):
    withdrawn = make_article(status="withdrawn")

    response = post_comment(client, withdrawn)

    assert response.status_code == 410
    assert not Comment.objects.exists()


def test_an_unknown_article_is_404(client, article):
    url = reverse("archive:post_comment", kwargs={"slug": "no-such-article"})
    assert client.post(url, form_data(article)).status_code == 404


def test_the_form_only_accepts_posts(client, article):
    url = reverse("archive:post_comment", kwargs={"slug": article.slug})
    assert client.get(url).status_code == 405


def test_behind_trusted_proxies_the_forwarded_address_is_the_one_hashed(client, article, settings):
    settings.COMMENT_TRUSTED_PROXIES = 1

    client.post(
        reverse("archive:post_comment", kwargs={"slug": article.slug}),
        form_data(article),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",  # the left part is the client's to forge
    )

    assert Comment.objects.get().ip_hash == hash_ip_address("203.0.113.9")


def test_without_trusted_proxies_a_forwarded_header_is_ignored(client, article):
    client.post(
        reverse("archive:post_comment", kwargs={"slug": article.slug}),
        form_data(article),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    assert Comment.objects.get().ip_hash == hash_ip_address("10.0.0.2")


def error_summary_of(response):
    """The comment form's error summary, and the form around it, from the page sent back."""
    page = lxml_html.fromstring(response.content.decode())
    summaries = page.xpath("//*[@id='comment-form-errors']")
    assert len(summaries) == 1, "no single error summary on the page"
    (form,) = summaries[0].xpath("ancestor::form[contains(@class, 'comment-form')]")
    return summaries[0], form


def test_a_refused_comment_brings_the_reader_to_the_error_with_their_words_kept(
    client, article, settings
):
    settings.COMMENT_MIN_SECONDS = 5

    response = post_comment(client, article, seconds_ago=1, body="My carefully typed remark.")

    summary, form = error_summary_of(response)
    # Focusable and focused on load (autofocus), so the browser scrolls to it, and announced.
    assert (summary.get("tabindex"), summary.get("role")) == ("-1", "alert")
    assert summary.get("autofocus") is not None
    assert "That was quick" in summary.text_content()
    # Django writes a newline after <textarea>, which browsers drop (lxml keeps it).
    typed = form.xpath(".//textarea[@name='body']")[0].text.removeprefix("\n")
    assert typed == "My carefully typed remark."
    assert form.xpath(".//input[@name='author_name']")[0].get("value") == "Ann Reader"
    assert form.xpath(".//input[@name='author_email']")[0].get("value") == "ann@example.com"


def test_the_error_summary_links_each_field_error_to_its_field(client, article):
    response = post_comment(client, article, author_email="not an address")

    summary, form = error_summary_of(response)
    (link,) = summary.xpath(".//a")
    assert link.text_content() == "E-mail: Enter a valid email address."
    assert form.xpath(f".//input[@id='{link.get('href').removeprefix('#')}']/@name") == [
        "author_email"
    ]


def test_a_fresh_form_has_no_error_summary_to_steal_the_focus(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    assert 'class="comment-form"' in html
    assert "comment-form-errors" not in html
    assert "autofocus" not in html
