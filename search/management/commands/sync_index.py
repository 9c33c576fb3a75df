import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.arguments import positive_seconds
from search.backends import BACKENDS
from search.backends.base import SearchBackendError
from search.sync import apply_outbox, forget_follower, stop_following


class Command(BaseCommand):
    help = (
        "Apply pending index changes from the outbox; --watch keeps doing so (a worker). "
        "After switching SEARCH_BACKEND to a backend built with rebuild_index --backend, "
        "this also stops queueing changes for it separately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", action="store_true", help="Run until stopped.")
        parser.add_argument(
            "--interval", type=positive_seconds, default=2.0, help="Seconds between runs."
        )
        parser.add_argument(
            "--forget",
            metavar="BACKEND",
            help="Give up a switch: stop queueing changes for a backend built beside the "
            "configured one, and drop its queue.",
        )

    def handle(self, *args, watch: bool, interval: float, forget: str | None, **options) -> None:
        if forget:
            if forget not in BACKENDS:
                raise CommandError(
                    f"{forget!r} is not a search backend: one of {', '.join(sorted(BACKENDS))}."
                )
            dropped = forget_follower(forget)
            self.stdout.write(f"Dropped {forget}'s queue of {dropped} changes.")
            return
        while True:
            try:
                applied = apply_outbox()
            except SearchBackendError as error:
                if not watch:
                    raise CommandError(f"Index unavailable, changes kept: {error}") from error
                self.stderr.write(f"Index unavailable, changes kept: {error}")
                applied = 0
            else:
                # The site runs this backend now: what was queued for it is applied.
                stop_following(settings.SEARCH_BACKEND)
            if applied or not watch:
                self.stdout.write(f"Applied {applied} changes.")
            if not watch:
                return
            time.sleep(interval)
