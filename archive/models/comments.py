from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a recorded moderation event."""


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


class Comment(models.Model):
    """A reader's comment. Held until a moderator approves it; never edited."""

    Status = CommentStatus
    Reason = RejectionReason

    article = models.ForeignKey(
        "archive.Article", on_delete=models.PROTECT, related_name="comments"
    )
    author_name = models.CharField(max_length=80)
    author_email = models.EmailField(help_text="Never shown to the public.")
    body = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    rejection_reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    screening_flags = models.JSONField(default=list, blank=True)
    screening_score = models.FloatField(default=0.0)
    submitted_at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash of the address; never the address."
    )

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="comment_queue_order")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status=CommentStatus.REJECTED) & ~models.Q(rejection_reason=""))
                | (~models.Q(status=CommentStatus.REJECTED) & models.Q(rejection_reason="")),
                name="rejection_reason_iff_rejected",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.article_id}: {self.body[:40]}"


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

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        who = self.actor or "system"
        return f"{who}: {self.from_status} → {self.to_status} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Moderation events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Moderation events are append-only.")
