"""System checks: a misconfigured search backend stops `runserver`, `migrate` and friends
with a clear message instead of failing on the first search."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
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
