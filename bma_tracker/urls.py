from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bma_tracker import api_urls, health
from projects import urls as project_urls
from projects.forms import LoginForm
from projects.views import accounts as project_accounts
from projects.views import tokens as project_tokens
from reports import urls as report_urls

urlpatterns = [
    path("", project_accounts.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    # Personal API tokens, before Django's own accounts/ URLs.
    path("accounts/tokens/", project_tokens.token_list, name="api_tokens"),
    path("accounts/tokens/<id:pk>/revoke/", project_tokens.token_revoke, name="api_token_revoke"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # /projects/…: the projects app's list and data entry, then the read side's project pages.
    path("projects/", include((project_urls.urlpatterns + report_urls.project_urlpatterns, "projects"))),
    path("indicators/", include("indicators.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    path("api/", include(api_urls)),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
]
handler400 = "bma_tracker.errors.bad_request"
