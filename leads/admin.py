from django.contrib import admin

from leads.models import DisqualificationReason, Lead, LeadImport


@admin.register(DisqualificationReason)
class DisqualificationReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["customer", "campaign", "source", "status", "assigned_to", "team", "score", "created_at"]
    list_filter = ["status", "source", "team", "campaign"]
    search_fields = ["customer__legal_name", "customer__tax_id", "customer__email", "assigned_to__username"]
    list_select_related = ["customer", "campaign", "assigned_to", "team"]
    raw_id_fields = ["customer", "contact", "campaign", "assigned_to"]
    date_hierarchy = "created_at"


@admin.register(LeadImport)
class LeadImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "campaign",
        "status",
        "total_rows",
        "created_leads",
        "uploaded_by",
        "created_at",
    ]
    list_filter = ["status", "campaign"]
    search_fields = ["file_name", "campaign__name", "uploaded_by__username"]
    list_select_related = ["campaign", "uploaded_by"]
    raw_id_fields = ["campaign", "uploaded_by"]
    readonly_fields = ["processed_rows", "created_leads", "matched_customers", "result", "finished_at"]
