from datetime import UTC, datetime

import pytest
import time_machine

from contacts.models import Activity
from service import services
from service.models import Ticket
from tests.factories import CustomerFactory, user_with_role
from tests.service.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_open_ticket_files_it_under_the_openers_team(service_agent, customer):
    ticket = services.open_ticket(ticket=Ticket(subject="Pantalla rota"), customer=customer, by=service_agent)
    ticket.refresh_from_db()
    assert ticket.customer == customer
    assert ticket.team == service_agent.team
    assert ticket.status == Ticket.Status.NEW
    assert ticket.created_by == service_agent


def test_open_ticket_with_assignee_takes_the_assignees_team(service_agent, customer, north):
    colleague = user_with_role("Service agent", team=north)
    ticket = services.open_ticket(
        ticket=Ticket(subject="Pantalla rota", assignee=colleague), customer=customer, by=service_agent
    )
    assert ticket.team == north


def test_assign_moves_the_ticket_to_the_assignees_team(service_agent, manager, north):
    ticket = TicketFactory(assignee=service_agent)
    colleague = user_with_role("Service agent", team=north)
    services.assign(ticket=ticket, assignee=colleague, by=manager)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team) == (colleague, north)


def test_resolving_stamps_resolved_at_and_reopening_clears_it(service_agent):
    ticket = TicketFactory(assignee=service_agent)
    services.change_status(ticket=ticket, status=Ticket.Status.RESOLVED, by=service_agent)
    ticket.refresh_from_db()
    assert ticket.resolved_at is not None
    services.change_status(ticket=ticket, status=Ticket.Status.OPEN, by=service_agent)
    ticket.refresh_from_db()
    assert ticket.resolved_at is None
    assert ticket.status == Ticket.Status.OPEN


def test_change_status_refuses_an_unknown_status(service_agent):
    ticket = TicketFactory(assignee=service_agent)
    with pytest.raises(ValueError, match="bogus"):
        services.change_status(ticket=ticket, status="bogus", by=service_agent)


def test_first_public_reply_sets_first_response_and_opens_the_ticket(service_agent):
    ticket = TicketFactory(assignee=service_agent)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        services.add_reply(ticket=ticket, body="Nota interna", by=service_agent, internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.status == Ticket.Status.OPEN
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        services.add_reply(ticket=ticket, body="Hola, ya lo revisamos", by=service_agent)
    with time_machine.travel(datetime(2026, 3, 2, 11, 0, tzinfo=UTC), tick=False):
        services.add_reply(ticket=ticket, body="Segunda respuesta", by=service_agent)
    ticket.refresh_from_db()
    assert ticket.first_response_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_replies_and_notes_show_on_the_customer_timeline(service_agent):
    ticket = TicketFactory(assignee=service_agent)
    services.add_reply(ticket=ticket, body="Hola", by=service_agent)
    services.add_reply(ticket=ticket, body="Cliente molesto", by=service_agent, internal=True)
    activities = list(Activity.objects.filter(customer=ticket.customer).order_by("pk"))
    assert [a.kind for a in activities] == [Activity.Kind.EMAIL, Activity.Kind.NOTE]
    assert [a.notes for a in activities] == ["Hola", "Cliente molesto"]
    assert all(a.related == ticket for a in activities)


def test_agents_see_own_and_team_tickets_managers_see_all(service_agent, manager, south, north, no_role):
    own = TicketFactory(assignee=service_agent)
    team_ticket = TicketFactory(team=south)
    other = TicketFactory(team=north)
    assert set(Ticket.objects.visible_to(service_agent)) == {own, team_ticket}
    assert set(Ticket.objects.visible_to(manager)) == {own, team_ticket, other}
    assert not Ticket.objects.visible_to(no_role).exists()


def test_reps_read_tickets_of_customers_they_can_see(rep, teammate, other_team_rep, customer, north):
    on_my_customer = TicketFactory(customer=customer)
    elsewhere = TicketFactory(customer=CustomerFactory())
    assert set(Ticket.objects.visible_to(rep)) == {on_my_customer}
    assert set(Ticket.objects.visible_to(teammate)) == {on_my_customer}
    assert not Ticket.objects.visible_to(other_team_rep).filter(pk__in=[on_my_customer.pk, elsewhere.pk])
