from django.urls import path

from search import feeds, views

app_name = "search"

urlpatterns = [
    path("", views.results, name="results"),
    path("feed/", feeds.SearchFeed(), name="feed"),
]
