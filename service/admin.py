from django.contrib import admin

from service.models import Category, Holiday, Reply, SlaPolicy, Ticket


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
    list_filter = ["status", "priority", "channel", "category", "team"]
    search_fields = ["subject", "customer__legal_name"]
    raw_id_fields = ["customer", "product", "assignee", "created_by"]
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
