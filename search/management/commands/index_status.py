from django.core.management.base import BaseCommand

from search.backends import get_backend
from search.backends.base import SearchBackendError
from search.documents import indexable_articles
from search.models import IndexFollower, IndexOutbox
from search.sync import pending_count


class Command(BaseCommand):
    help = "Articles in the database, documents in the index, and changes not yet applied."

    def handle(self, *args, **options) -> None:
        backend = get_backend()
        try:
            documents = str(backend.count())
        except SearchBackendError as error:
            documents = f"unavailable ({error})"
        self.stdout.write(f"backend:               {backend.name}")
        self.stdout.write(f"articles to index:     {indexable_articles().count()}")
        self.stdout.write(f"documents in index:    {documents}")
        self.stdout.write(f"pending outbox rows:   {pending_count(backend.name)}")
        for follower in IndexFollower.objects.exclude(backend=backend.name).order_by("backend"):
            waiting = IndexOutbox.objects.filter(backend=follower.backend).count()
            self.stdout.write(f"built beside:          {follower}, {waiting} changes waiting")
