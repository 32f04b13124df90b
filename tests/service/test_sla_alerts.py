"""The SLA alert job: the assignee and their manager hear before and at a breach, once each."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.accounts.models import Notification
from crm.accounts.roles import Role
from service import sla_alerts
from service.models import Holiday, SlaAlert, SlaPolicy, Ticket
from service.tasks import send_sla_alerts_task
from tests.factories import user_with_role
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db
BOG = ZoneInfo("America/Bogota")
FRIDAY_5PM = datetime(2026, 3, 6, 17, tzinfo=BOG)


@pytest.fixture(autouse=True)
def policy(settings):
    settings.SERVICE_SLA_WARNING_PERCENT = 20
    # First response in 2 business hours (warned 24 min before), resolution in 16 (warned 3.2 h before).
    return SlaPolicy.objects.create(
        priority=Ticket.Priority.HIGH, first_response_hours=Decimal(2), resolution_hours=Decimal(16)
    )


@pytest.fixture
def team_lead(south):
    lead = user_with_role(Role.MANAGER, team=south, username="jefa")
    south.manager = lead
    south.save()
    return lead


@pytest.fixture
def ticket(service_agent, team_lead):
    return TicketFactory(assignee=service_agent, priority="high", opened_at=FRIDAY_5PM, subject="Sin red")


def run(*moment) -> int:
    return sla_alerts.send_sla_alerts(now=datetime(*moment, tzinfo=BOG))


def messages_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("message", flat=True))


def test_nights_and_weekends_do_not_count(ticket, service_agent):
    # Opened Friday 17:00: one business hour on Friday, the second on Monday 8-9.
    assert run(2026, 3, 7, 12) == 0
    assert run(2026, 3, 9, 8, 30) == 0
    assert messages_for(service_agent) == []


def test_a_warning_before_the_breach_and_an_alert_at_it_once_each(ticket, service_agent, team_lead):
    assert run(2026, 3, 9, 8, 40) == 1  # 20 minutes left of 2 hours
    assert run(2026, 3, 9, 8, 50) == 0  # already warned
    assert run(2026, 3, 9, 9, 5) == 1  # breached
    assert run(2026, 3, 9, 9, 30) == 0
    expected = [
        f"SLA: ticket {ticket} needs a first response by 03/09/2026 9 a.m..",
        f"SLA breached: ticket {ticket} had no first response by 03/09/2026 9 a.m..",
    ]
    assert messages_for(service_agent) == expected
    assert messages_for(team_lead) == expected
    assert set(SlaAlert.objects.values_list("target", "stage")) == {
        ("first_response", "warning"),
        ("first_response", "breach"),
    }
    assert (
        Notification.objects.get(recipient=service_agent, message=expected[0]).url
        == ticket.get_absolute_url()
    )


def test_a_holiday_stops_the_clock(ticket, service_agent):
    Holiday.objects.create(date=date(2026, 3, 9), name="San José")
    assert run(2026, 3, 9, 8, 40) == 0
    assert run(2026, 3, 10, 8, 40) == 1


def test_resolution_is_alerted_separately_after_the_first_response(ticket, service_agent):
    ticket.first_response_at = datetime(2026, 3, 9, 8, 30, tzinfo=BOG)
    ticket.save()
    # 16 business hours from Friday 17:00: Friday 1 h, Monday 10 h, Tuesday 5 h, due 13:00.
    assert run(2026, 3, 10, 9, 30) == 0
    assert run(2026, 3, 10, 10) == 1
    assert run(2026, 3, 10, 13, 1) == 1
    assert [message.split(":")[0] for message in messages_for(service_agent)] == ["SLA", "SLA breached"]
    assert set(SlaAlert.objects.values_list("target", flat=True)) == {"resolution"}


def test_a_breach_found_late_is_alerted_without_a_late_warning(ticket, service_agent):
    assert run(2026, 3, 9, 11) == 1
    assert list(SlaAlert.objects.values_list("stage", flat=True)) == ["breach"]
    assert len(messages_for(service_agent)) == 1


def test_answered_closed_and_policy_free_tickets_stay_quiet(service_agent, team_lead):
    TicketFactory(
        assignee=service_agent,
        priority="high",
        opened_at=FRIDAY_5PM,
        first_response_at=FRIDAY_5PM,
        resolved_at=FRIDAY_5PM,
        status=Ticket.Status.RESOLVED,
    )
    TicketFactory(assignee=service_agent, priority="low", opened_at=FRIDAY_5PM)
    assert run(2026, 3, 20, 12) == 0
    assert not Notification.objects.exists()


def test_an_unassigned_ticket_alerts_the_managers_of_its_team(south):
    manager = user_with_role(Role.MANAGER, team=south, username="gerente_sur")
    user_with_role(Role.MANAGER, username="gerente_general")  # on no team: not this team's manager
    TicketFactory(team=south, priority="high", opened_at=FRIDAY_5PM)
    assert run(2026, 3, 9, 9, 5) == 1
    assert Notification.objects.get().recipient == manager


def test_an_alert_another_worker_recorded_first_is_not_sent_again(ticket, service_agent):
    due = datetime(2026, 3, 9, 9, tzinfo=BOG)
    SlaAlert.objects.create(ticket=ticket, target="first_response", stage="breach")
    alert = sla_alerts._Due(ticket=ticket, target="first_response", stage="breach", due=due)
    assert sla_alerts._send(alert, due) is False
    assert not Notification.objects.exists()


def test_the_task_runs_for_real_and_emails_once(ticket, service_agent, django_capture_on_commit_callbacks):
    now = datetime(2026, 3, 9, 9, 5, tzinfo=BOG).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_sla_alerts_task.delay(now=now).get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_sla_alerts_task.delay(now=now).get() == 0
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [service_agent.email, ticket.assignee.team.manager.email]
    )
    assert "SLA breached" in mail.outbox[0].subject


def test_quiet_tickets_cost_the_same_queries_for_3_and_30(service_agent):
    counts = []
    for total in (3, 30):
        TicketFactory.create_batch(total - Ticket.objects.count(), assignee=service_agent, priority="high")
        with CaptureQueriesContext(connection) as queries:
            assert sla_alerts.send_sla_alerts() == 0
        counts.append(len(queries))
    assert counts[0] == counts[1]
