"""WSGI entry point; production settings unless DJANGO_SETTINGS_MODULE says otherwise.

A worker imports this before it accepts a request: what every request needs is loaded here,
not in some reader's first request."""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Django imports the URLconf, and with it every view and what the views import, at the
# first request, compiles every route's pattern at the first link it writes, and a template
# at its first use: a third of a second (the API's schema tools alone 0.19 s) that the first
# search after each worker's start waited for; and the embedded search backends read their
# index's facet and date arrays at their first search (Whoosh at 100,000 articles, 0.7 s).
from django.template.loader import get_template  # noqa: E402
from django.urls import reverse  # noqa: E402

from search.backends import get_backend  # noqa: E402
from search.backends.base import SearchBackendError  # noqa: E402

reverse("search:results")
get_template("search/results.html")
try:
    get_backend().warm_up()
except SearchBackendError as error:  # no index yet: the pages say so; the worker serves on
    logging.getLogger(__name__).warning("Search not warmed up: %s", error)

# Web processes screen comments: load the toxicity model before the first request.
from moderation.screening import load_toxicity_model  # noqa: E402

load_toxicity_model()
