from django.urls import path

from projects.views import entry, pages
from reports import views as report_views

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
    path("<str:code>/", pages.project_detail, name="detail"),
    path("<str:code>/print/", pages.project_print, name="print"),
    path("<str:code>/print.pdf", report_views.project_pdf, name="print_pdf"),  # the read side owns PDFs
]
