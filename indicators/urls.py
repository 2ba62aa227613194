from django.urls import path

from indicators import views

app_name = "indicators"
urlpatterns = [
    path("<str:code>/<int:fiscal_year>/q<int:quarter>/edit/", views.result_edit, name="result_edit"),
    path("<str:code>/<int:fiscal_year>/q<int:quarter>/evaluate/", views.evaluate, name="evaluate"),
]
