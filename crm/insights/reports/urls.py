from django.urls import path

from crm.insights.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("<slug:slug>/", views.report_page, name="report"),
    path("<slug:slug>/export.csv", views.report_export, {"file_format": "csv"}, name="export_csv"),
    path("<slug:slug>/export.xlsx", views.report_export, {"file_format": "xlsx"}, name="export_xlsx"),
    path("<slug:slug>/records/", views.report_records, name="records"),
]
