from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Notification, User


def notify(*, recipient: User, message: str, url: str = "") -> Notification:
    """Put a notification in the recipient's inbox and email it after commit if they want email."""
    notification = Notification.objects.create(recipient=recipient, message=message[:300], url=url)
    if recipient.email_notifications and recipient.email:
        from crm.accounts.tasks import email_notification_task

        transaction.on_commit(lambda: email_notification_task.delay(notification_id=notification.pk))
    return notification


def mark_notifications_read(*, user: User, ids: list[int] | None = None) -> int:
    unread = user.notifications.unread()
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
