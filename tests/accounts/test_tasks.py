"""Periodic housekeeping tasks, run for real."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from crm.accounts.models import Notification
from crm.accounts.tasks import purge_read_notifications_task


def test_purge_deletes_only_notifications_read_long_ago(rep):
    now = timezone.now()
    old_read = Notification.objects.create(recipient=rep, message="old", read_at=now - timedelta(days=120))
    recent_read = Notification.objects.create(
        recipient=rep, message="recent", read_at=now - timedelta(days=5)
    )
    unread = Notification.objects.create(recipient=rep, message="unread")

    deleted = purge_read_notifications_task.delay(older_than_days=90).get()

    assert deleted == 1
    remaining = set(Notification.objects.values_list("pk", flat=True))
    assert remaining == {recent_read.pk, unread.pk}
    assert old_read.pk not in remaining
    # Running it again finds nothing more to do.
    assert purge_read_notifications_task.delay(older_than_days=90).get() == 0
