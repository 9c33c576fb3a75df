"""The portal's "Download CSV" of a search's results: the API's export, for readers."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe
from rest_framework.exceptions import APIException

from api.views import search_results_csv


@require_safe
def search_export_csv(request):
    try:
        return search_results_csv(request, request.GET)
    except APIException as error:
        return HttpResponse(str(error.detail), status=error.status_code, content_type="text/plain")
