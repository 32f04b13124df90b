"""The call queue: which lead a telemarketer calls next."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from crm.accounts.models import User
from leads.models import Lead, LeadQuerySet


def queue_for(user: User, *, now: datetime | None = None) -> LeadQuerySet:
    """The user's open leads that may be called now, in calling order.

    A callback set for later keeps its lead out of the queue until that time comes.
    """
    now = now or timezone.now()
    return (
        Lead.objects.in_queue()
        .filter(assigned_to=user)
        .filter(Q(callback_at__isnull=True) | Q(callback_at__lte=now))
        .queue_order()
    )


def next_lead(user: User, *, now: datetime | None = None) -> Lead | None:
    """The lead to call next: due callbacks (soonest first), then by score, then the oldest."""
    return queue_for(user, now=now).first()


def next_callback(user: User, *, now: datetime | None = None) -> datetime | None:
    """When the user's earliest future callback is due, for an empty queue's page."""
    now = now or timezone.now()
    return (
        Lead.objects.in_queue()
        .filter(assigned_to=user, callback_at__gt=now)
        .order_by("callback_at")
        .values_list("callback_at", flat=True)
        .first()
    )
