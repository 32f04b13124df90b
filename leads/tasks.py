"""Leads jobs: thin wrappers around the capture services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from crm.celery import TASK_POLICY
from leads.capture import importer


@shared_task(**TASK_POLICY)
def run_lead_import_task(*, lead_import_id: int) -> str | None:
    """Import a confirmed lead file in chunks; a second run resumes or does nothing."""
    record = importer.run_import(lead_import_id=lead_import_id)
    return record.status if record else None
