"""Readers' IP addresses: used only as a keyed hash, never stored or logged as they are.

The hash is an HMAC-SHA256 keyed from SECRET_KEY (Django's ``salted_hmac``), so the stored
value cannot be reversed by hashing all 2^32 IPv4 addresses without the key. It is stable
while SECRET_KEY is, which is all rate limits and a commenter's history need.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

_SALT = "dateline.moderation.ip-address"


def hash_ip_address(address: str) -> str:
    if not address:
        return ""
    return salted_hmac(_SALT, address, algorithm="sha256").hexdigest()


def client_ip(request: HttpRequest) -> str:
    """The reader's address: the peer's, or the one our own proxies recorded before them.

    With COMMENT_TRUSTED_PROXIES = n, the n-th address from the right of X-Forwarded-For is
    the one the outermost trusted proxy saw; what lies left of it the client could forge.
    """
    proxies = settings.COMMENT_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def ip_hash_for(request: HttpRequest) -> str:
    return hash_ip_address(client_ip(request))
