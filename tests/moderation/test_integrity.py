"""A comment's words never change, by any path; the moderation trail is append-only."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from archive.models import Comment, ModerationEvent
from archive.models.comments import (
    AppendOnlyError,
    ImmutableCommentError,
    StatusChangeOutsideModerationError,
)
from moderation.services import approve_comment, reject_comment

from .conftest import PASSWORD, make_comment

pytestmark = pytest.mark.django_db

ORIGINAL = {"author_name": "Ann Reader", "author_email": "ann@example.com", "body": "My words."}


@pytest.fixture
def comment(article):
    return make_comment(article, **ORIGINAL)


def assert_untouched(comment):
    stored = Comment.objects.values(*ORIGINAL).get(pk=comment.pk)
    assert stored == ORIGINAL


@pytest.fixture
def admin_client(client):
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    client.force_login(boss)
    return client


@pytest.mark.parametrize(
    ("field", "value"),
    [("author_name", "Someone Else"), ("author_email", "x@example.com"), ("body", "New words.")],
)
def test_saving_a_changed_comment_is_refused(comment, field, value):
    setattr(comment, field, value)

    with pytest.raises(ImmutableCommentError, match=field):
        comment.save()
    with pytest.raises(ImmutableCommentError):
        comment.save(update_fields=[field])
    assert_untouched(comment)


def test_a_new_instance_with_an_existing_id_cannot_overwrite_it(comment):
    impostor = Comment(pk=comment.pk, article=comment.article, **{**ORIGINAL, "body": "Forged."})

    with pytest.raises(ImmutableCommentError):
        impostor.save()
    assert_untouched(comment)


def test_update_or_create_cannot_change_the_words(comment):
    with pytest.raises(ImmutableCommentError):
        Comment.objects.update_or_create(pk=comment.pk, defaults={"body": "Rewritten."})
    assert_untouched(comment)


@pytest.mark.parametrize("field", ["author_name", "author_email", "body"])
def test_a_queryset_update_of_the_words_is_refused(comment, field):
    with pytest.raises(ImmutableCommentError):
        Comment.objects.filter(pk=comment.pk).update(**{field: "changed@example.com"})
    assert_untouched(comment)


def test_django_internal_and_related_managers_are_guarded_too(comment):
    with pytest.raises(ImmutableCommentError):
        Comment._base_manager.filter(pk=comment.pk).update(body="Through the base manager.")
    with pytest.raises(ImmutableCommentError):
        comment.article.comments.update(author_name="Through the article.")
    with pytest.raises(AppendOnlyError):
        ModerationEvent._base_manager.update(note="x")
    assert_untouched(comment)


def test_bulk_update_of_the_words_is_refused(comment):
    comment.body = "Bulk rewritten."

    # bulk_update runs in an atomic block of its own: keep the test's transaction usable.
    with pytest.raises(ImmutableCommentError), transaction.atomic():
        Comment.objects.bulk_update([comment], ["body"])
    assert_untouched(comment)


def test_an_upsert_cannot_overwrite_the_words(comment):
    with pytest.raises(ImmutableCommentError):
        Comment.objects.bulk_create(
            [Comment(pk=comment.pk, article=comment.article, **{**ORIGINAL, "body": "Upserted."})],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["body"],
        )
    assert_untouched(comment)


def test_a_status_change_by_queryset_update_is_refused_because_it_records_no_event(comment):
    with pytest.raises(StatusChangeOutsideModerationError):
        Comment.objects.filter(pk=comment.pk).update(status="approved")
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_other_fields_may_still_change(comment):
    Comment.objects.filter(pk=comment.pk).update(screening_score=0.5)
    comment.refresh_from_db()
    comment.screening_flags = ["link"]
    comment.save()

    assert Comment.objects.get(pk=comment.pk).screening_flags == ["link"]


def test_the_admin_shows_a_comment_read_only(admin_client, comment):
    url = reverse("admin:archive_comment_change", args=[comment.pk])

    html = admin_client.get(url).content.decode()

    assert "My words." in html
    assert 'name="body"' not in html
    assert 'name="author_name"' not in html
    assert 'name="author_email"' not in html


def test_posting_a_changed_comment_to_the_admin_is_refused(admin_client, comment):
    url = reverse("admin:archive_comment_change", args=[comment.pk])

    response = admin_client.post(
        url,
        {
            **ORIGINAL,
            "body": "Edited by an admin.",
            "article": comment.article_id,
            "status": "approved",
            "screening_score": 0,
            "submitted_at_0": "2020-01-01",
            "submitted_at_1": "00:00:00",
        },
    )

    assert response.status_code == 403
    assert_untouched(comment)
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_the_admin_cannot_add_or_delete_comments(admin_client, comment):
    assert admin_client.get(reverse("admin:archive_comment_add")).status_code == 403
    delete = reverse("admin:archive_comment_delete", args=[comment.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_admin_actions_change_status_through_the_services_with_events(admin_client, article):
    first, second = make_comment(article, "One"), make_comment(article, "Two")
    changelist = reverse("admin:archive_comment_changelist")

    admin_client.post(changelist, {"action": "approve", "_selected_action": [first.pk], "index": 0})
    admin_client.post(
        changelist, {"action": "reject_as_off_topic", "_selected_action": [second.pk], "index": 0}
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "approved"
    assert (second.status, second.rejection_reason) == ("rejected", "off_topic")
    assert list(ModerationEvent.objects.values_list("actor__username", "to_status", "reason")) == [
        ("boss", "approved", ""),
        ("boss", "rejected", "off_topic"),
    ]


def test_admin_actions_need_the_moderate_permission(client, article):
    staff = get_user_model().objects.create_user("sam", "sam@example.com", PASSWORD, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(staff)
    comment = make_comment(article)

    page = client.get(reverse("admin:archive_comment_changelist")).content.decode()
    client.post(
        reverse("admin:archive_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk], "index": 0},
    )

    assert "Approve selected comments" not in page
    assert Comment.objects.get(pk=comment.pk).status == "pending"


def test_moderation_events_refuse_queryset_update_and_delete(moderator, comment):
    approve_comment(comment, moderator=moderator)

    with pytest.raises(AppendOnlyError):
        ModerationEvent.objects.update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        ModerationEvent.objects.filter(comment=comment).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        ModerationEvent.objects.bulk_update(list(ModerationEvent.objects.all()), ["note"])
    event = ModerationEvent.objects.get()
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert ModerationEvent.objects.get().note == ""


def test_the_admin_shows_moderation_events_read_only(admin_client, moderator, comment):
    reject_comment(comment, moderator=moderator, reason="off_topic")
    event = ModerationEvent.objects.get()

    assert admin_client.get(reverse("admin:archive_moderationevent_add")).status_code == 403
    change = reverse("admin:archive_moderationevent_change", args=[event.pk])
    assert 'name="note"' not in admin_client.get(change).content.decode()
    assert admin_client.post(change, {"note": "x"}).status_code == 403
    delete = reverse("admin:archive_moderationevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ModerationEvent.objects.get().note == ""


def test_purge_blanks_old_emails_and_ip_hashes_and_keeps_the_rest(moderator, article):
    old = make_comment(article, "Old words", author_email="old@example.com", ip_hash="a" * 64)
    reject_comment(old, moderator=moderator, reason="off_topic")
    recent = make_comment(article, "New words", author_email="new@example.com", ip_hash="b" * 64)
    Comment.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=400))
    out = StringIO()

    call_command("purge_comment_pii", "--older-than", "365", stdout=out)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.author_email, old.ip_hash) == ("", "")
    assert (old.author_name, old.body, old.status, old.rejection_reason) == (
        "Ann Reader",
        "Old words",
        "rejected",
        "off_topic",
    )
    assert old.events.count() == 1
    assert (recent.author_email, recent.ip_hash) == ("new@example.com", "b" * 64)
    assert "Blanked the e-mail and IP hash of 1 comments" in out.getvalue()


def test_purge_dry_run_changes_nothing(article):
    comment = make_comment(article, author_email="old@example.com")
    Comment.objects.filter(pk=comment.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    out = StringIO()

    call_command("purge_comment_pii", "--older-than", "30", "--dry-run", stdout=out)

    assert "1 comments" in out.getvalue()
    assert Comment.objects.get().author_email == "old@example.com"


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_purge_needs_a_positive_number_of_days(days):
    with pytest.raises(CommandError):
        call_command("purge_comment_pii", "--older-than", days)
