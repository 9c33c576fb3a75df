"""WSGI entry point; production settings unless DJANGO_SETTINGS_MODULE says otherwise.

A worker imports this before it accepts a request: what every request needs is loaded here,
not in some reader's first request (config.workers)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

from config.workers import ready_for_requests  # noqa: E402  (needs the settings set up)

ready_for_requests()
