"""Seed the periodic jobs into django-celery-beat, where admins can edit them. Idempotent."""

import json

from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

# name: (task, crontab fields, kwargs)
PERIODIC_TASKS = {
    "Purge old read notifications": (
        "crm.accounts.tasks.purge_read_notifications_task",
        {"minute": "30", "hour": "3"},
        {"older_than_days": 90},
    ),
    "Expire quotes past their validity": (
        "sales.tasks.expire_quotes_task",
        {"minute": "5", "hour": "0"},
        {},
    ),
    # Daily, but a month is frozen once: the first run of the month takes it, later runs keep it.
    "Freeze the month's forecast": (
        "crm.insights.reports.tasks.snapshot_forecast_task",
        {"minute": "10", "hour": "0"},
        {},
    ),
    "Score customers' value (RFM)": (
        "crm.insights.tasks.score_customers_task",
        {"minute": "15", "hour": "2"},
        {},
    ),
    # After the night's scoring (segment drops) and before the digest (licence alerts).
    "Evaluate the follow-up rules": (
        "crm.insights.followup.tasks.evaluate_follow_up_rules_task",
        {"minute": "0", "hour": "6"},
        {},
    ),
    "Email the daily notification digest": (
        "crm.accounts.tasks.email_daily_digest_task",
        {"minute": "0", "hour": "7"},
        {},
    ),
    "Remind people of their visits and meetings": (
        "crm.insights.calendar.tasks.send_visit_reminders_task",
        {"minute": "*/5"},
        {},
    ),
    "Fetch users' mailboxes and file mail on customers": (
        "contacts.tasks.fetch_all_mailboxes_task",
        {"minute": "*/5"},
        {},
    ),
    "Alert tickets near or past their SLA": (
        "service.tasks.send_sla_alerts_task",
        {"minute": "*/5"},
        {},
    ),
}


class Command(BaseCommand):
    help = "Create or update the CRM's periodic Celery jobs (django-celery-beat)."

    def handle(self, *args, **options):
        for name, (task, cron, kwargs) in PERIODIC_TASKS.items():
            schedule, _ = CrontabSchedule.objects.get_or_create(
                timezone="America/Bogota", day_of_week="*", day_of_month="*", month_of_year="*", **cron
            )
            # Keep an admin's edits to the schedule or enabled flag; only create what is missing.
            _, created = PeriodicTask.objects.get_or_create(
                name=name, defaults={"task": task, "crontab": schedule, "kwargs": json.dumps(kwargs)}
            )
            self.stdout.write(f"{'created' if created else 'kept'}: {name}")
