"""Service jobs: thin wrappers around the service modules, safe to run twice."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from crm.celery import TASK_POLICY
from service import satisfaction, sla_alerts


@shared_task(**TASK_POLICY)
def send_sla_alerts_task(*, now: str | None = None) -> int:
    """Every few minutes: alert assignees and managers of tickets near or past an SLA target.

    ``now`` (ISO 8601) exists for replays and tests; the schedule leaves it empty.
    """
    return sla_alerts.send_sla_alerts(now=datetime.fromisoformat(now) if now else None)


@shared_task(**TASK_POLICY)
def send_satisfaction_request_task(*, ticket_id: int) -> bool:
    """Email the customer the satisfaction link of a resolved ticket; a second run sends nothing."""
    return satisfaction.send_satisfaction_request(ticket_id=ticket_id)
