"""The ticket page shows the time left against the SLA policy of its priority."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from service.models import Holiday, SlaPolicy, Ticket
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db
BOG = ZoneInfo("America/Bogota")


@pytest.fixture
def policy():
    return SlaPolicy.objects.create(
        priority=Ticket.Priority.HIGH, first_response_hours=Decimal(2), resolution_hours=Decimal(16)
    )


@pytest.fixture
def agent_client(client, service_agent):
    client.force_login(service_agent)
    return client


def test_the_page_shows_business_time_left(agent_client, service_agent, policy):
    # Opened Friday 17:00; two business hours run to Monday 9:00.
    ticket = TicketFactory(
        assignee=service_agent, priority="high", opened_at=datetime(2026, 3, 6, 17, tzinfo=BOG)
    )
    with time_machine.travel(datetime(2026, 3, 7, 12, tzinfo=BOG), tick=False):
        text = agent_client.get(ticket.get_absolute_url()).text
    assert "1 h 0 min of business time left" in text


def test_a_holiday_adds_a_day(agent_client, service_agent, policy):
    Holiday.objects.create(date=date(2026, 3, 9), name="Día de San José")
    ticket = TicketFactory(
        assignee=service_agent, priority="high", opened_at=datetime(2026, 3, 6, 17, tzinfo=BOG)
    )
    targets = SlaPolicy.objects.targets_for(ticket, now=datetime(2026, 3, 9, 12, tzinfo=BOG))
    assert targets["first_response"].due == datetime(2026, 3, 10, 9, tzinfo=BOG)


def test_a_breach_shows_as_overdue(agent_client, service_agent, policy):
    ticket = TicketFactory(
        assignee=service_agent, priority="high", opened_at=datetime(2026, 3, 2, 8, tzinfo=BOG)
    )
    with time_machine.travel(datetime(2026, 3, 2, 13, 30, tzinfo=BOG), tick=False):
        text = agent_client.get(ticket.get_absolute_url()).text
    assert "Overdue by 3 h 30 min of business time" in text


def test_a_target_met_in_time_says_so(service_agent, policy):
    ticket = TicketFactory(
        assignee=service_agent,
        priority="high",
        opened_at=datetime(2026, 3, 2, 8, tzinfo=BOG),
        first_response_at=datetime(2026, 3, 2, 9, tzinfo=BOG),
    )
    targets = SlaPolicy.objects.targets_for(ticket, now=datetime(2026, 3, 3, 9, tzinfo=BOG))
    assert targets["first_response"].met
    assert not targets["first_response"].breached
    late = TicketFactory(
        priority="high",
        opened_at=datetime(2026, 3, 2, 8, tzinfo=BOG),
        first_response_at=datetime(2026, 3, 2, 11, tzinfo=BOG),
    )
    assert SlaPolicy.objects.targets_for(late)["first_response"].breached


def test_no_policy_no_clock(agent_client, service_agent, policy):
    ticket = TicketFactory(assignee=service_agent, priority="low")
    response = agent_client.get(ticket.get_absolute_url())
    assert response.status_code == 200
    assert 'data-testid="sla"' not in response.text
