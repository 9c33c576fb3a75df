"""The site's 404 and 500 answers (Django's handler404 and handler500, config.urls): under
/api/ the API's own error body, ``{"detail": ...}`` (a client's JSON parser is never handed
the site's HTML page), elsewhere the site's pages (templates/404.html, 500.html)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from rest_framework.exceptions import APIException, NotFound


def _is_for_the_api(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("api:index"))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address nobody serves. An address the API has, with an id that names nothing,
    never comes here: DRF answers that one, in the same shape."""
    if not _is_for_the_api(request):
        return defaults.page_not_found(request, exception)
    index = request.build_absolute_uri(reverse("api:index"))
    detail = f"{NotFound.default_detail} The API's endpoints are listed at {index}"
    return JsonResponse({"detail": detail}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """An exception no view handled, called once Django has logged it. Nothing here reads
    the database, which may be what failed. Not DRF's own ``exceptions.server_error``: it
    answers ``{"error": ...}``, unlike every other error of the API and its schema
    (ErrorSerializer)."""
    if not _is_for_the_api(request):
        return defaults.server_error(request)
    return JsonResponse({"detail": str(APIException.default_detail)}, status=500)
