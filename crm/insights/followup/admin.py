"""The follow-up rules are edited here; what they fired is read here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm.insights.followup.models import FollowUp, FollowUpMailing, FollowUpRule, FollowUpRun


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    """Rules are data: change their parameters, switch them off; the model checks each kind's fields."""

    list_display = [
        "__str__",
        "kind",
        "is_active",
        "interval_months",
        "days",
        "due_in_days",
        "alert_owner",
        "updated_at",
    ]
    list_display_links = ["__str__"]
    list_editable = ["is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "task_title", "mailing_subject"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "is_active"]}),
        (_("When it fires"), {"fields": ["interval_months", "stop_after_months", "days"]}),
        (_("The task"), {"fields": ["task_title", "due_in_days", "alert_owner"]}),
        (_("The draft mailing (news)"), {"fields": ["mailing_subject", "mailing_body"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Its follow-ups' keys mean what the kind says; a new kind is a new rule.
        return ["kind"] if obj is not None else []


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FollowUpRun)
class FollowUpRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "started_at", "finished_at", "total_fired"]
    list_filter = ["as_of"]
    search_fields = ["as_of"]
    date_hierarchy = "as_of"


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["customer", "rule", "period_key", "fired_on", "task", "mailing"]
    list_filter = ["rule", "fired_on"]
    search_fields = ["customer__legal_name", "customer__trade_name", "period_key"]
    list_select_related = ["customer", "rule", "task", "mailing"]
    date_hierarchy = "fired_on"
    show_full_result_count = False


@admin.register(FollowUpMailing)
class FollowUpMailingAdmin(ReadOnlyAdmin):
    list_display = ["mailing", "economic_activity", "period_key", "rule", "campaign", "created_at"]
    list_filter = ["rule", "period_key"]
    search_fields = ["economic_activity__name", "economic_activity__code", "period_key"]
    list_select_related = ["mailing", "economic_activity", "rule", "campaign"]
