from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.accounts.models import EmailFrequency, Notification, User


def notify(*, recipient: User, message: str, url: str = "", once_key: str = "") -> Notification | None:
    """Put a notification in the recipient's inbox and, after commit, email it to those who want
    each one at once; those who chose a daily digest get it with the next digest.

    With ``once_key``, a recipient gets one notification per key: a second call, even from a
    job running at the same moment, creates nothing and returns None.
    """
    fields = {"recipient": recipient, "message": message[:300], "url": url, "once_key": once_key}
    if once_key:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            return None
    else:
        notification = Notification.objects.create(**fields)
    if recipient.email_frequency == EmailFrequency.INSTANT and recipient.email:
        from crm.accounts.tasks import email_notification_task

        transaction.on_commit(lambda: email_notification_task.delay(notification_id=notification.pk))
    return notification


def claim_digest(user: User) -> list[Notification]:
    """Mark the user's notifications not yet emailed as emailed now, and return them.

    The claim is one conditional UPDATE stamped with its own time, so two digest runs at once
    never put the same notification in two emails. Call it in the transaction that sends.
    """
    stamp = timezone.now()
    claimed = user.notifications.filter(emailed_at__isnull=True, created_at__lte=stamp).update(
        emailed_at=stamp
    )
    if not claimed:
        return []
    return list(user.notifications.filter(emailed_at=stamp).order_by("created_at", "pk"))


def mark_notifications_read(*, user: User, ids: list[int] | None = None) -> int:
    unread = user.notifications.unread()
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
