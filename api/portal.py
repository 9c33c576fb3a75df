"""The portal's "Download CSV" of a search's results: the API's export, for readers, under
the API's throttle (an export is up to SEARCH_EXPORT_LIMIT rows: the portal must not be a
way around it)."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe
from rest_framework.exceptions import APIException

from api.throttling import AnonymousClientThrottle
from api.views import search_results_csv
from search.forms import SearchForm


@require_safe
def search_export_csv(request):
    throttle = AnonymousClientThrottle()
    if not throttle.allow_request(request, None):
        response = HttpResponse(
            "Too many requests: try again in a minute.", status=429, content_type="text/plain"
        )
        response["Retry-After"] = str(int(throttle.wait() or 60))
        return response
    try:
        return search_results_csv(request, SearchForm(request.GET).params())
    except APIException as error:
        return HttpResponse(str(error.detail), status=error.status_code, content_type="text/plain")
