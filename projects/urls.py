from django.urls import path

from projects.views import entry, pages

app_name = "projects"
urlpatterns = [
    path("", pages.project_list, name="list"),
    # Data entry (views/entry.py); "new/" before "<code>/" so it is not read as a project code.
    path("new/", entry.project_new, name="new"),
    path("<str:code>/edit/", entry.project_edit, name="edit"),
    path("<str:code>/steps/", entry.project_steps, name="steps"),
    path("<str:code>/progress/new/", entry.progress_new, name="progress_new"),
    path("<str:code>/progress/<int:pk>/edit/", entry.progress_edit, name="progress_edit"),
    path("<str:code>/progress/<int:pk>/delete/", entry.progress_delete, name="progress_delete"),
    path("<str:code>/progress/<int:pk>/restore/", entry.progress_restore, name="progress_restore"),
    path("<str:code>/evaluations/q<int:quarter>/", entry.project_evaluate, name="evaluate"),
    path("<str:code>/history/", entry.project_history, name="history"),
    # The project's page, print page and PDF (the read side's: reports.urls.project_urlpatterns)
    # follow in the same namespace.
]
