"""Mailboxes and email in the admin: sync state for support, never the password."""

from __future__ import annotations

from django.contrib import admin

from contacts.mail.models import EmailMessage, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = [
        "email_address",
        "user",
        "is_active",
        "last_synced_at",
        "fetched_count",
        "filed_count",
        "unmatched_count",
        "last_error",
    ]
    list_filter = ["is_active", "imap_security", "smtp_security"]
    search_fields = ["email_address", "user__username", "imap_host", "smtp_host"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = [
        "uidvalidity",
        "last_uid",
        "fetched_count",
        "filed_count",
        "unmatched_count",
        "last_synced_at",
        "last_error",
        "last_error_at",
    ]

    def has_add_permission(self, request) -> bool:
        # Connected by their owners, who type the app password on the mailbox page.
        return False


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "from_address", "direction", "status", "customer", "mailbox", "sent_at"]
    list_filter = ["direction", "status"]
    search_fields = ["subject", "from_address", "message_id", "customer__legal_name"]
    list_select_related = ["customer", "mailbox"]
    raw_id_fields = ["mailbox", "customer", "contact", "activity", "filed_by"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request) -> bool:
        return False
