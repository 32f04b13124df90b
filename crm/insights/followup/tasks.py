"""The daily follow-up job: a thin wrapper around the engine, safe to run twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from crm.celery import TASK_POLICY
from crm.insights.followup import engine


@shared_task(**TASK_POLICY)
def evaluate_follow_up_rules_task(*, as_of: str | None = None) -> int:
    """Evaluate every active follow-up rule; returns how many follow-ups were new.

    ``as_of`` (ISO date) exists for replays and tests; the schedule leaves it empty. A second
    run on the same day finds every key already inserted and creates nothing.
    """
    run = engine.run_rules(as_of=date.fromisoformat(as_of) if as_of else None)
    return run.total_fired
