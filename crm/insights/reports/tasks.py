"""The monthly job that freezes the forecast; registered through ``crm.insights.tasks``."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from crm.celery import TASK_POLICY
from crm.insights.reports.snapshots import take_forecast_snapshot


@shared_task(**TASK_POLICY)
def snapshot_forecast_task(*, month: str | None = None) -> int:
    """Freeze this month's forecast (or ``month``'s, as YYYY-MM-DD); safe to run twice."""
    snapshot = take_forecast_snapshot(month=date.fromisoformat(month) if month else None)
    return snapshot.pk
