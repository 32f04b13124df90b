from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from contacts.models import (
    Activity,
    Contact,
    Customer,
    CustomerImport,
    CustomerMerge,
    CustomerValue,
    EconomicActivity,
    RelationshipType,
    Tag,
    Task,
)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "role", "phone", "email", "is_legal_representative"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = [
        "legal_name",
        "trade_name",
        "tax_id",
        "segment",
        "lifecycle_stage",
        "city",
        "owner",
        "team",
    ]
    list_filter = [
        "segment",
        "lifecycle_stage",
        "relationship_types",
        "team",
        "country",
        "economic_activity",
        "is_imported",
    ]
    search_fields = ["legal_name", "trade_name", "tax_id", "email", "phone", "external_ref"]
    list_select_related = ["owner", "team"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["relationship_types", "tags"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ContactInline]
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "customer", "role", "phone", "email", "is_legal_representative"]
    list_filter = ["is_legal_representative"]
    search_fields = ["name", "email", "phone", "customer__legal_name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "customer", "user", "outcome", "occurred_at"]
    list_filter = ["kind", "occurred_at"]
    search_fields = ["subject", "notes", "customer__legal_name"]
    list_select_related = ["customer", "user"]
    raw_id_fields = ["customer", "contact", "user"]
    date_hierarchy = "occurred_at"


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "assignee", "due_date", "done_at"]
    list_filter = ["due_date", "done_at"]
    search_fields = ["title", "customer__legal_name"]
    list_select_related = ["customer", "assignee"]
    raw_id_fields = ["customer", "assignee", "created_by"]


@admin.register(CustomerMerge)
class CustomerMergeAdmin(admin.ModelAdmin):
    list_display = ["merged_name", "merged_customer_id", "survivor", "merged_by", "merged_at"]
    list_filter = ["merged_at"]
    search_fields = ["merged_name", "survivor__legal_name"]
    list_select_related = ["survivor", "merged_by"]
    readonly_fields = ["survivor", "merged_customer_id", "merged_name", "merged_data", "moved", "merged_by"]


@admin.register(CustomerValue)
class CustomerValueAdmin(admin.ModelAdmin):
    """Read-only: the scoring job writes these (see the RFM snapshots in Insights)."""

    list_display = ["customer", "segment", "score", "scored_on"]
    list_filter = ["segment", "scored_on"]
    search_fields = ["customer__legal_name", "customer__tax_id", "segment"]
    list_select_related = ["customer"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RelationshipType)
class RelationshipTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(EconomicActivity)
class EconomicActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(CustomerImport)
class CustomerImportAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "uploaded_by",
        "status",
        "customer_count",
        "contact_count",
        "duplicate_count",
        "error_count",
        "created_at",
        "imported_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["file_name", "uploaded_by__username"]
    list_select_related = ["uploaded_by"]
    readonly_fields = [
        "uploaded_by",
        "file_name",
        "status",
        "row_count",
        "customer_count",
        "contact_count",
        "duplicate_count",
        "error_count",
        "ignored_columns",
        "row_results",
        "failure",
        "created_at",
        "imported_at",
    ]
    exclude = ["csv_text"]


# Documents and mail keep their admin beside their models.
from contacts.documents import admin as documents_admin  # noqa: E402, F401
from contacts.mail import admin as mail_admin  # noqa: E402, F401
