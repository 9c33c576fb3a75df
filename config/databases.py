"""Database aliases built from the environment: the read replicas of the primary.

Kept apart from ``config.routers`` (which routes queries to these aliases) because settings
must not import ``django.db``.
"""

from collections.abc import Iterable

import environ
from django.core.exceptions import ImproperlyConfigured

POSTGRESQL = "django.db.backends.postgresql"
# Replica aliases are "replica_1", "replica_2", ...: the router finds them by this prefix.
REPLICA_PREFIX = "replica_"


def replica_databases(urls: Iterable[str], primary: dict) -> dict[str, dict]:
    """DATABASES entries for PostgreSQL streaming replicas of ``primary``, one per URL.

    A replica names the same database as the primary (a physical replica holds every
    database of its cluster). Under test an alias is a mirror of the primary: Django's test
    runner must neither create nor flush a database on a read-only standby; tests/replica
    points an alias at a real standby once the test database exists.
    """
    urls = [url.strip() for url in urls if url.strip()]
    if urls and primary.get("ENGINE") != POSTGRESQL:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS needs a PostgreSQL primary: DATABASE_URL is not postgres://."
        )
    replicas = {}
    for number, url in enumerate(urls, start=1):
        replica = environ.Env.db_url_config(url)
        if replica.get("ENGINE") != POSTGRESQL:
            # The URL may hold a password: name its position, not its text.
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URLS: replica {number} is not a postgres:// URL."
            )
        replica |= {
            "CONN_MAX_AGE": primary.get("CONN_MAX_AGE", 0),
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"MIRROR": "default"},
        }
        replicas[f"{REPLICA_PREFIX}{number}"] = replica
    return replicas
