"""Pick the search backend named by settings.SEARCH_BACKEND; one instance per process."""

from functools import cache
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from search.backends.base import SearchBackend

BACKENDS = {
    "whoosh": "search.backends.whoosh",
    "postgres": "search.backends.postgres",
    "tantivy": "search.backends.tantivy",
}


def load_backend(name: str, **options) -> SearchBackend:
    """A new backend instance; each backend module exports ``SearchBackend``."""
    try:
        module = import_module(BACKENDS[name])
    except KeyError:
        choices = ", ".join(sorted(BACKENDS))
        raise ImproperlyConfigured(
            f"SEARCH_BACKEND={name!r} is not a search backend; choose one of {choices}."
        ) from None
    return module.SearchBackend(**options)


@cache
def get_backend() -> SearchBackend:
    """The configured backend, kept for the life of the process (its searcher stays warm)."""
    return load_backend(settings.SEARCH_BACKEND)


def reset_backend() -> None:
    """Forget the process's backend (settings changed, as in tests)."""
    get_backend.cache_clear()
