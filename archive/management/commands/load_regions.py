import time

from django.core.management.base import BaseCommand, CommandParser

from archive.gazetteer import load_regions


class Command(BaseCommand):
    help = "Load continents, countries and cities from the bundled gazetteer (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--country",
            action="append",
            dest="countries",
            metavar="CODE",
            help="Only this country (ISO 3166-1 alpha-2) and its cities; repeatable.",
        )

    def handle(self, *args, countries: list[str] | None, **options) -> None:
        started = time.monotonic()
        report = load_regions(countries)
        self.stdout.write(
            f"{report.continents} continents, {report.countries} countries, "
            f"{report.cities} cities, {report.names} names "
            f"in {time.monotonic() - started:.1f}s."
        )
