"""Settings for the test suite: base, with a key of its own and fast password hashing."""

import os

# Tests run with DEBUG off, as production does, so base needs a key; this one is test-only.
os.environ.setdefault("SECRET_KEY", "dateline-tests-only-key-not-secret")

from config.databases import REPLICA_PREFIX

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each search's log row written at once, so that a test reads it after its request; the
# buffer's own tests (tests/curation/test_search_insight.py) set a delay.
SEARCH_LOG_FLUSH_SECONDS = 0.0

# A file, not SQLite's in-memory default, so that tests can start other processes on the
# same test database (the concurrency tests). One per run: parallel runs do not collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# The suite never reads from replicas a developer's environment names: tests/replica starts
# a standby of its own and points an alias at it.
for _alias in [alias for alias in DATABASES if alias.startswith(REPLICA_PREFIX)]:  # noqa: F405
    del DATABASES[_alias]  # noqa: F405
