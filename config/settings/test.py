"""Settings for the test suite: base, with a key of its own and fast password hashing."""

import os

# Tests run with DEBUG off, as production does, so base needs a key; this one is test-only.
os.environ.setdefault("SECRET_KEY", "dateline-tests-only-key-not-secret")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not SQLite's in-memory default, so that tests can start other processes on the
# same test database (the concurrency tests). One per run: parallel runs do not collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
