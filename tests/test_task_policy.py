"""Every Celery task of ours is acknowledged late and retried with backoff on transient errors."""

from __future__ import annotations

from smtplib import SMTPServerDisconnected

import pytest
from django.db import OperationalError

from crm import celery_app

OUR_PACKAGES = ("crm.", "contacts.", "marketing.", "leads.", "sales.", "accounting.", "service.")


def our_tasks():
    celery_app.loader.import_default_modules()
    return sorted(name for name in celery_app.tasks if name.startswith(OUR_PACKAGES))


def test_there_are_tasks_to_check():
    assert len(our_tasks()) >= 10


@pytest.mark.parametrize("name", our_tasks())
def test_a_task_survives_a_dead_worker_and_a_brief_outage(name):
    task = celery_app.tasks[name]
    assert task.acks_late, f"{name} is acknowledged before it runs: a dead worker would lose it"
    for error in (
        OperationalError("server closed the connection"),
        SMTPServerDisconnected(),
        ConnectionResetError(),
    ):
        assert isinstance(error, tuple(task.autoretry_for)), f"{name} gives up on {type(error).__name__}"
    assert task.max_retries and task.retry_backoff
