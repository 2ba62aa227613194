from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("indicators/<str:code>/<int:fy>/q<int:quarter>/", views.indicator_report, name="indicator_report"),
    path("indicators/<str:code>/<int:fy>/q<int:quarter>.pdf", views.indicator_report_pdf, name="indicator_report_pdf"),
]
