"""Every change to a comment goes through these functions.

``check_*`` validate and authorise; the others change state inside a transaction and record
a ModerationEvent for every status change, with the moderator, or with no one when screening
decided. Views, the admin and commands call these and never save a comment themselves.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from archive.models import Article, Comment, ModerationEvent
from archive.models.comments import CommentStatus, RejectionReason
from moderation.roles import MODERATE_PERMISSION
from moderation.screening import Submission, screen


class CommentRefused(Exception):
    """A comment we will not take, with the reason in words the reader can act on."""

    status_code = 400

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class CommentsClosed(CommentRefused):
    status_code = 403


class RateLimited(CommentRefused):
    status_code = 429


class RepeatedComment(CommentRefused):
    pass


class ModerationError(Exception):
    """A moderation decision that the policy does not allow (e.g. a rejection without reason)."""


# Submission


def check_comments_open(article: Article) -> None:
    if not article.is_published:
        raise CommentsClosed("Comments are closed: this article has been withdrawn.")
    if not article.comments_open:
        raise CommentsClosed("Comments are closed on this article.")


def check_rate_limits(*, author_email: str, ip_hash: str, now: datetime | None = None) -> None:
    """Counted in the comments table itself: no cache server, the same on every database."""
    since = (now or timezone.now()) - timedelta(seconds=settings.COMMENT_RATE_WINDOW)
    recent = Comment.objects.submitted_since(since)
    if recent.from_ip_hash(ip_hash).count() >= settings.COMMENT_RATE_LIMIT_PER_IP:
        raise RateLimited(
            "Too many comments from your network in the last few minutes. Please try again later."
        )
    if recent.from_email(author_email).count() >= settings.COMMENT_RATE_LIMIT_PER_EMAIL:
        raise RateLimited(
            "Too many comments from this e-mail address in the last few minutes. "
            "Please try again later."
        )


def check_not_repeated(*, article: Article, author_email: str, ip_hash: str, body: str) -> None:
    same_sender = Q(author_email=author_email)
    if ip_hash:
        same_sender |= Q(ip_hash=ip_hash)
    if Comment.objects.filter(same_sender, article=article, body=body).exists():
        raise RepeatedComment("You have already sent this comment on this article.")


def submit_comment(
    *,
    article: Article,
    author_name: str,
    author_email: str,
    body: str,
    ip_hash: str = "",
    honeypot_filled: bool = False,
) -> Comment:
    """Take a reader's comment: refuse it, or store it pending (or rejected by screening)."""
    author_email = author_email.strip().lower()
    # Screened before the transaction: the toxicity model takes a second or more to load in a
    # fresh worker, and inside the transaction every other writer would wait for it (SQLite
    # has one write lock for the whole database). Screening only reads.
    screening = screen(
        Submission(article, author_name, author_email, body, ip_hash, honeypot_filled)
    )
    with transaction.atomic():
        # Lock the article's row: submissions to one article queue here, so a double click
        # cannot slip two copies past the repeat check.
        article = Article.objects.select_for_update().get(pk=article.pk)
        check_comments_open(article)
        check_rate_limits(author_email=author_email, ip_hash=ip_hash)
        check_not_repeated(article=article, author_email=author_email, ip_hash=ip_hash, body=body)
        comment = Comment.objects.create(
            article=article,
            author_name=author_name,
            author_email=author_email,
            body=body,
            ip_hash=ip_hash,
            screening_flags=screening.flags,
            screening_score=screening.score,
            flagged_spans=screening.spans,
        )
        if screening.rejection:
            _record_status_change(
                comment,
                to_status=CommentStatus.REJECTED,
                actor=None,
                reason=screening.rejection.reason,
                note=screening.rejection.note,
            )
    return comment


# Moderation


def check_can_moderate(user) -> None:
    if not user.has_perm(MODERATE_PERMISSION):
        raise PermissionDenied("Only moderators may approve or reject comments.")


def check_rejection_reason(reason: str) -> RejectionReason:
    if reason not in RejectionReason.values:
        raise ModerationError("A rejection needs a reason from the comment policy.")
    return RejectionReason(reason)


def _record_status_change(
    comment: Comment, *, to_status: str, actor, reason: str = "", note: str = ""
) -> ModerationEvent:
    event = ModerationEvent.objects.create(
        comment=comment,
        actor=actor,
        from_status=comment.status,
        to_status=to_status,
        reason=reason,
        note=note,
    )
    comment.status = to_status
    comment.rejection_reason = reason if to_status == CommentStatus.REJECTED else ""
    comment.save(update_fields=["status", "rejection_reason"])
    return event


def _decide(
    comment_ids: Iterable[int], *, to_status: str, moderator, reason: str = "", note: str = ""
) -> list[ModerationEvent]:
    """Move the comments to ``to_status``, one event each; those already there are left be.

    Approving a rejected comment or rejecting an approved one is a reversal: a new event,
    the earlier ones untouched.
    """
    with transaction.atomic():
        comments = (
            Comment.objects.select_for_update()
            .filter(pk__in=list(comment_ids))
            .exclude(status=to_status)
            .order_by("pk")
        )
        return [
            _record_status_change(
                comment, to_status=to_status, actor=moderator, reason=reason, note=note
            )
            for comment in comments
        ]


def approve_comments(comment_ids: Iterable[int], *, moderator, note: str = ""):
    check_can_moderate(moderator)
    return _decide(comment_ids, to_status=CommentStatus.APPROVED, moderator=moderator, note=note)


def reject_comments(comment_ids: Iterable[int], *, moderator, reason: str, note: str = ""):
    check_can_moderate(moderator)
    reason = check_rejection_reason(reason)
    return _decide(
        comment_ids, to_status=CommentStatus.REJECTED, moderator=moderator, reason=reason, note=note
    )


def approve_comment(comment: Comment, *, moderator, note: str = "") -> ModerationEvent | None:
    """Publish a comment. Returns the event, or None if it was already approved."""
    events = approve_comments([comment.pk], moderator=moderator, note=note)
    comment.refresh_from_db(fields=["status", "rejection_reason"])
    return events[0] if events else None


def reject_comment(
    comment: Comment, *, moderator, reason: str, note: str = ""
) -> ModerationEvent | None:
    """Reject a comment for a policy reason. Returns the event, or None if already rejected."""
    events = reject_comments([comment.pk], moderator=moderator, reason=reason, note=note)
    comment.refresh_from_db(fields=["status", "rejection_reason"])
    return events[0] if events else None
