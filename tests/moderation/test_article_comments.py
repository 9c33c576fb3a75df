"""What readers see under an article: approved comments only, oldest first, never an email."""

from datetime import UTC, datetime

import pytest

from archive.models import Comment
from moderation.services import approve_comment, reject_comment

from .conftest import make_comment

pytestmark = pytest.mark.django_db


def test_only_approved_comments_are_shown_oldest_first_with_name_and_date(
    client, moderator, article
):
    later = make_comment(article, "Later but approved first.", author_name="Bo")
    earlier = make_comment(article, "Earlier.", author_name="Al")
    Comment.objects.filter(pk=earlier.pk).update(
        submitted_at=datetime(2017, 8, 16, 9, 30, tzinfo=UTC)
    )
    Comment.objects.filter(pk=later.pk).update(
        submitted_at=datetime(2017, 8, 17, 10, 0, tzinfo=UTC)
    )
    approve_comment(later, moderator=moderator)
    approve_comment(earlier, moderator=moderator)
    make_comment(article, "Still pending.")
    reject_comment(make_comment(article, "Rejected."), moderator=moderator, reason="off_topic")

    response = client.get(article.get_absolute_url())

    assert list(response.context["comments"]) == [earlier, later]
    html = response.content.decode()
    assert html.index("Earlier.") < html.index("Later but approved first.")
    assert "16 August 2017, 09:30 UTC</time>" in html
    assert '<strong class="comment__author">Al</strong>' in html
    assert "Still pending." not in html
    assert "Rejected." not in html
    assert 'Comments <span class="count">(2)</span>' in html


def test_comment_times_name_their_time_zone_as_the_articles_time_does(
    client, settings, moderator, article
):
    settings.TIME_ZONE = "Asia/Baghdad"  # no abbreviation: named by its offset, +03
    article.published_at = datetime(2017, 8, 15, 22, 30, tzinfo=UTC)
    article.published_time_known = True
    article.save()
    comment = make_comment(article, "Good to know.")
    Comment.objects.filter(pk=comment.pk).update(
        submitted_at=datetime(2017, 8, 16, 9, 30, tzinfo=UTC)
    )
    approve_comment(comment, moderator=moderator)

    html = client.get(article.get_absolute_url()).content.decode()

    assert ">16 August 2017, 01:30 +03</time>" in html  # the article's, by {% published %}
    assert ">16 August 2017, 12:30 +03</time>" in html  # the comment's


def test_the_email_never_appears_on_the_public_page(client, moderator, article):
    comment = make_comment(article, "Hello.", author_email="secret.person@example.com")
    approve_comment(comment, moderator=moderator)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Hello." in html
    assert "secret.person" not in html


def test_html_and_script_in_a_comment_are_shown_escaped_on_the_article(client, moderator, article):
    comment = make_comment(
        article, '<script>alert("pwned")</script> <a href="http://x.example">click</a> & more'
    )
    approve_comment(comment, moderator=moderator)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<script>alert" not in html
    assert '<a href="http://x.example">' not in html
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html
    assert "&amp; more" in html


def test_a_name_with_markup_is_escaped_too(client, moderator, article):
    comment = make_comment(article, "Fine words.", author_name="<b>Bold</b>")
    approve_comment(comment, moderator=moderator)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_paragraphs_in_a_comment_are_kept(client, moderator, article):
    approve_comment(make_comment(article, "First paragraph.\n\nSecond one."), moderator=moderator)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<p>First paragraph.</p>" in html
    assert "<p>Second one.</p>" in html


def test_an_article_without_comments_invites_the_first(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    assert "No comments yet." in html
    assert "Post comment" in html
