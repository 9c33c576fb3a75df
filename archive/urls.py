from django.urls import path

from archive import views

app_name = "archive"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<str:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("outlets/<slug:slug>/", views.OutletArticlesView.as_view(), name="outlet"),
    path("tags/<str:slug>/", views.TagArticlesView.as_view(), name="tag"),
]
