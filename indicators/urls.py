from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    # One segment each: never read as an indicator's "<code>/<fiscal_year>/".
    path("new/", views.indicator_new, name="new"),
    path("copy/", views.indicator_copy, name="copy"),
    path("<code:code>/<year:fiscal_year>/", views.indicator_detail, name="detail"),
    path("<code:code>/<year:fiscal_year>/edit/", views.indicator_edit, name="edit"),
    path("<code:code>/<year:fiscal_year>/history/", views.indicator_history_page, name="history"),
    path("<code:code>/<year:fiscal_year>/q<id:quarter>/edit/", views.result_edit, name="result_edit"),
    path("<code:code>/<year:fiscal_year>/q<id:quarter>/evaluate/", views.evaluate, name="evaluate"),
]
