"""Canonical URLs: one spelling per article, so that the same page is recognised however
it was linked."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

# Tracking parameters beyond courlan's own list: they name the visit, not the page.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref|ref_src|"
    r"cmpid|ocid|smid|share|ito|xtor|at_medium|at_campaign|__twitter_impression)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no tracking parameters, no fragment,
    and the plain page rather than its AMP form. Returns "" for what is not an http(s) URL."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
            return ""
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    while host.startswith("amp.") and "." in host[4:]:  # amp.example.com, not amp.com
        host = host[4:]
    if not host:  # "http://./" has no host left once the root dot is dropped
        return ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _without_amp(parts.path) or "/"
    query = urlencode(
        [
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(key) and key.lower() not in ("amp", "outputtype")
        ]
    )
    cleaned = urlunsplit((scheme, netloc, path, query, ""))
    try:
        normalised = urlsplit(normalize_url(cleaned, strict=False, trailing_slash=True))
    except (ValueError, TypeError):
        return cleaned
    # courlan resolves "/.." to no path at all; the site's root is "/", as above.
    return urlunsplit(normalised._replace(path=normalised.path or "/"))


def _without_amp(path: str) -> str:
    # Every "amp" segment and suffix at once ("/amp/amp/x", "x.amp.amp"): the canonical
    # form of a canonical URL must be itself.
    path = re.sub(r"/amp(?=/)", "", path)
    path = re.sub(r"/amp$", "/", path)
    return re.sub(r"(?:\.amp)+(\.html?)?$", r"\1", path)
