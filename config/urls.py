from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from api.errors import page_not_found, server_error
from api.portal import search_export_csv
from archive.robots import robots_txt
from archive.sitemaps import SITEMAPS

# Under /api/, JSON as every other API answer; elsewhere the site's 404 and 500 pages
# (templates/404.html, templates/500.html).
handler404 = page_not_found
handler500 = server_error

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("search/export.csv", search_export_csv, name="search_export"),
    path("search/", include("search.urls")),
    path("moderation/", include("moderation.urls")),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's): the static one.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
    path("", include("archive.urls")),
]
