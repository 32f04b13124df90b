from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from service.models import Attachment, Category, Holiday, Reply, SlaAlert, SlaPolicy, Ticket


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class ReplyInline(admin.TabularInline):
    model = Reply
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "subject",
        "customer",
        "status",
        "priority",
        "category",
        "assignee",
        "team",
        "opened_at",
    ]
    list_filter = ["status", "priority", "channel", "category", "team", "feedback"]
    search_fields = ["subject", "customer__legal_name"]
    raw_id_fields = ["customer", "product", "order", "assignee", "created_by"]
    list_select_related = ["customer", "category", "assignee", "team"]
    date_hierarchy = "opened_at"
    inlines = [ReplyInline]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["ticket", "author", "is_internal", "created_at"]
    list_filter = ["is_internal"]
    search_fields = ["body", "ticket__subject"]
    raw_id_fields = ["ticket", "author"]
    list_select_related = ["ticket", "author"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "first_response_hours", "resolution_hours"]
    list_filter = ["priority"]
    search_fields = ["priority"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    list_filter = ["date"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Files are uploaded on the ticket page, which checks their size and type; here they are
    listed, renamed or deleted, and downloaded through the page's permission check."""

    list_display = ["name", "ticket", "content_type", "size", "uploaded_by", "created_at"]
    exclude = ["file"]
    readonly_fields = ["download", "content_type", "size"]

    @admin.display(description=_("file"))
    def download(self, attachment: Attachment) -> str:
        if not attachment.pk:
            return "—"
        url = reverse("service:attachment_download", args=[attachment.ticket_id, attachment.pk])
        return format_html('<a href="{}">{}</a>', url, attachment.name)

    def has_add_permission(self, request) -> bool:
        return False

    list_filter = ["content_type"]
    search_fields = ["name", "ticket__subject"]
    raw_id_fields = ["ticket", "uploaded_by"]
    list_select_related = ["ticket", "uploaded_by"]


@admin.register(SlaAlert)
class SlaAlertAdmin(admin.ModelAdmin):
    """Alerts already sent; deleting one lets the task send it again."""

    list_display = ["ticket", "target", "stage", "sent_at"]
    list_filter = ["target", "stage"]
    search_fields = ["ticket__subject"]
    raw_id_fields = ["ticket"]
    list_select_related = ["ticket"]
