from django.urls import path

from indicators import agreement_views, city_views, views

app_name = "indicators"
urlpatterns = [
    # The annual performance agreement and the city-development indicator base (issue 18). First,
    # so that no "<code>/<fiscal_year>/" pattern reads "city/12/" as an indicator.
    path("performance/", agreement_views.performance_index, name="performance_index"),
    path("performance/<str:unit_code>/<int:fiscal_year>/", agreement_views.performance, name="performance"),
    path("city/", city_views.city_list, name="city_list"),
    path("city/<int:number>/", city_views.city_detail, name="city_detail"),
    path("<str:code>/<int:fiscal_year>/q<int:quarter>/edit/", views.result_edit, name="result_edit"),
    path("<str:code>/<int:fiscal_year>/q<int:quarter>/evaluate/", views.evaluate, name="evaluate"),
]
