"""Helpers for the follow-up rule tests: run the daily job for a day, make dated records."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from accounting.models import Order
from contacts.models import Activity, Customer, Task
from crm.insights.followup.models import FollowUpRule
from crm.insights.followup.tasks import evaluate_follow_up_rules_task

_numbers = itertools.count(1)


def run(day: date) -> int:
    """Run the daily job, for real (Celery is eager in tests), as if ``day`` were today."""
    return evaluate_follow_up_rules_task.delay(as_of=day.isoformat()).get()


def only(kind: str) -> FollowUpRule:
    """Leave only the seeded rule of ``kind`` active, and return it."""
    FollowUpRule.objects.exclude(kind=kind).update(is_active=False)
    return FollowUpRule.objects.get(kind=kind)


def sale(customer: Customer, day: date, *, status: str = Order.Status.CONFIRMED, **kwargs) -> Order:
    return Order.objects.create(
        customer=customer,
        number=f"FU-{next(_numbers):06d}",
        status=status,
        order_date=day,
        total=Decimal("100.00"),
        **kwargs,
    )


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def created_on(customer: Customer, day: date) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(created_at=at(day, 9))
    customer.refresh_from_db()
    return customer


def activity(customer: Customer, day: date) -> Activity:
    return Activity.objects.create(
        customer=customer, subject="Llamada", occurred_at=at(day), user=customer.owner
    )


def tasks_of(customer: Customer) -> list[Task]:
    return list(Task.objects.filter(customer=customer).order_by("pk"))
