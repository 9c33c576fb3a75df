"""Which articles a query matches, as ids, for staff pages (the admin's search box)."""

from search.backends import get_backend
from search.service import build_request


def matching_article_ids(q: str, *, limit: int) -> list[int]:
    """The ids of up to ``limit`` best matches in the index, in the portal's query language.

    Raises SearchBackendError when the backend is unavailable.
    """
    request = build_request(q, page_size=limit, facets=False)
    return [hit.article_id for hit in get_backend().search(request).hits]
