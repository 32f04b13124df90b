from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.accounts.models import Notification


@shared_task(acks_late=True)
def email_notification_task(*, notification_id: int) -> bool:
    """Email one notification once: a second run, or a run after deletion, does nothing."""
    # Claim the notification first so two workers never both send it.
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    try:
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            body = notification.message
            if notification.url:
                body += "\n\n" + settings.CRM_BASE_URL.rstrip("/") + notification.url
            send_mail(
                subject=_("CRM: %(message)s") % {"message": notification.message[:80]},
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
            )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


@shared_task(acks_late=True)
def purge_read_notifications_task(*, older_than_days: int = 90) -> int:
    """Delete notifications read more than ``older_than_days`` ago; unread ones stay."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted
