from django.urls import path

from crm.insights import views

app_name = "insights"
urlpatterns = [
    path("rfm/", views.rfm_overview, name="rfm"),
    path("rfm/recompute/", views.rfm_recompute, name="rfm_recompute"),
    path("rfm/export.csv", views.rfm_export, name="rfm_export"),
]
