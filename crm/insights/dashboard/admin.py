from django.contrib import admin

from crm.insights.dashboard.models import DashboardLayout


@admin.register(DashboardLayout)
class DashboardLayoutAdmin(admin.ModelAdmin):
    list_display = ["user", "cards", "updated_at"]
    list_filter = ["updated_at"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
