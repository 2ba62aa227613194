from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("<code:code>/<year:fiscal_year>/q<id:quarter>/edit/", views.result_edit, name="result_edit"),
    path("<code:code>/<year:fiscal_year>/q<id:quarter>/evaluate/", views.evaluate, name="evaluate"),
]
