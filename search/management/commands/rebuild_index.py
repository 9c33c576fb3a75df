import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.backends import get_backend, load_backend
from search.backends.base import SearchBackendError
from search.documents import indexable_articles, iter_all_documents
from search.progress import progress
from search.sync import apply_outbox


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database, in batches. The current index keeps "
        "serving until the new one is complete; changes made meanwhile are applied after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--backend", help="Build this backend's index instead of the configured one."
        )
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Only when the index is missing or its size differs from the database's.",
        )

    def handle(
        self, *args, batch_size: int, backend: str | None, if_stale: bool, **options
    ) -> None:
        search_backend = load_backend(backend) if backend else get_backend()
        total = indexable_articles().count()
        if if_stale and self._index_size(search_backend) == total:
            self.stdout.write(f"The {search_backend.name} index is up to date ({total} articles).")
            return

        def batches_with_progress(bar):
            for batch in iter_all_documents(batch_size=batch_size):
                yield batch
                bar.update(len(batch))

        try:
            with progress(total, stream=sys.stderr) as bar:
                written = search_backend.rebuild(batches_with_progress(bar))
            pending = apply_outbox(search_backend)
        except SearchBackendError as error:
            raise CommandError(f"Rebuild failed: {error}") from error
        self.stdout.write(
            f"Indexed {written} articles with {search_backend.name}; "
            f"applied {pending} changes made meanwhile."
        )

    @staticmethod
    def _index_size(backend) -> int | None:
        try:
            return backend.count()
        except SearchBackendError:
            return None
