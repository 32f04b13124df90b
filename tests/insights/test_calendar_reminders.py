"""Reminders before a visit: the person going is notified once, N minutes before it starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from contacts.models import Activity
from crm.accounts.models import EmailFrequency, Notification
from crm.insights.calendar.tasks import send_visit_reminders_task
from crm.insights.management.commands.setup_periodic_tasks import PERIODIC_TASKS
from tests.factories import ActivityFactory

NOW = datetime(2026, 3, 11, 13, 0, tzinfo=UTC)  # 8:00 in Bogotá


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def visit_in(minutes: int, customer, user, **fields) -> Activity:
    fields.setdefault("kind", Activity.Kind.VISIT)
    fields.setdefault("subject", "Visita a Andina")
    return ActivityFactory(
        customer=customer, user=user, occurred_at=NOW + timedelta(minutes=minutes), **fields
    )


def run() -> int:
    return send_visit_reminders_task.delay().get()


def test_the_visitor_is_reminded_once_before_the_visit(rep, customer, django_capture_on_commit_callbacks):
    visit_in(45, customer, rep)

    with django_capture_on_commit_callbacks(execute=True):
        assert run() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert run() == 0  # the next run, five minutes later, sends nothing more

    notification = Notification.objects.get()
    assert notification.recipient == rep
    assert (
        notification.message
        == "Reminder: Visit with Distribuidora Andina S.A.S. at 03/11/2026 8:45 a.m.: Visita a Andina"
    )
    assert notification.url == customer.get_absolute_url()
    assert len(mail.outbox) == 1


def test_a_visit_further_ahead_is_reminded_when_its_time_comes(rep, customer, _frozen_clock):
    visit_in(120, customer, rep)
    assert run() == 0

    _frozen_clock.shift(timedelta(minutes=65))

    assert run() == 1


def test_past_visits_calls_and_inactive_people_get_no_reminder(rep, teammate, customer):
    visit_in(-10, customer, rep)
    visit_in(30, customer, rep, kind=Activity.Kind.CALL)
    teammate.is_active = False
    teammate.save()
    visit_in(30, customer, teammate)
    ActivityFactory(
        customer=customer, user=None, kind=Activity.Kind.VISIT, occurred_at=NOW + timedelta(minutes=30)
    )

    assert run() == 0
    assert not Notification.objects.exists()


def test_meetings_are_reminded_too(rep, customer):
    visit_in(20, customer, rep, kind=Activity.Kind.MEETING, subject="Comité")
    assert run() == 1
    assert Notification.objects.get().message.startswith("Reminder: Meeting with")


def test_a_visit_moved_to_another_time_is_reminded_again(rep, customer):
    visit = visit_in(30, customer, rep)
    assert run() == 1

    visit.occurred_at = NOW + timedelta(minutes=50)
    visit.save()

    assert run() == 1
    assert Notification.objects.count() == 2


def test_the_reminder_time_is_a_setting(rep, customer, settings):
    settings.CRM_VISIT_REMINDER_MINUTES = 15
    visit_in(30, customer, rep)
    assert run() == 0
    visit_in(10, customer, rep, subject="Otra")
    assert run() == 1


def test_the_reminder_follows_the_email_preference(rep, customer, django_capture_on_commit_callbacks):
    rep.email_frequency = EmailFrequency.NEVER
    rep.save()
    visit_in(30, customer, rep)

    with django_capture_on_commit_callbacks(execute=True):
        run()

    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_the_reminder_speaks_the_visitors_language(rep, customer):
    rep.language = "es"
    rep.save()
    visit_in(30, customer, rep)
    run()
    assert "Visita" in Notification.objects.get().message


def test_the_job_runs_every_five_minutes():
    task, cron, _kwargs = PERIODIC_TASKS["Remind people of their visits and meetings"]
    assert task == "crm.insights.calendar.tasks.send_visit_reminders_task"
    assert cron == {"minute": "*/5"}
