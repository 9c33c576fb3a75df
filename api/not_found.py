"""The 404 answer for an address nobody serves: under /api/ the API's own error body, a
client's JSON parser never handed the site's HTML page; elsewhere the site's page."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views import defaults
from rest_framework.exceptions import NotFound


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler404 (config.urls). An address the API has, with an id that names
    nothing, never comes here: DRF answers that one, in the same shape."""
    api_root = reverse("api:index")
    if not request.path.startswith(api_root):
        return defaults.page_not_found(request, exception)
    index = request.build_absolute_uri(api_root)
    detail = f"{NotFound.default_detail} The API's endpoints are listed at {index}"
    return JsonResponse({"detail": detail}, status=404)
