import html

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.html import strip_tags

from config.arguments import positive_int
from search import service
from search.backends.base import SearchBackendError, Sort


class Command(BaseCommand):
    help = 'Search the archive from the shell, e.g. manage.py search "deir ez-zor -russia".'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="The query, in the portal's query language.")
        parser.add_argument("--limit", type=positive_int, default=10)
        parser.add_argument("--sort", choices=[s.value for s in Sort], default=Sort.RELEVANCE)

    def handle(self, *args, query: str, limit: int, sort: str, **options) -> None:
        request = service.build_request(query, sort=sort, page_size=limit, facets=False)
        try:
            page = service.search(request)
        except SearchBackendError as error:
            raise CommandError(str(error)) from error
        total = page.results.total
        self.stdout.write(f"{total} match{'es' if total != 1 else ''}")
        for rank, (hit, article) in enumerate(page.hits, start=1):
            self.stdout.write(
                f"{rank:>3}. [{hit.score:.2f}] {article.title} "
                f"({article.outlet.name}, {article.published_at:%Y-%m-%d})  "
                f"{article.get_absolute_url()}"
            )
            snippet = html.unescape(strip_tags(hit.snippet_html))
            self.stdout.write(f"     {' '.join(snippet.split())}")
        if page.results.suggestion:
            self.stdout.write(f"Did you mean: {page.results.suggestion}")
