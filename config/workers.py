"""What a web worker readies before it accepts its first request, under WSGI (config.wsgi,
gunicorn's workers) or ASGI (config.asgi) alike."""

import logging

from django.template.loader import get_template
from django.urls import reverse

from moderation.screening import load_toxicity_model
from search.backends import get_backend
from search.backends.base import SearchBackendError

logger = logging.getLogger(__name__)


def ready_for_requests() -> None:
    """Load now what the first requests would otherwise wait for. Django imports the
    URLconf, and with it every view and what the views import, at the first request,
    compiles every route's pattern at the first link it writes, and a template at its first
    use: a third of a second (the API's schema tools alone 0.19 s) that the first search
    after each worker's start waited for; the embedded search backends read their index's
    facet and date arrays at their first search (Whoosh at 100,000 articles, 0.7 s); and
    web processes screen comments with a model loaded once."""
    reverse("search:results")
    get_template("search/results.html")
    try:
        get_backend().warm_up()
    except SearchBackendError as error:  # no index yet: the pages say so; the worker serves on
        logger.warning("Search not warmed up: %s", error)
    load_toxicity_model()
