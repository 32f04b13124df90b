from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.accounts import services
from crm.accounts.models import EmailFrequency, Notification, User
from crm.celery import TASK_POLICY


def _link(notification: Notification) -> str:
    return settings.CRM_BASE_URL.rstrip("/") + notification.url if notification.url else ""


@shared_task(**TASK_POLICY)
def email_notification_task(*, notification_id: int) -> bool:
    """Email one notification once: a second run, or a run after deletion, does nothing."""
    # The claim and the sending share one transaction: a worker that dies mid-send leaves the
    # notification unclaimed for the redelivered task, and a second worker waits on the row lock.
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return False
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        recipient = notification.recipient
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            body = notification.message
            if notification.url:
                body += "\n\n" + _link(notification)
            send_mail(
                subject=_("CRM: %(message)s") % {"message": notification.message[:80]},
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
            )
    return True


@shared_task(**TASK_POLICY)
def purge_read_notifications_task(*, older_than_days: int = 90) -> int:
    """Delete notifications read more than ``older_than_days`` ago; unread ones stay."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted


@shared_task(**TASK_POLICY)
def email_daily_digest_task() -> int:
    """Email each user who chose a daily digest one email with what they have not been emailed.

    Safe to run twice, and to be killed: a notification is in exactly one digest. Returns how
    many digests were sent.
    """
    recipients = (
        User.objects.filter(is_active=True, email_frequency=EmailFrequency.DAILY)
        .exclude(email="")
        .filter(notifications__emailed_at__isnull=True)
        .distinct()
    )
    sent = 0
    for user in recipients:
        # As for single emails: claimed and sent in one transaction, so a failed or killed
        # send leaves the notifications for the next try, and two runs never both send them.
        with transaction.atomic():
            notifications = services.claim_digest(user)
            if notifications:
                _send_digest(user, notifications)
                sent += 1
    return sent


def _send_digest(user: User, notifications: list[Notification]) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        count = len(notifications)
        lines = [
            f"- {notification.message}" + (f"\n  {_link(notification)}" if notification.url else "")
            for notification in notifications
        ]
        send_mail(
            subject=ngettext("CRM: %(count)d notification", "CRM: %(count)d notifications", count)
            % {"count": count},
            message="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
