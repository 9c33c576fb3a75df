from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import views
from api.ids import ObjectIdConverter

register_converter(ObjectIdConverter, "id")

app_name = "api"

urlpatterns = [
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
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
