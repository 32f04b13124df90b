from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sales.models import (
    InstalledProduct,
    LostReason,
    Opportunity,
    Product,
    Quote,
    QuoteLine,
    SalesSettings,
    Stage,
    StageChange,
)
from sales.models.quotes import QuoteNumberSequence


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "unit_price",
        "unit_cost",
        "tax_rate",
        "is_licence",
        "licence_term_months",
        "is_active",
    ]
    list_filter = ["is_active", "is_licence", "tax_rate"]
    search_fields = ["code", "name", "description"]


@admin.register(InstalledProduct)
class InstalledProductAdmin(admin.ModelAdmin):
    list_display = ["customer", "product", "since", "licence_expires_on"]
    list_filter = ["product", "licence_expires_on"]
    search_fields = ["customer__legal_name", "customer__tax_id", "product__code", "product__name"]
    list_select_related = ["customer", "product"]
    raw_id_fields = ["customer"]
    date_hierarchy = "licence_expires_on"
    show_full_result_count = False


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "default_probability", "is_won", "is_lost", "is_active"]
    list_editable = ["order", "default_probability"]
    list_filter = ["is_active", "is_won", "is_lost"]
    search_fields = ["name"]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "customer",
        "owner",
        "team",
        "stage",
        "amount",
        "probability",
        "expected_close_date",
    ]
    list_filter = ["stage", "team", "expected_close_date", "lost_reason"]
    search_fields = ["name", "customer__legal_name", "customer__tax_id"]
    list_select_related = ["customer", "owner", "team", "stage"]
    raw_id_fields = ["customer", "owner"]
    readonly_fields = ["stage_changed_at", "created_at", "updated_at"]
    date_hierarchy = "expected_close_date"
    show_full_result_count = False


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    """The pipeline's history: readable here, written only by stage moves."""

    list_display = ["opportunity", "from_stage", "to_stage", "changed_by", "changed_at"]
    list_filter = ["to_stage", "changed_at"]
    search_fields = ["opportunity__name", "opportunity__customer__legal_name"]
    list_select_related = ["opportunity", "from_stage", "to_stage", "changed_by"]
    date_hierarchy = "changed_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class QuoteLineInline(admin.TabularInline):
    """Lines as they were offered: changed only on the quote page, which keeps the totals right."""

    model = QuoteLine
    extra = 0
    fields = [
        "position",
        "product",
        "description",
        "quantity",
        "unit_price",
        "unit_cost",
        "discount_percent",
        "tax_rate",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "version",
        "customer",
        "opportunity",
        "status",
        "issued_on",
        "valid_until",
        "total",
    ]
    list_filter = ["status", "issued_on", "valid_until"]
    search_fields = ["number", "customer__legal_name", "customer__tax_id", "opportunity__name"]
    list_select_related = ["customer", "opportunity"]
    raw_id_fields = ["opportunity", "customer", "revision_of", "cloned_from"]
    readonly_fields = [
        "subtotal",
        "discount_total",
        "tax_total",
        "total",
        "cost_total",
        "created_by",
        "created_at",
        "sent_at",
        "sent_by",
        "decided_at",
        "pdf",
    ]
    inlines = [QuoteLineInline]
    date_hierarchy = "issued_on"
    show_full_result_count = False


@admin.register(QuoteLine)
class QuoteLineAdmin(admin.ModelAdmin):
    """Every line ever offered, to search by product; read-only for the same reason as the inline."""

    list_display = ["quote", "description", "quantity", "unit_price", "discount_percent", "tax_rate"]
    list_filter = ["tax_rate", "quote__status"]
    search_fields = ["description", "quote__number", "product__code"]
    list_select_related = ["quote", "product"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SalesSettings)
class SalesSettingsAdmin(admin.ModelAdmin):
    """One row of settings: edited, never added twice nor deleted."""

    list_display = ["__str__", "margin_warning_percent", "quote_validity_days"]
    list_display_links = ["__str__"]
    search_fields = ["default_terms"]
    list_filter = ["quote_validity_days"]
    fieldsets = [
        (_("Quotes"), {"fields": ["quote_validity_days", "margin_warning_percent", "default_terms"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return not SalesSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QuoteNumberSequence)
class QuoteNumberSequenceAdmin(admin.ModelAdmin):
    """The last quote number of each year; raise it to start a year's numbers higher."""

    list_display = ["year", "last"]
    list_filter = ["year"]
    search_fields = ["year"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
