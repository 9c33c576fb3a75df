from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.ingest.errors import IngestError
from archive.ingest.pipeline import ingest_paths
from search import sync as search_sync


class Command(BaseCommand):
    help = "Ingest saved news pages (files or directories) into the archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="Files or directories to ingest.")

    def handle(self, *args, paths: list[str], **options) -> None:
        def report_error(error: IngestError) -> None:
            self.stderr.write(str(error))

        # One index write for the whole run, not one per article.
        with search_sync.deferred():
            report = ingest_paths(paths, on_error=report_error)
        self.stdout.write(
            f"{report.created} new, {report.duplicates} already in the archive, "
            f"{report.rejected} rejected."
        )
        if report.rejected:
            raise CommandError(f"{report.rejected} file(s) rejected; see the lines above.")
