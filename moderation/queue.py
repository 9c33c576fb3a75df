"""What the moderation queue shows: filtered comments, counts, and each commenter's history."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from archive.models import Comment, ModerationEvent
from moderation.forms import QueueFilterForm

RECENT_COMMENTS_SHOWN = 3


@dataclass
class CommenterHistory:
    """What else the person behind an e-mail address has written, and how it went."""

    approved: int = 0
    rejected: int = 0
    pending: int = 0
    recent: list[Comment] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.approved + self.rejected + self.pending


class ModerationQueue:
    def __init__(self, filters: QueueFilterForm):
        self.filters = filters

    def comments(self):
        ordered = Comment.objects.for_queue(order=self.filters.value("order") or "oldest")
        return _with_events(self.filters.filter(ordered))

    @staticmethod
    def item(pk: int) -> Comment:
        """One comment as the queue shows it, whatever its status."""
        return _with_events(Comment.objects.for_queue()).get(pk=pk)

    @staticmethod
    def counts() -> dict[str, int]:
        counts = Comment.objects.counts_by_status()
        counts[QueueFilterForm.STATUS_ALL] = sum(counts.values())
        return counts


def _with_events(comments):
    return comments.prefetch_related(
        Prefetch("events", queryset=ModerationEvent.objects.select_related("actor"))
    )


def attach_histories(comments: Sequence[Comment]) -> None:
    """Set ``comment.history`` on each comment, in two queries for the whole page."""
    emails = {comment.author_email for comment in comments if comment.author_email}
    histories: dict[str, CommenterHistory] = defaultdict(CommenterHistory)
    counts = (
        Comment.objects.filter(author_email__in=emails)
        .order_by()
        .values_list("author_email", "status")
        .annotate(n=Count("id"))
    )
    for email, status, n in counts:
        setattr(histories[email], status, n)
    # The latest few of each commenter; bounded, so a prolific commenter cannot slow the page.
    recent = (
        Comment.objects.filter(author_email__in=emails)
        .select_related("article")
        .order_by("-submitted_at", "-id")[: len(emails) * (RECENT_COMMENTS_SHOWN + 1) * 4]
    )
    for other in recent:
        if len(histories[other.author_email].recent) < RECENT_COMMENTS_SHOWN + 1:
            histories[other.author_email].recent.append(other)
    for comment in comments:
        history = histories[comment.author_email] if comment.author_email else CommenterHistory()
        comment.history = CommenterHistory(
            approved=history.approved,
            rejected=history.rejected,
            pending=history.pending,
            recent=[c for c in history.recent if c.pk != comment.pk][:RECENT_COMMENTS_SHOWN],
        )
