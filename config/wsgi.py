"""WSGI entry point; production settings unless DJANGO_SETTINGS_MODULE says otherwise."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# Web processes screen comments: load the toxicity model before the first request.
from moderation.screening import load_toxicity_model  # noqa: E402

load_toxicity_model()
