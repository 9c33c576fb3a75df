"""The moderation queue at /moderation/: who may see it and what it shows."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from lxml import html as lxml_html

from archive.models import Comment
from moderation.services import approve_comment, reject_comment
from tests.factories import make_article

from .conftest import PASSWORD, make_comment

pytestmark = pytest.mark.django_db
QUEUE = "/moderation/"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('moderation:login')}?next={QUEUE}"


def test_a_signed_in_reader_who_is_not_a_moderator_gets_403(client, reader):
    client.force_login(reader)

    assert client.get(QUEUE).status_code == 403


def test_a_moderator_gets_the_queue(moderator_client):
    response = moderator_client.get(QUEUE)

    assert response.status_code == 200
    assert "Moderation queue" in response.content.decode()


def test_a_superuser_gets_the_queue(client):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    client.force_login(boss)

    assert client.get(QUEUE).status_code == 200


def test_a_moderator_signs_in_through_the_login_page_and_lands_on_the_queue(client, moderator):
    response = client.post(
        reverse("moderation:login"), {"username": "mona", "password": PASSWORD, "next": QUEUE}
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert client.get(QUEUE).status_code == 200


@pytest.mark.parametrize("name", ["approve", "reject"])
def test_decisions_are_refused_to_non_moderators(client, reader, article, name):
    comment = make_comment(article)
    url = reverse(f"moderation:{name}", kwargs={"pk": comment.pk})

    anonymous = client.post(url, {"reason": "off_topic"})
    client.force_login(reader)
    signed_in = client.post(url, {"reason": "off_topic"})
    bulk = client.post(reverse("moderation:bulk"), {"action": name, "comments": [comment.pk]})

    assert anonymous.status_code == 302
    assert signed_in.status_code == 403
    assert bulk.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert not comment.events.exists()


def test_pending_comments_are_listed_oldest_first_with_their_article(moderator_client, article):
    first = make_comment(article, "First in.")
    second = make_comment(make_article(title="Raqqa offensive"), "Second in.")

    response = moderator_client.get(QUEUE)

    assert list(response.context["comments"]) == [first, second]
    html = response.content.decode()
    assert html.index("First in.") < html.index("Second in.")
    assert "Raqqa offensive" in html
    assert article.get_absolute_url() in html


def test_the_queue_can_be_ordered_by_screening_score(moderator_client, article):
    calm = make_comment(article, "A careful and fair report.")
    rude = make_comment(article, "What an idiot wrote this sh1t")

    response = moderator_client.get(QUEUE, {"order": "score"})

    assert list(response.context["comments"]) == [rude, calm]


def test_counts_per_status_are_in_the_navigation(moderator_client, moderator, article):
    for n in range(3):
        make_comment(article, f"Pending {n}")
    approve_comment(make_comment(article, "Approved one"), moderator=moderator)
    rejected = make_comment(article, "Rejected one")
    reject_comment(rejected, moderator=moderator, reason="off_topic")

    response = moderator_client.get(QUEUE)

    tabs = {tab["status"]: tab["count"] for tab in response.context["tabs"]}
    assert tabs == {"pending": 3, "approved": 1, "rejected": 1, "all": 5}
    assert '<span class="queue-tabs__count" data-count="pending">3</span>' in (
        response.content.decode()
    )


def test_filters_by_status_article_reason_and_flag(moderator_client, moderator, article):
    other_article = make_article()
    pending_here = make_comment(article, "Plain and fair.")
    pending_there = make_comment(other_article, "Visit www.best-deals.shop today")
    off_topic = make_comment(article, "Football results please")
    reject_comment(off_topic, moderator=moderator, reason="off_topic")
    attack = make_comment(article, "The author is a moron.")
    reject_comment(attack, moderator=moderator, reason="personal_attack")

    def listed(**query):
        return list(moderator_client.get(QUEUE, query).context["comments"])

    assert listed() == [pending_here, pending_there]
    assert listed(status="rejected") == [off_topic, attack]
    assert listed(status="all", article=article.pk) == [pending_here, off_topic, attack]
    assert listed(status="rejected", reason="off_topic") == [off_topic]
    assert listed(flag="link") == [pending_there]
    assert listed(status="all", flag="suspect_word") == [attack]
    assert listed(status="nonsense", flag="no-such-flag") == [pending_here, pending_there]


def test_flagged_words_are_highlighted_after_escaping(moderator_client, article):
    make_comment(article, "<b>Bold</b> & what a moron <i>indeed</i>\nSecond line")

    html = moderator_client.get(QUEUE).content.decode()

    assert (
        "&lt;b&gt;Bold&lt;/b&gt; &amp; what a <mark>moron</mark> &lt;i&gt;indeed&lt;/i&gt;"
        "<br>Second line"
    ) in html


def test_html_and_script_in_a_comment_are_shown_escaped_in_the_queue(moderator_client, article):
    make_comment(article, '<script>alert("x")</script><img src=x onerror=alert(1)>')

    html = moderator_client.get(QUEUE).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    # Shown as text (nh3 writes quotes in text as they are; only < > & need escaping there).
    assert '&lt;script&gt;alert("x")&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;' in html


def test_each_comment_shows_its_commenters_history(moderator_client, moderator, article, settings):
    settings.COMMENT_RATE_LIMIT_PER_EMAIL = 10
    history = {"author_email": "zed@example.com"}
    approve_comment(make_comment(article, "An early fair remark", **history), moderator=moderator)
    approve_comment(make_comment(article, "Another fair remark", **history), moderator=moderator)
    rejected = make_comment(article, "Buy my book", **history)
    reject_comment(rejected, moderator=moderator, reason="promotion")
    current = make_comment(article, "My latest thought", **history)

    response = moderator_client.get(QUEUE)

    [shown] = response.context["comments"]
    assert shown == current
    assert (shown.history.approved, shown.history.rejected) == (2, 1)
    assert [c.body for c in shown.history.recent] == [
        "Buy my book",
        "Another fair remark",
        "An early fair remark",
    ]
    assert "Commenter: 2 approved, 1 rejected" in response.content.decode()


def test_a_decision_from_the_page_script_answers_with_the_updated_comment(
    moderator_client, article
):
    comment = make_comment(article)
    url = reverse("moderation:approve", kwargs={"pk": comment.pk})

    response = moderator_client.post(url, {"next": QUEUE}, headers={"X-Queue-Fragment": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="queue-item queue-item--approved"')
    assert f'id="comment-{comment.pk}"' in html
    assert "Reject instead" in html  # the way to reverse it
    assert json.loads(response["X-Queue-Counts"]) == {
        "pending": 0,
        "approved": 1,
        "rejected": 0,
        "all": 1,
    }


def test_a_rejection_without_a_reason_is_refused_in_place(moderator_client, article):
    comment = make_comment(article)
    url = reverse("moderation:reject", kwargs={"pk": comment.pk})

    fragment = moderator_client.post(url, {"reason": ""}, headers={"X-Queue-Fragment": "1"})
    plain = moderator_client.post(url, {"reason": "not-a-policy-reason"}, follow=True)

    assert fragment.status_code == 400
    assert "This field is required." in fragment.content.decode()
    assert "Select a valid choice" in plain.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_the_queue_works_without_javascript(moderator_client, article):
    comment = make_comment(article)
    page = moderator_client.get(QUEUE).content.decode()
    assert f'action="{reverse("moderation:approve", kwargs={"pk": comment.pk})}"' in page
    assert 'name="csrfmiddlewaretoken"' in page

    response = moderator_client.post(
        reverse("moderation:approve", kwargs={"pk": comment.pk}), {"next": f"{QUEUE}?order=score"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?order=score"
    followed = moderator_client.get(response["Location"]).content.decode()
    assert "Approved: comment by Ann Reader." in followed


def test_a_decision_never_redirects_off_site(moderator_client, article):
    comment = make_comment(article)

    response = moderator_client.post(
        reverse("moderation:approve", kwargs={"pk": comment.pk}),
        {"next": "https://evil.example/"},
    )

    assert response["Location"] == QUEUE


def test_the_queue_page_loads_the_shortcut_script_and_help(moderator_client, article):
    make_comment(article)

    html = moderator_client.get(QUEUE).content.decode()

    assert "/static/js/moderation.js" in html
    assert "Keyboard shortcuts" in html
    assert "data-queue-item" in html


def test_the_queue_pages_long_lists_and_keeps_the_filters(moderator_client, article, settings):
    settings.COMMENTS_PER_QUEUE_PAGE = 2
    for n in range(3):
        make_comment(article, f"Comment {n}")

    response = moderator_client.get(QUEUE, {"order": "score"})

    assert len(response.context["comments"]) == 2
    assert "?order=score&amp;page=2" in response.content.decode()


def test_bulk_buttons_look_like_each_comments_approve_and_reject(moderator_client, article):
    make_comment(article)
    page = lxml_html.fromstring(moderator_client.get(QUEUE).content.decode())

    def classes(form_xpath: str, action: str) -> set[str]:
        (button,) = page.xpath(f"{form_xpath}//button[starts-with(normalize-space(), '{action}')]")
        return set(button.get("class", "").split())

    one_comment = "//article[@data-queue-item]"
    assert classes("//form[@id='bulk-form']", "Approve") == classes(one_comment, "Approve")
    assert classes("//form[@id='bulk-form']", "Reject") == classes(one_comment, "Reject")
    assert classes(one_comment, "Approve") == {"button-approve"}
    assert classes(one_comment, "Reject") == {"button-reject"}
