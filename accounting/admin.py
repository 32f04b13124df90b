"""Accounting records in the admin, read-only: orders, invoices and payments are made by
accounting.services (numbering, installed base, balances), never typed in here."""

from django.contrib import admin

from accounting.models import CreditNote, Invoice, NumberSequence, Order, OrderLine, Payment


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderLine
    fields = ["position", "product", "description", "quantity", "unit_price", "discount_percent", "tax_rate"]
    readonly_fields = fields
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "customer", "order_date", "status", "is_history", "total"]
    list_filter = ["status", "is_history", "order_date"]
    search_fields = ["number", "customer__legal_name", "customer__tax_id"]
    list_select_related = ["customer"]
    date_hierarchy = "order_date"
    inlines = [OrderLineInline]
    show_full_result_count = False


class PaymentInline(ReadOnlyMixin, admin.TabularInline):
    model = Payment
    fields = ["paid_on", "amount", "method", "reference", "recorded_by"]
    readonly_fields = fields
    extra = 0


class CreditNoteInline(ReadOnlyMixin, admin.TabularInline):
    model = CreditNote
    fields = ["number", "issue_date", "amount", "reason", "created_by"]
    readonly_fields = fields
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "order", "issue_date", "due_date", "total", "amount_paid"]
    list_filter = ["series", "issue_date", "due_date"]
    search_fields = ["number", "order__number", "order__customer__legal_name"]
    list_select_related = ["order"]
    date_hierarchy = "issue_date"
    inlines = [PaymentInline, CreditNoteInline]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["invoice", "paid_on", "amount", "method", "reference"]
    list_filter = ["method", "paid_on"]
    search_fields = ["invoice__number", "reference"]
    list_select_related = ["invoice"]
    date_hierarchy = "paid_on"


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["series", "last"]
    search_fields = ["series"]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "invoice", "issue_date", "amount", "reason"]
    list_filter = ["series", "issue_date"]
    search_fields = ["number", "invoice__number", "reason"]
    list_select_related = ["invoice"]
    date_hierarchy = "issue_date"
