from django.urls import include, path

from crm.insights import views
from crm.insights.dashboard import views as dashboard_views
from crm.insights.followup import views as followup_views

app_name = "insights"
urlpatterns = [
    path("rfm/", views.rfm_overview, name="rfm"),
    path("rfm/recompute/", views.rfm_recompute, name="rfm_recompute"),
    path("rfm/export.csv", views.rfm_export, name="rfm_export"),
    path("relationships/", followup_views.relationships_page, name="relationships"),
    path("dashboard/customise/", dashboard_views.customise, name="dashboard_customise"),
    path("dashboard/cards/<slug:slug>.json", dashboard_views.card_data, name="card_data"),
    path("reports/", include("crm.insights.reports.urls")),
    path("calendar/", include("crm.insights.calendar.urls")),
]
