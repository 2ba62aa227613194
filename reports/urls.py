from django.urls import path

from reports import book_views, excel, performance_views, views

# A project's page, print page and PDF: mounted in the "projects" namespace under /projects/
# (bma_tracker/urls.py), after the projects app's own URLs.
project_urlpatterns = [
    path("<code:code>/", views.project_detail, name="detail"),
    path("<code:code>/print/", views.project_print, name="print"),
    path("<code:code>/print.pdf", views.project_pdf, name="print_pdf"),
]

app_name = "reports"
urlpatterns = [
    path("indicators/<code:code>/<year:fy>/q<id:quarter>/", views.indicator_report, name="indicator_report"),
    path("indicators/<code:code>/<year:fy>/q<id:quarter>.pdf", views.indicator_report_pdf, name="indicator_report_pdf"),
    # The quarterly indicator book (planning office) and the quarter's indicators as Excel.
    path("indicators/<year:fy>/q<id:quarter>.xlsx", excel.indicator_quarter_xlsx, name="indicator_quarter_xlsx"),
    # The indicator list (/indicators/) as filtered, with its own GET parameters.
    path("indicators/list.xlsx", excel.indicator_list_xlsx, name="indicator_list_xlsx"),
    path("books/", book_views.book_request, name="book_request"),
    path("books/<id:pk>/", book_views.book_job, name="book_job"),
    path("books/<id:pk>/status.json", book_views.book_job_status, name="book_job_status"),
    path("books/<id:pk>/retry/", book_views.book_job_retry_view, name="book_job_retry"),
    path("books/<id:pk>/download/", book_views.book_download, name="book_download"),
    # A unit's annual performance agreement (คำรับรองการปฏิบัติราชการ): print page and PDF.
    path(
        "performance/<code:unit_code>/<year:fiscal_year>/",
        performance_views.performance_print,
        name="performance_print",
    ),
    path(
        "performance/<code:unit_code>/<year:fiscal_year>.pdf", performance_views.performance_pdf, name="performance_pdf"
    ),
]
