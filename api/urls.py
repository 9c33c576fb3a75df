from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views
from api.ids import ObjectIdConverter

register_converter(ObjectIdConverter, "id")

app_name = "api"

urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    path("articles/", views.ArticleList.as_view(), name="articles"),
    path("articles/<id:pk>/", views.ArticleDetail.as_view(), name="article"),
    path("articles/<id:pk>/comments/", views.PostComment.as_view(), name="post_comment"),
    path("articles/<id:pk>/comments/stamp/", views.CommentStamp.as_view(), name="comment_stamp"),
    path("search/", views.Search.as_view(), name="search"),
    path("search/export.csv", views.SearchExport.as_view(), name="search_export"),
    path("tags/", views.TagList.as_view(), name="tags"),
    path("outlets/", views.OutletList.as_view(), name="outlets"),
    path("regions/", views.RegionTree.as_view(), name="regions"),
    path("regions/<id:pk>/", views.RegionDetail.as_view(), name="region"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads Swagger UI's start-up script from a URL of its own rather than inline,
    # and our template links its stylesheet: the page works under the CSP with no exception.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]
