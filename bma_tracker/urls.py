from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bma_tracker import health
from projects.views import accounts as project_accounts

urlpatterns = [
    path("", project_accounts.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/", include("projects.urls")),
    path("indicators/", include("indicators.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]
handler400 = "bma_tracker.errors.bad_request"
