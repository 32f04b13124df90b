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
    """The lead to call next: due callbacks (soonest first), then by score, then the oldest.

    The same lead as ``queue_for(user).first()``, found faster: each query below reads
    ``lead_queue_idx`` for one status and stops at its first row, where one query over both
    statuses makes PostgreSQL read and sort every open lead of the user.
    """
    now = now or timezone.now()
    mine = Lead.objects.filter(assigned_to=user)
    open_statuses = [Lead.Status.NEW, Lead.Status.CONTACTING]
    due = [
        mine.filter(status=status, callback_at__lte=now)
        .order_by("callback_at", "-score", "created_at", "pk")
        .first()
        for status in open_statuses
    ]
    due = [lead for lead in due if lead is not None]
    if due:
        return min(due, key=lambda lead: (lead.callback_at, -lead.score, lead.created_at, lead.pk))
    fresh = [
        mine.filter(status=status, callback_at__isnull=True).order_by("-score", "created_at", "pk").first()
        for status in open_statuses
    ]
    return min(
        (lead for lead in fresh if lead is not None),
        key=lambda lead: (-lead.score, lead.created_at, lead.pk),
        default=None,
    )


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
