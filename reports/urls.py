from django.urls import path

from reports import book_views, excel, performance_views, views

# A project's page, print page and PDF: mounted in the "projects" namespace under /projects/
# (bma_tracker/urls.py), after the projects app's own URLs.
project_urlpatterns = [
    path("<str:code>/", views.project_detail, name="detail"),
    path("<str:code>/print/", views.project_print, name="print"),
    path("<str:code>/print.pdf", views.project_pdf, name="print_pdf"),
]

app_name = "reports"
urlpatterns = [
    path("indicators/<str:code>/<int:fy>/q<int:quarter>/", views.indicator_report, name="indicator_report"),
    path("indicators/<str:code>/<int:fy>/q<int:quarter>.pdf", views.indicator_report_pdf, name="indicator_report_pdf"),
    # The quarterly indicator book (planning office) and the quarter's indicators as Excel.
    path("indicators/<int:fy>/q<int:quarter>.xlsx", excel.indicator_quarter_xlsx, name="indicator_quarter_xlsx"),
    path("books/", book_views.book_request, name="book_request"),
    path("books/<int:pk>/", book_views.book_job, name="book_job"),
    path("books/<int:pk>/status.json", book_views.book_job_status, name="book_job_status"),
    path("books/<int:pk>/retry/", book_views.book_job_retry_view, name="book_job_retry"),
    path("books/<int:pk>/download/", book_views.book_download, name="book_download"),
    # A unit's annual performance agreement (คำรับรองการปฏิบัติราชการ): print page and PDF.
    path(
        "performance/<str:unit_code>/<int:fiscal_year>/", performance_views.performance_print, name="performance_print"
    ),
    path(
        "performance/<str:unit_code>/<int:fiscal_year>.pdf", performance_views.performance_pdf, name="performance_pdf"
    ),
]
