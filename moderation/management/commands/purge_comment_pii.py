from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction
from django.utils import timezone

from archive.models import Comment
from config.arguments import days


class Command(BaseCommand):
    help = (
        "Blank the e-mail address and IP hash of comments submitted more than DAYS ago. "
        "Names, bodies, statuses and the moderation trail are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=days, required=True, metavar="DAYS")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be blanked; change nothing."
        )

    def handle(self, *args, older_than: int, dry_run: bool, **options) -> None:
        cutoff = timezone.now() - timedelta(days=older_than)
        old = Comment.objects.submitted_before(cutoff).exclude(author_email="", ip_hash="")
        if dry_run:
            self.stdout.write(f"{old.count()} comments before {cutoff:%Y-%m-%d} would be purged.")
            return
        with transaction.atomic():
            # The one permitted change to what a reader submitted (see archive.models.comments):
            # blanking the e-mail for privacy. CommentQuerySet.update refuses author_email,
            # so this calls the plain QuerySet.update on purpose, here and nowhere else.
            purged = models.QuerySet.update(old, author_email="", ip_hash="")
        self.stdout.write(
            f"Blanked the e-mail and IP hash of {purged} comments submitted before "
            f"{cutoff:%Y-%m-%d %H:%M} UTC."
        )
