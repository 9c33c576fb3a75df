"""Which database a query goes to: public reads of the archive to a replica, all else the primary.

With ``DATABASE_REPLICA_URLS`` set (config.databases makes the aliases "replica_1", ...),
``ReplicaReadsMiddleware`` lets a public page (GET, HEAD or OPTIONS, outside the admin and
the moderation queue) read the archive and the search index from one replica, picked at
random per request. Everything else reads and writes the primary: form posts, the admin,
the moderation queue, management commands and workers (``sync_index`` must read what the
outbox says changed, which a lagging replica may not have yet), and anything outside a
request.

Within a public request, reads go back to the primary once it matters that they see the
latest data:

- inside a transaction on the primary (it reads its own uncommitted rows, and a read that
  decides a write must see what the write will change);
- after the request wrote to one of the replicated models (it reads its own writes).

A replica lags the primary by the time it takes to replay the change (milliseconds on a
healthy network): a new article can be missing from a public page for that long.
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

from config.databases import REPLICA_PREFIX

# What public pages may read from a replica: the published archive, the search promotions
# shown with results (and the search index, through read_database()). Never replicated
# reads: comments and moderation events (the queue, and the rate limits that count a
# reader's recent comments), the search outbox and logs, article history, sessions, users,
# permissions, the admin.
REPLICATED_READS = frozenset(
    {
        "archive.article",
        "archive.article_tags",
        "archive.article_regions",
        "archive.outlet",
        "archive.tag",
        "archive.tagredirect",
        "archive.region",
        "archive.regionname",
        "archive.regionredirect",
        "search.searchpromotion",
        "search.searchpromotion_articles",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# URL namespaces whose pages always read the primary: staff see what they just changed.
PRIMARY_NAMESPACES = frozenset({"admin", "moderation"})


@dataclass
class _ReplicaScope:
    replica: str  # one replica for the whole request: its pages agree with each other
    wrote: bool = False


_scope: ContextVar[_ReplicaScope | None] = ContextVar("replica_scope", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def _holds_the_primarys_rows(alias: str | None) -> bool:
    # The primary first: every relation an ingest sets (each new article's outlet) asks,
    # and listing the replicas from the settings was 2% of the ingest's CPU.
    return alias == DEFAULT_DB_ALIAS or alias in replica_aliases()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads in this block that may go to a replica go to one (a no-op without
    replicas). The middleware does this for public pages."""
    replicas = replica_aliases()
    token = _scope.set(_ReplicaScope(random.choice(replicas)) if replicas else None)
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read the primary in this block, whatever the request allows."""
    token = _scope.set(None)
    try:
        yield
    finally:
        _scope.reset(token)


def read_database() -> str:
    """The alias to read the archive or the search index from, here and now."""
    scope = _scope.get()
    if scope is None or scope.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return scope.replica


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS). It names the primary
    explicitly rather than returning None, as None lets Django follow the database an
    instance came from: an article read from a replica would be saved to the replica."""

    def db_for_read(self, model: type[Model], **hints) -> str:
        if model._meta.label_lower in REPLICATED_READS:
            return read_database()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints) -> str:
        scope = _scope.get()
        if scope is not None and model._meta.label_lower in REPLICATED_READS:
            scope.wrote = True  # from now on this request reads its own writes
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool | None:
        # A replica holds the primary's rows: an article read from one is the same article.
        if _holds_the_primarys_rows(obj1._state.db) and _holds_the_primarys_rows(obj2._state.db):
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        # A standby replays the primary's migrations; it accepts none of its own.
        return False if db.startswith(REPLICA_PREFIX) else None


class ReplicaReadsMiddleware:
    """Public pages read from a replica; see the module's docstring for what stays on the
    primary. The decision needs the resolved view (its URL namespace), hence process_view;
    the scope ends with the response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        _scope.set(None)
        try:
            return self.get_response(request)
        finally:
            # Not a token reset: under ASGI, process_view may run in a copied context.
            _scope.set(None)

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        namespaces = set(request.resolver_match.namespaces)
        if request.method in SAFE_METHODS and not namespaces & PRIMARY_NAMESPACES:
            replicas = replica_aliases()
            if replicas:
                _scope.set(_ReplicaScope(random.choice(replicas)))
