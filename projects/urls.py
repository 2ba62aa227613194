from django.urls import path

from projects.views import pages

app_name = "projects"
urlpatterns = [
    path("", pages.project_list, name="list"),
    path("<str:code>/", pages.project_detail, name="detail"),
]
