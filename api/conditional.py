"""ETag and Last-Modified on the API's GET responses, answering 304 when the client's copy
is current. The ETag is a hash of the response body (what the client holds); a view may
also say when its data last changed (``last_modified``)."""

import hashlib
from datetime import datetime

from django.utils.cache import get_conditional_response
from django.utils.http import http_date


class ConditionalGetMixin:
    def last_modified(self) -> datetime | None:
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["ETag"] = etag
        modified = self.last_modified()
        if modified:
            response["Last-Modified"] = http_date(modified.timestamp())
        return get_conditional_response(
            request,
            etag=etag,
            last_modified=int(modified.timestamp()) if modified else None,
            response=response,
        )
