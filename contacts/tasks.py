"""Celery tasks of the customer hub: fetching users' mailboxes."""

from __future__ import annotations

from celery import shared_task

from contacts.mail import sync
from crm.celery import TASK_POLICY


@shared_task(**TASK_POLICY)
def fetch_mailbox_task(*, mailbox_id: int) -> None:
    sync.fetch_mailbox(mailbox_id=mailbox_id)


@shared_task(**TASK_POLICY)
def fetch_all_mailboxes_task() -> None:
    """One task per mailbox, so a slow or broken server holds up only its own mailbox."""
    for mailbox_id in sync.active_mailbox_ids():
        fetch_mailbox_task.delay(mailbox_id=mailbox_id)
