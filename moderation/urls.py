from django.contrib.auth import views as auth_views
from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("comments/<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("comments/<int:pk>/reject/", views.RejectView.as_view(), name="reject"),
    path("bulk/", views.BulkDecisionView.as_view(), name="bulk"),
    # Moderators need not be staff, so they sign in here rather than through the admin.
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="moderation/login.html", next_page="moderation:queue"
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="archive:home"), name="logout"),
]
