"""WSGI entry point; production settings unless DJANGO_SETTINGS_MODULE says otherwise.

A worker imports this before it accepts a request: what every request needs is loaded here,
not in some reader's first request."""

import os
from importlib import import_module

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Django imports the URLconf, and with it every view and what the views import, at the
# first request: a quarter of a second (the API's schema tools alone 0.19 s) that the first
# search after each worker's start waited for; the search backend's module, another 20 ms.
from django.conf import settings  # noqa: E402

from search.backends import get_backend  # noqa: E402

import_module(settings.ROOT_URLCONF)
get_backend()

# Web processes screen comments: load the toxicity model before the first request.
from moderation.screening import load_toxicity_model  # noqa: E402

load_toxicity_model()
