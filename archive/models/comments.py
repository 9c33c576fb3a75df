"""Reader comments and their audit trail.

A comment's words (name, email, body) are fixed at submission: ``Comment.save`` and
``CommentQuerySet.update`` refuse to change them. Its status changes only through
``moderation.services``, which writes a ``ModerationEvent`` for every change. The one
permitted change to the words is ``manage.py purge_comment_pii`` blanking old emails.
"""

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a recorded moderation event."""


class ImmutableCommentError(Exception):
    """Raised on any attempt to change what a reader wrote (name, email or body)."""

    def __init__(self, fields):
        self.fields = sorted(fields)
        super().__init__(f"A comment's {', '.join(self.fields)} can never be edited.")


class StatusChangeOutsideModerationError(Exception):
    """Raised when a bulk update tries to change a status without recording events."""


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class RejectionReason(models.TextChoices):
    """The publisher's policy: the only reasons a comment may be rejected for."""

    PROFANITY = "profanity", "Profanity"
    THREATS = "threats", "Threats"
    PERSONAL_ATTACK = "personal_attack", "Personal attack"
    VULGARITY = "vulgarity", "Vulgarity"
    ABUSE = "abuse", "Abuse (sexism, racism, homophobia, xenophobia)"
    PROMOTION = "promotion", "Commercial or personal promotion"
    OFF_TOPIC = "off_topic", "Off-topic"


# What the reader wrote: fixed once submitted.
SUBMITTED_FIELDS = frozenset({"author_name", "author_email", "body"})
# Changed only by moderation.services, which records a ModerationEvent for each change.
MODERATED_FIELDS = frozenset({"status", "rejection_reason"})


class CommentQuerySet(models.QuerySet):
    def pending(self) -> "CommentQuerySet":
        return self.filter(status=CommentStatus.PENDING)

    def approved(self) -> "CommentQuerySet":
        return self.filter(status=CommentStatus.APPROVED)

    def rejected(self) -> "CommentQuerySet":
        return self.filter(status=CommentStatus.REJECTED)

    def shown_on(self, article) -> "CommentQuerySet":
        """What readers see under an article: approved comments, oldest first."""
        return self.approved().filter(article=article).order_by("submitted_at", "id")

    def for_queue(self, order: str = "oldest") -> "CommentQuerySet":
        """Comments as the moderation queue lists them: oldest first, or most suspect first."""
        ordering = ["submitted_at", "id"]
        if order == "score":
            ordering = ["-screening_score", *ordering]
        return self.select_related("article", "article__outlet").order_by(*ordering)

    def flagged(self, flag: str) -> "CommentQuerySet":
        # Flags are short fixed tokens stored as a JSON list. A quoted-token match works on
        # SQLite and PostgreSQL alike (SQLite has no JSON "contains" lookup).
        return self.filter(screening_flags__icontains=f'"{flag}"')

    def from_email(self, email: str) -> "CommentQuerySet":
        return self.filter(author_email=email) if email else self.none()

    def from_ip_hash(self, ip_hash: str) -> "CommentQuerySet":
        return self.filter(ip_hash=ip_hash) if ip_hash else self.none()

    def submitted_since(self, moment) -> "CommentQuerySet":
        return self.filter(submitted_at__gte=moment)

    def submitted_before(self, moment) -> "CommentQuerySet":
        return self.filter(submitted_at__lt=moment)

    def counts_by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(CommentStatus.values, 0)
        rows = self.order_by().values_list("status").annotate(n=Count("id"))
        counts.update(dict(rows))
        return counts

    def update(self, **kwargs) -> int:
        """Refuse bulk changes that would bypass the comment's integrity rules."""
        if touched := SUBMITTED_FIELDS & kwargs.keys():
            raise ImmutableCommentError(touched)
        if touched := MODERATED_FIELDS & kwargs.keys():
            raise StatusChangeOutsideModerationError(
                f"Change {', '.join(sorted(touched))} through moderation.services, "
                "which records a moderation event for each comment."
            )
        return super().update(**kwargs)

    update.alters_data = True

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, **kwargs):
        # An upsert ("update_conflicts") would overwrite an existing comment's words.
        if kwargs.get("update_conflicts"):
            update_fields = set(kwargs.get("update_fields") or ())
            if touched := SUBMITTED_FIELDS & update_fields:
                raise ImmutableCommentError(touched)
            if MODERATED_FIELDS & update_fields:
                raise StatusChangeOutsideModerationError("Change statuses through services.")
        return super().bulk_create(objs, batch_size, ignore_conflicts, **kwargs)

    bulk_create.alters_data = True


class Comment(models.Model):
    """A reader's comment. Held until a moderator approves it; never edited."""

    Status = CommentStatus
    Reason = RejectionReason

    article = models.ForeignKey(
        "archive.Article", on_delete=models.PROTECT, related_name="comments"
    )
    author_name = models.CharField(max_length=80)
    author_email = models.EmailField(
        help_text="Never shown to the public. Blanked by purge_comment_pii after a while."
    )
    body = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    rejection_reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    screening_flags = models.JSONField(default=list, blank=True)
    screening_score = models.FloatField(default=0.0)
    flagged_spans = models.JSONField(
        default=list,
        blank=True,
        help_text="[start, end) character ranges of the body that screening flagged.",
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash of the address; never the address."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="comment_queue_order"),
            models.Index(fields=["ip_hash", "submitted_at"], name="comment_by_ip_recent"),
            models.Index(fields=["author_email", "submitted_at"], name="comment_by_email_recent"),
            models.Index(fields=["article", "status", "submitted_at"], name="comment_on_article"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status=CommentStatus.REJECTED) & ~models.Q(rejection_reason=""))
                | (~models.Q(status=CommentStatus.REJECTED) & models.Q(rejection_reason="")),
                name="rejection_reason_iff_rejected",
            ),
        ]
        permissions = [("moderate_comment", "Can approve and reject comments")]
        # Django's internal paths (related objects, Model.save) use the guarded QuerySet too.
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.author_name} on {self.article_id}: {self.body[:40]}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            self._refuse_changes_to_submitted_fields(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def _refuse_changes_to_submitted_fields(self, update_fields) -> None:
        # Compare with the database, not with what this instance loaded: a Comment built
        # with an existing pk (or loaded with .only()) must not overwrite the stored words.
        fields = (
            SUBMITTED_FIELDS if update_fields is None else SUBMITTED_FIELDS & set(update_fields)
        )
        if not fields:
            return
        stored = type(self)._base_manager.filter(pk=self.pk).values(*fields).first()
        if stored is None:
            return  # no such row: this save inserts
        if changed := {name for name in fields if stored[name] != getattr(self, name)}:
            raise ImmutableCommentError(changed)


class ModerationEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Moderation events are append-only.")

    update.alters_data = True

    def delete(self):
        raise AppendOnlyError("Moderation events are append-only.")

    delete.alters_data = True
    delete.queryset_only = True


class ModerationEvent(models.Model):
    """Who changed which comment's status, when and why. Append-only: never updated or deleted."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Empty when the system decided.",
    )
    from_status = models.CharField(max_length=10, choices=CommentStatus.choices)
    to_status = models.CharField(max_length=10, choices=CommentStatus.choices)
    reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ModerationEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        base_manager_name = "objects"

    def __str__(self) -> str:
        who = self.actor or "system"
        return f"{who}: {self.from_status} → {self.to_status} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Moderation events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Moderation events are append-only.")
