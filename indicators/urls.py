from django.urls import path

from indicators import agreement_views, city_views, evidence_views, rollover_views, views

app_name = "indicators"
urlpatterns = [
    # The annual performance agreement and the city-development indicator base (issue 18). First,
    # so that no "<code>/<fiscal_year>/" pattern reads "city/12/" as an indicator.
    path("performance/", agreement_views.performance_index, name="performance_index"),
    path("performance/<code:unit_code>/<year:fiscal_year>/", agreement_views.performance, name="performance"),
    path("city/", city_views.city_list, name="city_list"),
    path("city/<id:number>/", city_views.city_detail, name="city_detail"),
    path("", views.indicator_list, name="list"),
    # One segment each: never read as an indicator's "<code>/<fiscal_year>/".
    path("new/", views.indicator_new, name="new"),
    path("copy/", views.indicator_copy, name="copy"),
    path("<code:code>/<year:fiscal_year>/", views.indicator_detail, name="detail"),
    path("<code:code>/<year:fiscal_year>/edit/", views.indicator_edit, name="edit"),
    path("<code:code>/<year:fiscal_year>/history/", views.indicator_history_page, name="history"),
    path("<code:code>/<year:fiscal_year>/q<id:quarter>/edit/", views.result_edit, name="result_edit"),
    path("<code:code>/<year:fiscal_year>/q<id:quarter>/evaluate/", views.evaluate, name="evaluate"),
    path(
        "<code:code>/<year:fiscal_year>/q<id:quarter>/evidence/",
        evidence_views.quarter_evidence,
        name="quarter_evidence",
    ),
    path(
        "<code:code>/<year:fiscal_year>/evidence/<id:file_id>/",
        evidence_views.quarter_evidence_download,
        name="evidence_download",
    ),
    path(
        "<code:code>/<year:fiscal_year>/evidence/<id:file_id>/remove/",
        evidence_views.quarter_evidence_remove,
        name="evidence_remove",
    ),
]

# Continuing a unit's projects into the next fiscal year: mounted in the "projects" namespace
# under /projects/ (bma_tracker/urls.py), before the project pages' "<code>/".
project_urlpatterns = [
    path("rollover/", rollover_views.project_rollover, name="rollover"),
]
