"""Documents in the admin: listed, renamed or removed; uploaded only through the checked pages."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contacts.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "target_type", "content_type", "size", "uploaded_by", "created_at"]
    list_filter = ["content_type", "target_type"]
    search_fields = ["name", "customer__legal_name"]
    exclude = ["file"]
    readonly_fields = ["download", "content_type", "size", "target_type", "target_id"]
    raw_id_fields = ["customer", "uploaded_by"]
    list_select_related = ["customer", "target_type", "uploaded_by"]
    date_hierarchy = "created_at"

    @admin.display(description=_("file"))
    def download(self, document: Document) -> str:
        if not document.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', document.get_absolute_url(), document.name)

    def has_add_permission(self, request) -> bool:
        return False
