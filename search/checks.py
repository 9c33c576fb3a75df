"""System checks: a misconfigured search backend stops `runserver`, `migrate` and friends
with a clear message instead of failing on the first search."""

from django.conf import settings
from django.core.checks import Error, Info, Warning, register
from django.core.exceptions import ImproperlyConfigured

# The tag of these checks: commands that run only some checks (the ingest) name it.
SEARCH_CHECKS = "search"


@register(SEARCH_CHECKS)
def search_backend_configured(app_configs, **kwargs) -> list[Error]:
    from search.backends import BACKENDS, load_backend

    if settings.SEARCH_BACKEND not in BACKENDS:
        return [
            Error(
                f"SEARCH_BACKEND={settings.SEARCH_BACKEND!r} is not a search backend.",
                hint=f"Choose one of: {', '.join(sorted(BACKENDS))}.",
                id="search.E001",
            )
        ]
    try:
        load_backend(settings.SEARCH_BACKEND)
    except ImproperlyConfigured as error:
        return [Error(str(error), id="search.E002")]
    return []


@register(SEARCH_CHECKS)
def search_index_analysed_as_now(app_configs, **kwargs) -> list[Warning]:
    """An index built before an upgrade that changed how text is cut into words serves on,
    finding less than it should: say so, where whoever upgrades will read it."""
    from search.backends import BACKENDS, get_backend
    from search.backends.base import SearchBackendError

    if settings.SEARCH_BACKEND not in BACKENDS:
        return []
    try:
        current = get_backend().analysis_is_current()
    except (SearchBackendError, ImproperlyConfigured):
        return []  # search_backend_configured, or the first search, says what is wrong
    if current:
        return []
    return [
        Warning(
            "The search index was built with an older analysis of the text or of "
            "languages: some words, or articles a language filter should find (en-us for "
            "language:en), are not found until it is rebuilt.",
            hint="Run `manage.py rebuild_index` (the current index serves until the new "
            "one is complete).",
            id="search.W001",
        )
    ]


@register(SEARCH_CHECKS)
def whoosh_postings_files_written(app_configs, **kwargs) -> list[Info]:
    """A Whoosh index written before postings files serves on, its big segments' long lists
    decoded on every search (search/backends/whoosh_postings.py): say how to write them."""
    from search.backends import get_backend
    from search.backends.base import SearchBackendError

    if settings.SEARCH_BACKEND != "whoosh":
        return []
    try:
        missing = get_backend().segments_without_postings_files()
    except (SearchBackendError, ImproperlyConfigured):
        return []  # the first search says what is wrong
    if not missing:
        return []
    return [
        Info(
            f"{missing} big segment(s) of the search index have no postings file: searches "
            "decode their common words' lists each time, about twice as slowly.",
            hint="`manage.py rebuild_index` writes them, as does the merge after the next "
            "`manage.py ingest` that indexes articles; an editor's save does not.",
            id="search.I001",
        )
    ]
