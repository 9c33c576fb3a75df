import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.arguments import positive_int
from search.backends import get_backend, load_backend
from search.backends.base import SearchBackend, SearchBackendError
from search.documents import indexable_articles, iter_all_documents
from search.progress import progress
from search.sync import apply_outbox, catch_up, follow, is_following, stop_following


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database, in batches. The current index keeps "
        "serving until the new one is complete; changes made meanwhile are applied after. "
        "With --backend naming another backend than the configured one, that backend's index "
        "is built beside the serving one and kept current until the site switches to it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=positive_int, default=500)
        parser.add_argument(
            "--backend", help="Build this backend's index instead of the configured one."
        )
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Only when the index is missing, its size differs from the database's, or "
            "it was built with an older analysis of the text.",
        )

    def handle(
        self, *args, batch_size: int, backend: str | None, if_stale: bool, **options
    ) -> None:
        configured = get_backend()
        try:
            target = load_backend(backend) if backend and backend != configured.name else configured
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        beside = target is not configured
        # Beside the serving backend, an index is up to date only if it has been kept so.
        current = not beside or is_following(target.name)
        total = indexable_articles().count()
        if (
            if_stale
            and current
            and self._index_size(target) == total
            and self._analysed_as_now(target)
        ):
            self.stdout.write(f"The {target.name} index is up to date ({total} articles).")
            return

        def batches_with_progress(bar):
            for batch in iter_all_documents(batch_size=batch_size):
                yield batch
                bar.update(len(batch))

        if beside:
            # Before the first article is read: from here on, the changes the serving
            # backend applies are queued for the target too (search.sync.follow).
            follow(target.name)
        try:
            with progress(total, stream=sys.stderr) as bar:
                written = target.rebuild(batches_with_progress(bar))
            # Beside the serving backend, its outbox rows are not ours to consume.
            pending = catch_up(target) if beside else apply_outbox(target)
        except SearchBackendError as error:
            raise CommandError(f"Rebuild failed: {error}") from error
        if not beside:
            stop_following(target.name)
        self.stdout.write(
            f"Indexed {written} articles with {target.name}; "
            f"applied {pending} changes made meanwhile."
        )
        if beside:
            self.stdout.write(self._switch_instructions(target, configured))

    @staticmethod
    def _analysed_as_now(backend: SearchBackend) -> bool:
        try:
            return backend.analysis_is_current()
        except SearchBackendError:
            return False  # an index that cannot be read is no reason to keep it

    @staticmethod
    def _switch_instructions(target: SearchBackend, configured: SearchBackend) -> str:
        return (
            f"{configured.name} keeps serving; {target.name} now gets every change it "
            f"applies. To switch: set SEARCH_BACKEND={target.name}, restart, then run "
            f"`manage.py sync_index` once."
        )

    @staticmethod
    def _index_size(backend) -> int | None:
        try:
            return backend.count()
        except SearchBackendError:
            return None
