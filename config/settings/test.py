"""Settings for the test suite: base, with a key of its own and fast password hashing."""

import os

# Tests run with DEBUG off, as production does, so base needs a key; this one is test-only.
os.environ.setdefault("SECRET_KEY", "dateline-tests-only-key-not-secret")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
