from django.contrib import admin

from marketing.models import Campaign, CampaignMember, EmailOptOut, Mailing, MailingRecipient, Segment


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "channel",
        "status",
        "start_date",
        "end_date",
        "budget",
        "actual_cost",
        "owner",
        "team",
        "web_form_enabled",
    ]
    list_filter = ["channel", "status", "team", "web_form_enabled", "start_date"]
    search_fields = ["name", "description"]
    list_select_related = ["owner", "team"]
    raw_id_fields = ["owner"]
    readonly_fields = ["web_form_token", "created_at"]
    date_hierarchy = "start_date"
    show_full_result_count = False


@admin.register(CampaignMember)
class CampaignMemberAdmin(admin.ModelAdmin):
    list_display = ["campaign", "customer", "status", "added_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["campaign__name", "customer__legal_name", "customer__tax_id"]
    list_select_related = ["campaign", "customer"]
    raw_id_fields = ["campaign", "customer"]
    date_hierarchy = "added_at"
    show_full_result_count = False


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name", "description"]
    list_filter = ["created_at"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ["customer", "source", "opted_out_at"]
    list_filter = ["source", "opted_out_at"]
    search_fields = ["customer__legal_name", "customer__tax_id", "customer__email"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    date_hierarchy = "opted_out_at"
    show_full_result_count = False


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "subject",
        "campaign",
        "segment",
        "status",
        "created_by",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["name", "subject", "campaign__name", "segment__name"]
    list_select_related = ["campaign", "segment", "created_by"]
    raw_id_fields = ["campaign", "segment"]
    readonly_fields = ["created_by", "created_at", "started_at", "finished_at"]
    date_hierarchy = "created_at"


@admin.register(MailingRecipient)
class MailingRecipientAdmin(admin.ModelAdmin):
    """Each recipient's outcome, as the sending job recorded it: read-only."""

    list_display = ["mailing", "customer", "email", "status", "sent_at", "error"]
    list_filter = ["status", "mailing"]
    search_fields = ["email", "customer__legal_name", "mailing__name"]
    list_select_related = ["mailing", "customer"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
