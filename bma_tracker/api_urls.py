"""The REST API's URLs: /api/v1/ (each app's endpoints: projects/api.py, indicators/api.py,
reports/api.py), the OpenAPI 3 schema at /api/schema/ and its documentation at /api/docs/,
served from the vendored Swagger UI (drf-spectacular-sidecar; no CDN). Wiring, like
bma_tracker/urls.py: it imports every app."""

from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny

from indicators import api as indicator_api
from projects import api as project_api
from reports import api as report_api


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@throttle_classes([])
def not_found(request, *args, **kwargs):
    """A URL under /api/ that names no endpoint: 404 in JSON."""
    raise exceptions.NotFound()


_swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="api:schema")


@require_safe
@login_required
def docs(request):
    """The documentation page, for people: the login page first and the site's CSRF check, like
    every page (not a REST framework view's). The split view serves its script as a file of its
    own (?script), which the CSP's script-src 'self' allows; its assets are the sidecar's."""
    return _swagger_ui(request)


app_name = "api"
urlpatterns = [
    path("v1/units/", project_api.unit_list, name="units"),
    path("v1/plan/", project_api.plan_tree, name="plan"),
    path("v1/projects/", project_api.project_list, name="projects"),
    path("v1/projects/<code:code>/", project_api.project_detail, name="project"),
    path("v1/projects/<code:code>/reports/", project_api.project_report_create, name="project_reports"),
    path("v1/indicators/", indicator_api.indicator_list, name="indicators"),
    path("v1/indicators/<code:code>/<year:fiscal_year>/", indicator_api.indicator_detail, name="indicator"),
    path(
        "v1/indicators/<code:code>/<year:fiscal_year>/quarters/<id:quarter>/",
        indicator_api.quarter_result_save,
        name="quarter_result",
    ),
    path("v1/dashboard/", report_api.dashboard_figures, name="dashboard"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    # Anything else under /api/ is a 404 in JSON, like the endpoints' own (not the site's HTML page).
    re_path(r"^", not_found),
]
