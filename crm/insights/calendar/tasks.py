"""The calendar's job: a thin wrapper around the reminders, safe to run twice."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from crm.celery import TASK_POLICY
from crm.insights.calendar import reminders


@shared_task(**TASK_POLICY)
def send_visit_reminders_task(*, now: str | None = None) -> int:
    """Every few minutes: remind people of their visits and meetings starting soon.

    ``now`` (ISO 8601) exists for replays and tests; the schedule leaves it empty.
    """
    return reminders.send_visit_reminders(now=datetime.fromisoformat(now) if now else None)
