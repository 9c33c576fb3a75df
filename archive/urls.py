from django.urls import path

from archive import browse, feeds, views
from moderation.views import PostCommentView

app_name = "archive"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/<str:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("articles/<str:slug>/comments/", PostCommentView.as_view(), name="post_comment"),
    path("outlets/<slug:slug>/", views.OutletArticlesView.as_view(), name="outlet"),
    path("tags/<str:slug>/", views.TagArticlesView.as_view(), name="tag"),
    # Browsing: places, tags, outlets and dates, with an Atom feed per place, tag and outlet.
    path("regions/", browse.RegionIndexView.as_view(), name="regions"),
    path("regions/<slug:slug>/", browse.RegionArticlesView.as_view(), name="region"),
    path("regions/<slug:slug>/feed/", feeds.RegionFeed(), name="region_feed"),
    path("tags/", browse.TagIndexView.as_view(), name="tags"),
    path("tags/<str:slug>/feed/", feeds.TagFeed(), name="tag_feed"),
    path("outlets/", browse.OutletIndexView.as_view(), name="outlets"),
    path("outlets/<slug:slug>/feed/", feeds.OutletFeed(), name="outlet_feed"),
    path("archive/", browse.ArchiveIndexView.as_view(), name="archive_index"),
    path("archive/<int:year>/", browse.YearArchiveView.as_view(), name="archive_year"),
    path(
        "archive/<int:year>/<int:month>/",
        browse.MonthArchiveView.as_view(),
        name="archive_month",
    ),
    path(
        "archive/<int:year>/<int:month>/<int:day>/",
        browse.DayArchiveView.as_view(),
        name="archive_day",
    ),
]
