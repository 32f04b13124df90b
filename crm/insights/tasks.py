"""Insights jobs: set-based work across departments, safe to run twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from crm.accounts.models import User
from crm.celery import TASK_POLICY
from crm.insights.models import RfmSnapshot
from crm.insights.rfm import scoring


@shared_task(**TASK_POLICY)
def score_customers_task(
    *,
    as_of: str | None = None,
    trigger: str = RfmSnapshot.Trigger.SCHEDULE,
    requested_by_id: int | None = None,
) -> int:
    """Score every customer (RFM) and publish the snapshot; then prune old snapshots' scores.

    Running it twice writes two identical snapshots, the later one current. Returns the
    snapshot's id.
    """
    by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    snapshot = scoring.score_customers(
        as_of=date.fromisoformat(as_of) if as_of else None, trigger=trigger, by=by
    )
    scoring.prune_snapshots()
    return snapshot.pk


# Registered here, where the worker looks for this app's tasks.
from crm.insights.calendar.tasks import send_visit_reminders_task  # noqa: E402, F401
from crm.insights.followup.tasks import evaluate_follow_up_rules_task  # noqa: E402, F401
from crm.insights.reports.tasks import snapshot_forecast_task  # noqa: E402, F401
