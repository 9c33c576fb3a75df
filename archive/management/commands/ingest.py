import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.ingest.errors import IngestError
from archive.ingest.pipeline import DEFAULT_BATCH_SIZE, Ingester
from archive.ingest.sources import estimate_records
from config.arguments import positive_int
from search.checks import SEARCH_CHECKS
from search.progress import progress


class Command(BaseCommand):
    help = (
        "Ingest articles: saved pages, JSON Lines, RSS/Atom feeds, HTML pages and WARC "
        "archives (gzip or not), from files, directories or - for standard input."
    )
    # The checks of what an ingest uses: the models and the search index. Not the others
    # (URLs, templates, the admin): those of serving pages, run by `runserver`, `migrate`
    # and `check`. Importing every view for the URL checks cost a feed's ingest half a
    # second before its first record, with nothing it would catch.
    requires_system_checks = [Tags.models, Tags.database, SEARCH_CHECKS]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Files, directories, or - for stdin.")
        parser.add_argument(
            "--outlet",
            default="",
            help="The outlet of the records, feeds and pages that name none (a JSON Lines "
            "record's outlet, a feed's title or a page's site name comes first; a page that "
            "names no site takes this before its host name).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check everything, save nothing (no rejected log either).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Stop at the first error, saving the good records before it.",
        )
        parser.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="Read and prepare the records in this process (by default a second process "
            "does it while this one saves and indexes, when there are two cores or more).",
        )
        parser.add_argument(
            "--rejected-log",
            type=Path,
            help="Where rejected JSON Lines records go, to fix and ingest again; why each "
            "record was rejected (any format) goes beside it, to <log>.errors "
            "(default: INGEST_REJECTED_DIR/ingest-<time>.jsonl).",
        )

    def handle(self, *args, paths: list[str], **options) -> None:
        # A dry run writes nothing at all, a log of rejected records neither: its report on
        # standard error names each one.
        rejected_log = None
        if not options["dry_run"]:
            rejected_log = options["rejected_log"] or (
                Path(settings.INGEST_REJECTED_DIR)
                / f"ingest-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
            )

        def report_error(error: IngestError) -> None:
            self.stderr.write(str(error))

        with progress(estimate_records(paths), unit="articles", stream=sys.stderr) as bar:
            ingester = Ingester(
                outlet=options["outlet"],
                dry_run=options["dry_run"],
                strict=options["strict"],
                batch_size=max(1, options["batch_size"]),
                on_error=report_error,
                on_saved=bar.update,
                rejected_log=rejected_log,
                reader_process=not options["in_process"] and (os.cpu_count() or 1) > 1,
            )
            report = ingester.run(paths)
        prefix = "Dry run, nothing saved: " if options["dry_run"] else ""
        self.stdout.write(prefix + report.summary())
        if report.rejected:
            where = ""
            if report.rejected_files:
                where = " and " + " and ".join(map(str, report.rejected_files))
            elif options["dry_run"]:
                where = " (a dry run writes no log)"
            raise CommandError(f"{report.rejected} record(s) rejected; see the lines above{where}.")
