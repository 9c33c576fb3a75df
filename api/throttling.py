"""Throttling of anonymous API clients, each known by its address as the comment rate
limits know it (moderation.addresses.client_ip, honouring COMMENT_TRUSTED_PROXIES).

DRF's own AnonRateThrottle, with NUM_PROXIES unset, keys a client by the whole
X-Forwarded-For header when one is sent: a client that sends a new one with each request
is never throttled. Counts live in Django's cache (per process unless CACHES names a
shared one).
"""

from rest_framework.throttling import AnonRateThrottle

from moderation.addresses import client_ip


class AnonymousClientThrottle(AnonRateThrottle):
    """Every API request from an anonymous client: ``API_ANON_RATE``."""

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class CommentThrottle(AnonymousClientThrottle):
    """Comments posted: ``API_COMMENT_RATE``, on top of the comment form's rate limits."""

    scope = "comments"
