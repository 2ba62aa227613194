"""The public site (reports.public_views), mounted twice by bma_tracker.urls: at /public/ in Thai
(namespace "public", the default instance) and at /public/en/ in English ("public-en"). Inside a
page {% url "public:…" %} resolves to the page's own language (Django's current_app)."""

from django.urls import path

from reports import public_views as views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<code:code>/", views.project_detail, name="project"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<code:code>/<year:fy>/", views.indicator_detail, name="indicator"),
    path("data/", views.data_index, name="data"),
    path("data/<year:fy>/<code:dataset>.csv", views.data_file, {"fmt": "csv"}, name="data_csv"),
    path("data/<year:fy>/<code:dataset>.json", views.data_file, {"fmt": "json"}, name="data_json"),
    path("data/<year:fy>/dictionary/<code:dataset>.csv", views.dictionary_file, {"fmt": "csv"}, name="dictionary_csv"),
    path(
        "data/<year:fy>/dictionary/<code:dataset>.json", views.dictionary_file, {"fmt": "json"}, name="dictionary_json"
    ),
    path("data/<year:fy>/metadata/<code:dataset>.json", views.metadata_file, name="metadata"),
]
