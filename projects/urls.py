from django.urls import path

from projects.views import cycle, entry, evidence, pages

app_name = "projects"
urlpatterns = [
    path("", pages.project_list, name="list"),
    # Data entry (views/entry.py); "new/" before "<code>/" so it is not read as a project code.
    path("new/", entry.project_new, name="new"),
    # The reporting cycle (views/cycle.py): the planning office's calendar and closed quarters.
    path("calendar/", cycle.calendar_list, name="calendar"),
    path("calendar/<year:fiscal_year>/", cycle.calendar_edit, name="calendar_edit"),
    path("calendar/<year:fiscal_year>/quarters/", cycle.calendar_locks, name="calendar_locks"),
    path("calendar/<year:fiscal_year>/quarters/close/", cycle.quarter_close, name="quarter_close"),
    path("calendar/<year:fiscal_year>/quarters/<id:pk>/reopen/", cycle.quarter_reopen, name="quarter_reopen"),
    path("<code:code>/edit/", entry.project_edit, name="edit"),
    path("<code:code>/steps/", entry.project_steps, name="steps"),
    path("<code:code>/progress/new/", entry.progress_new, name="progress_new"),
    path("<code:code>/progress/<id:pk>/edit/", entry.progress_edit, name="progress_edit"),
    path("<code:code>/progress/<id:pk>/delete/", entry.progress_delete, name="progress_delete"),
    path("<code:code>/progress/<id:pk>/restore/", entry.progress_restore, name="progress_restore"),
    # A report's evidence files: the list and upload form, a file's download and its removal.
    path("<code:code>/progress/<id:pk>/evidence/", evidence.report_evidence, name="progress_evidence"),
    path("<code:code>/evidence/<id:file_id>/", evidence.report_evidence_download, name="evidence_download"),
    path("<code:code>/evidence/<id:file_id>/remove/", evidence.report_evidence_remove, name="evidence_remove"),
    path("<code:code>/progress/<id:pk>/review/", cycle.report_review, name="progress_review"),
    path("<code:code>/evaluations/q<id:quarter>/", entry.project_evaluate, name="evaluate"),
    path("<code:code>/history/", entry.project_history, name="history"),
    # The project's page, print page and PDF (the read side's: reports.urls.project_urlpatterns)
    # follow in the same namespace.
]
