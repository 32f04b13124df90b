"""Frozen forecasts are read here, never edited: they are what the month began with."""

from __future__ import annotations

from django.contrib import admin

from crm.insights.reports.models import ForecastLine, ForecastSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ForecastSnapshot)
class ForecastSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "taken_at", "line_count", "pipeline", "weighted"]
    date_hierarchy = "month"
    search_fields = ["month"]


@admin.register(ForecastLine)
class ForecastLineAdmin(ReadOnlyAdmin):
    list_display = [
        "snapshot",
        "opportunity",
        "owner",
        "team",
        "stage",
        "probability",
        "amount",
        "close_month",
    ]
    list_filter = ["snapshot", "stage", "team"]
    list_select_related = ["snapshot", "opportunity", "owner", "team", "stage"]
    search_fields = ["opportunity__name"]
    raw_id_fields = ["opportunity", "owner"]
