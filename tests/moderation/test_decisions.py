"""Approve, reject, bulk and reversal: each a status change with its ModerationEvent."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from lxml import html as lxml_html

from archive.models import Comment, ModerationEvent
from moderation.services import (
    ModerationError,
    approve_comment,
    approve_comments,
    reject_comment,
)

from .conftest import make_comment

pytestmark = pytest.mark.django_db


def events_of(comment):
    return list(
        comment.events.values_list("actor__username", "from_status", "to_status", "reason", "note")
    )


def test_approving_publishes_and_records_who_and_when(moderator_client, moderator, article):
    comment = make_comment(article, "Well reported.")

    response = moderator_client.post(reverse("moderation:approve", kwargs={"pk": comment.pk}))

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert events_of(comment) == [("mona", "pending", "approved", "", "")]
    assert comment.events.get().created_at is not None
    assert "Well reported." in moderator_client.get(article.get_absolute_url()).content.decode()


def test_rejecting_needs_a_policy_reason_and_keeps_an_optional_note(moderator_client, article):
    comment = make_comment(article, "Buy cheap watches")

    moderator_client.post(
        reverse("moderation:reject", kwargs={"pk": comment.pk}),
        {"reason": "promotion", "note": "spam campaign"},
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert comment.rejection_reason == "promotion"
    assert events_of(comment) == [("mona", "pending", "rejected", "promotion", "spam campaign")]


@pytest.mark.parametrize(
    "reason",
    ["profanity", "threats", "personal_attack", "vulgarity", "abuse", "promotion", "off_topic"],
)
def test_every_policy_reason_can_be_given(moderator, article, reason):
    comment = make_comment(article)

    reject_comment(comment, moderator=moderator, reason=reason)

    assert comment.rejection_reason == reason


def test_a_reason_outside_the_policy_is_refused(moderator, article):
    comment = make_comment(article)

    with pytest.raises(ModerationError):
        reject_comment(comment, moderator=moderator, reason="boring")
    assert not comment.events.exists()


def test_the_services_refuse_a_user_who_is_not_a_moderator(reader, article):
    comment = make_comment(article)

    with pytest.raises(PermissionDenied):
        approve_comment(comment, moderator=reader)
    with pytest.raises(PermissionDenied):
        reject_comment(comment, moderator=reader, reason="off_topic")
    assert not ModerationEvent.objects.exists()


def test_reversing_a_decision_is_a_new_event_and_keeps_the_old_ones(moderator, article):
    comment = make_comment(article, "Borderline.")

    approve_comment(comment, moderator=moderator)
    reject_comment(comment, moderator=moderator, reason="off_topic", note="on second thought")
    approve_comment(comment, moderator=moderator, note="appeal upheld")

    assert comment.status == Comment.Status.APPROVED
    assert comment.rejection_reason == ""
    assert events_of(comment) == [
        ("mona", "pending", "approved", "", ""),
        ("mona", "approved", "rejected", "off_topic", "on second thought"),
        ("mona", "rejected", "approved", "", "appeal upheld"),
    ]


def test_reversal_through_the_queue(moderator_client, moderator, article):
    comment = make_comment(article)
    approve_comment(comment, moderator=moderator)

    moderator_client.post(
        reverse("moderation:reject", kwargs={"pk": comment.pk}), {"reason": "threats"}
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert [e[1:3] for e in events_of(comment)] == [
        ("pending", "approved"),
        ("approved", "rejected"),
    ]


def test_a_decision_repeated_changes_nothing_and_records_nothing(moderator, article):
    comment = make_comment(article)

    assert approve_comment(comment, moderator=moderator) is not None
    assert approve_comment(comment, moderator=moderator) is None

    assert comment.events.count() == 1


def test_a_reversal_of_an_automatic_rejection(moderator, article):
    comment = make_comment(article, "f u c k yeah, great win for the team")
    assert comment.status == Comment.Status.REJECTED
    assert events_of(comment) == [
        (None, "pending", "rejected", "profanity", "Automatic: banned words (fuck).")
    ]

    approve_comment(comment, moderator=moderator, note="celebration, not abuse")

    assert [e[0] for e in events_of(comment)] == [None, "mona"]


def test_bulk_approve(moderator_client, article):
    comments = [make_comment(article, f"Point {n}") for n in range(3)]
    untouched = make_comment(article, "Not ticked")

    response = moderator_client.post(
        reverse("moderation:bulk"),
        {"action": "approve", "comments": [c.pk for c in comments], "next": "/moderation/"},
        follow=True,
    )

    assert "Approved 3 comments." in response.content.decode()
    assert set(Comment.objects.approved()) == set(comments)
    assert Comment.objects.get(pk=untouched.pk).status == Comment.Status.PENDING
    assert ModerationEvent.objects.filter(to_status="approved", actor__username="mona").count() == 3


def test_bulk_reject_with_a_reason_and_note(moderator_client, article):
    comments = [make_comment(article, f"Spam {n}") for n in range(2)]

    moderator_client.post(
        reverse("moderation:bulk"),
        {
            "action": "reject",
            "comments": [c.pk for c in comments],
            "reason": "promotion",
            "note": "same campaign",
        },
    )

    for comment in comments:
        comment.refresh_from_db()
        assert comment.rejection_reason == "promotion"
        assert events_of(comment) == [("mona", "pending", "rejected", "promotion", "same campaign")]


def test_bulk_reject_without_a_reason_is_refused(moderator_client, article):
    comment = make_comment(article)

    response = moderator_client.post(
        reverse("moderation:bulk"), {"action": "reject", "comments": [comment.pk]}, follow=True
    )

    assert "A rejection needs a reason" in response.content.decode()
    assert Comment.objects.get().status == Comment.Status.PENDING


def ticked_on(response) -> list[str]:
    page = lxml_html.fromstring(response.content.decode())
    return page.xpath("//input[@type='checkbox'][@name='comments'][@checked]/@value")


def test_a_refused_bulk_rejection_shows_the_queue_again_with_the_same_comments_ticked(
    moderator_client, article
):
    ticked = [make_comment(article, f"Spam {n}") for n in range(2)]
    make_comment(article, "Not ticked")

    response = moderator_client.post(
        reverse("moderation:bulk"),
        {
            "action": "reject",
            "comments": [c.pk for c in ticked],
            "note": "same campaign",
            "next": "/moderation/?order=score",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "A rejection needs a reason from the comment policy." in html
    assert sorted(ticked_on(response)) == sorted(str(c.pk) for c in ticked)
    assert len(response.context["comments"]) == 3  # the page it came from, all still pending
    page = lxml_html.fromstring(html)
    assert page.xpath("//form[@id='bulk-form']//input[@name='note']/@value") == ["same campaign"]
    # The page's decisions still return to the queue page it came from.
    assert set(page.xpath("//input[@name='next']/@value")) == {"/moderation/?order=score"}
    assert response.context["filters"].value("order") == "score"
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 3
    # Its tabs and page links lead to the queue, not to the bulk decision's address (which
    # takes only POST), and keep the filters of the page it came from.
    links = page.xpath("//ul[@class='queue-tabs']//a/@href | //a[text()='Clear']/@href")
    assert links
    assert all(link.startswith("/moderation/?") for link in links), links


def test_a_refused_bulk_decision_pages_through_the_queue_it_came_from(
    moderator_client, article, settings
):
    settings.COMMENTS_PER_QUEUE_PAGE = 2
    comments = [make_comment(article, f"Spam {n}") for n in range(3)]

    response = moderator_client.post(
        reverse("moderation:bulk"),
        {"action": "reject", "comments": [comments[0].pk], "next": "/moderation/?order=score"},
    )

    page = lxml_html.fromstring(response.content.decode())
    assert page.xpath("//a[@rel='next']/@href") == ["/moderation/?order=score&page=2"]


def test_a_bulk_decision_refused_for_want_of_ticks_ticks_nothing(moderator_client, article):
    make_comment(article)

    response = moderator_client.post(
        reverse("moderation:bulk"), {"action": "reject", "reason": "off_topic"}
    )

    assert response.status_code == 400
    assert ticked_on(response) == []
    page = lxml_html.fromstring(response.content.decode())
    assert page.xpath("//form[@id='bulk-form']//option[@selected]/@value") == ["off_topic"]


def test_bulk_with_nothing_ticked_says_so(moderator_client):
    response = moderator_client.post(reverse("moderation:bulk"), {"action": "approve"}, follow=True)

    assert "Select at least one comment." in response.content.decode()


def test_bulk_skips_comments_already_in_that_state(moderator, moderator_client, article):
    done = make_comment(article, "Already approved")
    approve_comment(done, moderator=moderator)
    fresh = make_comment(article, "New")

    response = moderator_client.post(
        reverse("moderation:bulk"),
        {"action": "approve", "comments": [done.pk, fresh.pk]},
        follow=True,
    )

    assert "Approved 1 comment. 1 already had that status." in response.content.decode()
    assert done.events.count() == 1


def test_bulk_service_records_one_event_per_comment(moderator, article):
    comments = [make_comment(article, f"Point {n}") for n in range(4)]

    events = approve_comments([c.pk for c in comments], moderator=moderator)

    assert [event.comment_id for event in events] == sorted(c.pk for c in comments)
