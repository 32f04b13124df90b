"""The periodic jobs are seeded into django-celery-beat once, and admins' edits survive a re-run."""

from __future__ import annotations

import json

from celery import current_app
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from crm.insights.management.commands.setup_periodic_tasks import PERIODIC_TASKS


def test_seeds_every_job_with_a_registered_task(db):
    # As a worker does when it starts: import every app's tasks module.
    current_app.loader.import_default_modules()
    call_command("setup_periodic_tasks")
    tasks = {task.name: task for task in PeriodicTask.objects.all()}
    for name, (task_path, _cron, kwargs) in PERIODIC_TASKS.items():
        assert tasks[name].task == task_path
        assert json.loads(tasks[name].kwargs) == kwargs
        assert task_path in current_app.tasks, f"{task_path} is not a registered Celery task"


def test_running_twice_keeps_one_job_and_an_admins_changes(db):
    call_command("setup_periodic_tasks")
    job = PeriodicTask.objects.get(name="Purge old read notifications")
    job.enabled = False
    job.save()

    call_command("setup_periodic_tasks")

    assert PeriodicTask.objects.filter(name="Purge old read notifications").count() == 1
    assert PeriodicTask.objects.get(pk=job.pk).enabled is False
