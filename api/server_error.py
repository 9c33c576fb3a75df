"""The 500 answer for an exception no view handled: under /api/ the API's own error body,
``{"detail": ...}``, as api.not_found answers a 404 (a client's JSON parser is never handed
the site's HTML page); elsewhere the site's page (templates/500.html)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from rest_framework.exceptions import APIException


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500 (config.urls), called once Django has logged the exception.
    Nothing here reads the database, which may be what failed. Not DRF's own
    ``exceptions.server_error``: it answers ``{"error": ...}``, unlike every other error of
    the API and its schema (ErrorSerializer)."""
    if not request.path.startswith(reverse("api:index")):
        return defaults.server_error(request)
    return JsonResponse({"detail": str(APIException.default_detail)}, status=500)
