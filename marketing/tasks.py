"""Marketing jobs: thin wrappers around the mailing services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from crm.celery import TASK_POLICY
from marketing import mailing


@shared_task(**{**TASK_POLICY, "retry_backoff": 60, "max_retries": 8})
def send_mailing_task(*, mailing_id: int) -> int:
    """Send a mailing's queued recipients in batches; recipients already sent are never resent."""
    return mailing.send_mailing(mailing_id=mailing_id)
