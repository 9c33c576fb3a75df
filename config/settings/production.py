"""Production settings: everything in base, hardened. ``manage.py check --deploy`` is clean.

Serve with gunicorn behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips
it from what clients send). Static files are served by WhiteNoise from STATIC_ROOT, filled by
``manage.py collectstatic``.
"""

from .base import *  # noqa: F403
from .base import DEBUG, MIDDLEWARE, env

if DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DEBUG must be off with the production settings.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Origins (scheme and host) a form may be posted from when a proxy renames the host.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Static files from the application server itself (WhiteNoise): compressed copies made once by
# collectstatic, names with a content hash, so they are cached for a year and never stale.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
