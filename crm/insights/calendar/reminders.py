"""Reminders before a visit or meeting, sent to the person who will go, once each.

Every few minutes the job notifies the people whose visits start within
``CRM_VISIT_REMINDER_MINUTES``. The notification's once-key names the visit and its start,
so a second run (or two at once) sends nothing more, and a visit moved to another time is
reminded again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from contacts.models import Activity
from crm.accounts.services import notify
from crm.insights.calendar.entries import APPOINTMENTS


def _message(visit: Activity) -> str:
    when = formats.date_format(timezone.localtime(visit.occurred_at), "SHORT_DATETIME_FORMAT")
    return _("Reminder: %(kind)s with %(customer)s at %(when)s: %(subject)s") % {
        "kind": visit.get_kind_display(),
        "customer": visit.customer,
        "when": when,
        "subject": visit.subject,
    }


def send_visit_reminders(*, now: datetime | None = None) -> int:
    """Notify each person of their visits and meetings starting soon; returns how many were sent."""
    now = now or timezone.now()
    soon = now + timedelta(minutes=settings.CRM_VISIT_REMINDER_MINUTES)
    visits = (
        Activity.objects.filter(
            kind__in=APPOINTMENTS, occurred_at__gt=now, occurred_at__lte=soon, user__is_active=True
        )
        .select_related("user", "customer")
        .order_by("occurred_at", "pk")
    )
    sent = 0
    for visit in visits:
        with translation.override(visit.user.language or settings.LANGUAGE_CODE):
            message = _message(visit)
        key = f"visit:{visit.pk}:{visit.occurred_at.timestamp():.0f}"
        if notify(recipient=visit.user, message=message, url=visit.customer.get_absolute_url(), once_key=key):
            sent += 1
    return sent
