from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bma_tracker import api_urls, favicon, health
from indicators import urls as indicator_urls
from projects import urls as project_urls
from projects.forms import LoginForm, PasswordResetForm
from projects.views import accounts as project_accounts
from projects.views import tokens as project_tokens
from reports import public_urls
from reports import urls as report_urls

urlpatterns = [
    path("", project_accounts.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/profile/", project_accounts.profile, name="profile"),
    path("accounts/users/", include("projects.user_urls")),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    # Personal API tokens, before Django's own accounts/ URLs.
    path("accounts/tokens/", project_tokens.token_list, name="api_tokens"),
    path("accounts/tokens/<id:pk>/revoke/", project_tokens.token_revoke, name="api_token_revoke"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # /projects/…: the projects app's list and data entry, continuing projects into the next
    # fiscal year (the indicators app's: it copies indicators too), then the read side's pages.
    path(
        "projects/",
        include(
            (
                project_urls.urlpatterns + indicator_urls.project_urlpatterns + report_urls.project_urlpatterns,
                "projects",
            )
        ),
    ),
    path("indicators/", include("indicators.urls")),
    path("reports/", include("reports.urls")),
    path("dashboard/", include("reports.dashboard_urls")),
    # The public transparency site and open data (issue 22): no login; Thai and English twins.
    path("public/en/", include((public_urls.urlpatterns, "public"), namespace="public-en")),
    path("public/", include((public_urls.urlpatterns, "public"), namespace="public")),
    path("api/", include(api_urls)),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
]
handler400 = "bma_tracker.errors.bad_request"
