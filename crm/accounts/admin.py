from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import (
    CalendarFeedToken,
    Comment,
    Conversation,
    ConversationMember,
    Mention,
    Message,
    MessageMention,
    Notification,
    Team,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "team", "is_active", "is_staff"]
    list_filter = ["team", "groups", "is_active", "is_staff", "is_superuser"]
    list_select_related = ["team"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("CRM"), {"fields": ("team", "language", "email_frequency")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "manager"]
    search_fields = ["name"]
    list_select_related = ["manager"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["message", "recipient", "created_at", "read_at", "emailed_at"]
    list_filter = ["created_at", "read_at"]
    search_fields = ["message", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]


class ConversationMemberInline(admin.TabularInline):
    model = ConversationMember
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "team", "last_message_at"]
    list_filter = ["kind"]
    search_fields = ["team__name", "memberships__user__username"]
    list_select_related = ["team"]
    inlines = [ConversationMemberInline]


class MessageMentionInline(admin.TabularInline):
    model = MessageMention
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "conversation", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["body", "author__username"]
    list_select_related = ["author", "conversation__team"]
    raw_id_fields = ["author", "conversation"]
    inlines = [MessageMentionInline]


class MentionInline(admin.TabularInline):
    model = Mention
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "content_type", "object_id", "created_at"]
    list_filter = ["content_type", "created_at"]
    search_fields = ["body", "author__username"]
    list_select_related = ["author", "content_type"]
    raw_id_fields = ["author"]
    inlines = [MentionInline]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "revoked_at"]
    list_filter = ["created_at", "revoked_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # The token itself stays out of the admin: it is a password to the user's calendar.
    exclude = ["token"]


@admin.register(ConversationMember)
class ConversationMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "conversation", "last_read_at"]
    search_fields = ["user__username"]
    list_select_related = ["user", "conversation__team"]
    raw_id_fields = ["user", "conversation"]


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["user", "comment", "notified"]
    list_filter = ["notified"]
    search_fields = ["user__username", "comment__body"]
    list_select_related = ["user", "comment"]
    raw_id_fields = ["user", "comment"]


@admin.register(MessageMention)
class MessageMentionAdmin(admin.ModelAdmin):
    list_display = ["user", "message"]
    search_fields = ["user__username", "message__body"]
    list_select_related = ["user", "message"]
    raw_id_fields = ["user", "message"]
