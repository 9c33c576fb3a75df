import sys
import time

from django.core.management.base import BaseCommand, CommandParser

from archive.locate import DEFAULT_BATCH_SIZE, locate_articles, unresolved_datelines
from archive.models import Article
from archive.places import forget_gazetteer
from config.arguments import positive_int
from search.progress import progress


class Command(BaseCommand):
    help = (
        "Resolve articles' datelines and find the places they cover again, in batches "
        "(after load_regions, or after editors added areas). Search is told of each change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unresolved-only",
            action="store_true",
            help="Only articles whose printed dateline has no region yet.",
        )
        parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args, unresolved_only: bool, batch_size: int, **options) -> None:
        started = time.monotonic()
        forget_gazetteer()  # the regions as they are now, not as this process last saw them
        articles = unresolved_datelines() if unresolved_only else Article.objects.all()
        with progress(articles.count(), unit="articles", stream=sys.stderr) as bar:
            report = locate_articles(articles, batch_size=max(1, batch_size), on_batch=bar.update)
        self.stdout.write(f"{report.summary()} ({time.monotonic() - started:.1f}s)")
