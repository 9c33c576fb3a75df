"""The site under /news/, for tests of paths that a URL configuration change must reach."""

from django.urls import include, path

urlpatterns = [path("news/", include("config.urls"))]
