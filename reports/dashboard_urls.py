"""The directors' dashboard, mounted at /dashboard/ (bma_tracker.urls)."""

from django.urls import path

from reports import dashboard_views

app_name = "dashboard"
urlpatterns = [
    path("", dashboard_views.dashboard, name="index"),
    path("export/", dashboard_views.dashboard_export, name="export"),
]
