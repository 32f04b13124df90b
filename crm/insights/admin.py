from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.insights.models import RfmScore, RfmSettings, RfmSnapshot, SegmentRule


@admin.register(RfmSettings)
class RfmSettingsAdmin(admin.ModelAdmin):
    """One row of settings: edited, never added twice nor deleted. The model checks the weights."""

    list_display = [
        "__str__",
        "recency_weight",
        "frequency_weight",
        "monetary_weight",
        "window_months",
        "keep_snapshots",
        "updated_at",
    ]
    list_display_links = ["__str__"]
    list_filter = ["window_months"]
    search_fields = ["window_months"]
    fieldsets = [
        (
            _("Value score = weights × scores"),
            {"fields": ["recency_weight", "frequency_weight", "monetary_weight"]},
        ),
        (_("Orders that count"), {"fields": ["window_months"]}),
        (_("History"), {"fields": ["keep_snapshots"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return not RfmSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SegmentRule)
class SegmentRuleAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "priority", "r_min", "r_max", "f_min", "f_max", "description"]
    list_editable = ["priority", "r_min", "r_max", "f_min", "f_max"]
    list_filter = ["r_min", "f_min"]
    search_fields = ["label", "slug", "description"]


@admin.register(RfmSnapshot)
class RfmSnapshotAdmin(admin.ModelAdmin):
    """Read-only: each scoring run writes one."""

    list_display = [
        "as_of",
        "window_months",
        "customers_scored",
        "orders_counted",
        "duration_ms",
        "trigger",
        "requested_by",
        "finished_at",
        "is_complete",
        "scores_pruned",
    ]
    list_filter = ["is_complete", "trigger", "as_of"]
    search_fields = ["as_of", "requested_by__username"]
    list_select_related = ["requested_by"]
    date_hierarchy = "as_of"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The current snapshot is what the customers' value fields show; old ones are pruned.
        return False


@admin.register(RfmScore)
class RfmScoreAdmin(admin.ModelAdmin):
    """Read-only: each customer's scores in each kept snapshot."""

    list_display = [
        "customer",
        "snapshot",
        "recency_days",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        "value_score",
        "segment",
    ]
    list_filter = ["segment", "r_score", "f_score", "m_score"]
    search_fields = ["customer__legal_name", "customer__tax_id", "customer__external_ref"]
    list_select_related = ["customer", "snapshot"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


from crm.insights.dashboard import admin as dashboard_admin  # noqa: E402, F401  (registers the layouts)
from crm.insights.followup import admin as followup_admin  # noqa: E402, F401  (registers the rules)
from crm.insights.reports import admin as reports_admin  # noqa: E402, F401  (registers the frozen forecasts)
