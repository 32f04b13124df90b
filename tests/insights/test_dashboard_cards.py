"""Each dashboard card's figures against a hand-built data set, and the records behind them."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.models import Invoice
from contacts.models import Activity
from crm.accounts.roles import Role
from crm.insights.dashboard.models import DashboardLayout
from leads.models import Lead
from service.models import SlaPolicy, Ticket
from tests.accounting.factories import invoice_for
from tests.factories import ActivityFactory, CustomerFactory, TaskFactory, user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW, make_leaver, name_people, opportunity, sales_data_set
from tests.insights.report_pages import record_names, records_totals
from tests.insights.value_data import run
from tests.leads.factories import LeadFactory
from tests.marketing.factories import CampaignFactory
from tests.service.factories import TicketFactory

HOME = reverse("home")
BOGOTA = ZoneInfo("America/Bogota")
TODAY = NOW.date()  # Sunday 15 November 2026; 7:00 in Bogotá


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BOGOTA)


def card(response, slug: str) -> str:
    """The card's text as a person reads it, tags removed and spaces squeezed."""
    page = response.content.decode()
    start = page.index(">", page.index(f'id="card-{slug}"')) + 1
    end = page.find("</section>", start)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[start:end])).split())


def card_links(response, slug: str) -> dict[str, str]:
    """{link text: href} of the card."""
    page = response.content.decode()
    start = page.index(f'id="card-{slug}"')
    body = page[start : page.find("</section>", start)]
    return {
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", label)).split()): html.unescape(href)
        for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', body, re.S)
    }


def home(client, user, *cards: str, **params):
    if cards:
        DashboardLayout.objects.update_or_create(user=user, defaults={"cards": list(cards)})
    client.force_login(user)
    response = client.get(HOME, params)
    assert response.status_code == 200
    return response


@pytest.fixture
def north_manager(north):
    boss = user_with_role(Role.MANAGER, username="north_boss")
    north.manager = boss
    north.save(update_fields=["manager"])
    return boss


# --- sales ------------------------------------------------------------------------------


def test_my_tasks_most_urgent_first(client, rep, teammate):
    TaskFactory(customer=CustomerFactory(owner=rep), assignee=rep, title="Llamar", due_date=TODAY)
    TaskFactory(
        customer=CustomerFactory(owner=rep), assignee=rep, title="Visitar", due_date=date(2026, 11, 2)
    )
    TaskFactory(
        customer=CustomerFactory(owner=rep), assignee=rep, title="Cotizar", due_date=date(2026, 12, 1)
    )
    TaskFactory(customer=CustomerFactory(owner=rep), assignee=teammate, title="Ajeno", due_date=TODAY)

    shown = card(home(client, rep), "my_tasks")

    assert "3 open tasks · 1 overdue · 1 due today" in shown
    assert shown.index("Visitar") < shown.index("Llamar") < shown.index("Cotizar")
    assert "Ajeno" not in shown


def test_my_pipeline_per_stage(client, rep, teammate):
    opportunity(rep, "100", date(2026, 12, 1), "Prospecting", probability=10)
    opportunity(rep, "300", date(2026, 12, 1), "Prospecting", probability=20)
    opportunity(rep, "1000", date(2026, 12, 1), "Proposal", probability=50)
    opportunity(rep, "5000", date(2026, 11, 1), "Won", closed_on=date(2026, 11, 1))
    opportunity(teammate, "7000", date(2026, 12, 1), "Proposal")

    response = home(client, rep)

    shown = card(response, "my_pipeline")
    assert "3 open opportunities · Amount 1,400 · Weighted 570" in shown
    assert "Prospecting 2 400 70" in shown
    assert "Proposal 1 1,000 500" in shown
    links = card_links(response, "my_pipeline")
    assert "owner=mine" in links["2"] and "status=open" in links["2"]
    assert links["3 open opportunities"] == reverse("sales:opportunity_list") + "?status=open&owner=mine"
    chart = client.get(reverse("insights:card_data", args=["my_pipeline"])).json()["chart"]
    assert chart["labels"] == ["Prospecting", "Proposal"]
    assert chart["datasets"][0]["data"] == [400.0, 1000.0]


def test_my_customers_overdue_for_a_follow_up(client, rep):
    late = CustomerFactory(owner=rep, legal_name="Ferretería Norte")
    later = CustomerFactory(owner=rep, legal_name="Panadería Sur")
    TaskFactory(customer=late, assignee=rep, title="Revisión posventa", due_date=date(2026, 11, 5))
    TaskFactory(customer=late, assignee=rep, title="Renovar licencia", due_date=date(2026, 11, 10))
    TaskFactory(customer=later, assignee=rep, title="Noticias", due_date=date(2026, 11, 13))
    TaskFactory(customer=CustomerFactory(owner=rep), assignee=rep, title="A tiempo", due_date=TODAY)

    shown = card(home(client, rep), "follow_ups")

    assert "2 customers with an overdue follow-up" in shown
    assert "Ferretería Norte : Revisión posventa (2 tasks) 10 days late" in shown
    assert "Panadería Sur : Noticias 2 days late" in shown
    assert shown.index("Ferretería") < shown.index("Panadería")
    assert "A tiempo" not in shown


def test_team_pipeline_for_the_teams_manager(client, north_manager, rep, teammate, other_team_rep, north):
    name_people(rep=rep, teammate=teammate, other_team_rep=other_team_rep)
    leaver = make_leaver(north)
    opportunity(rep, "1000", date(2026, 12, 1), "Proposal", probability=50)
    opportunity(teammate, "600", date(2026, 12, 1), "Proposal", probability=50)
    opportunity(leaver, "600", date(2026, 12, 1), "Proposal", probability=50)
    opportunity(other_team_rep, "9000", date(2026, 12, 1), "Proposal")
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])

    shown = card(home(client, north_manager), "team_pipeline")

    assert "3 open opportunities · Amount 2,200 · Weighted 1,100" in shown
    # By amount, a tie by name; someone who left keeps their row.
    assert "Andrea Ríos 1 1,000 500 Bruno Salas 1 600 300 Diego Vargas (left) 1 600 300" in shown
    assert "Carla" not in shown


def test_forecast_against_won_follows_the_period_and_drills_into_the_sales_report(
    client, manager, rep, teammate, other_team_rep, north
):
    deals = sales_data_set(rep, teammate, other_team_rep, make_leaver(north))

    quarter = home(client, manager, period="this_quarter")
    october = home(client, manager, period="last_month")

    assert "Won amount 5,000 Won deals 6 Forecast (weighted) 6,240 Won / forecast 80.1 %" in card(
        quarter, "forecast_vs_won"
    )
    assert "Won amount 1,300 Won deals 3" in card(october, "forecast_vs_won")
    drill = client.get(card_links(quarter, "forecast_vs_won")["5,000"])
    assert records_totals(drill) == "6 records · Amount 5,000"
    assert deals["A"].name in record_names(drill)
    assert card_links(quarter, "forecast_vs_won")["Open"].endswith("?period=this_quarter&group=month")


def test_activity_league_ranks_the_busiest_and_breaks_ties_by_name(
    client, north_manager, rep, teammate, other_team_rep, north
):
    name_people(rep=rep, teammate=teammate, other_team_rep=other_team_rep)
    leaver = make_leaver(north)
    for user, kinds in (
        (rep, ["visit", "call", "email"]),
        (teammate, ["call", "call", "meeting"]),
        (leaver, ["visit"]),
        (other_team_rep, ["call"] * 9),
    ):
        for kind in kinds:
            ActivityFactory(customer=CustomerFactory(), user=user, kind=kind, occurred_at=local(11, 3, 10))
    ActivityFactory(customer=CustomerFactory(), user=leaver, kind="note", occurred_at=local(11, 3, 10))
    ActivityFactory(customer=CustomerFactory(), user=leaver, kind="visit", occurred_at=local(10, 3, 10))
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])

    response = home(client, north_manager)

    # Place, rep, visits, calls, meetings, emails, total.
    shown = card(response, "activity_league")
    assert "1 Andrea Ríos 1 1 0 1 3 2 Bruno Salas 0 2 1 0 3 3 Diego Vargas (left) 1 0 0 0 1" in shown
    assert "Carla" not in shown
    drill = client.get(card_links(response, "activity_league")["2"])
    assert records_totals(drill) == "2 records"


def test_value_segments_of_the_last_run(client, rep, teammate):
    mine = [CustomerFactory(owner=rep, legal_name=f"Mío {index}") for index in range(3)]
    theirs = CustomerFactory(owner=teammate)
    run(date(2026, 11, 14), {mine[0]: "loyal", mine[1]: "loyal", mine[2]: "at_risk", theirs: "loyal"})

    response = home(client, rep, "value_segments")

    shown = card(response, "value_segments")
    assert "3 customers scored as of 11/14/2026" in shown
    assert "Loyal 2 At risk 1" in shown
    drill = client.get(card_links(response, "value_segments")["2"])
    assert sorted(record_names(drill)) == ["Mío 0", "Mío 1"]


# --- telemarketing ----------------------------------------------------------------------


def test_call_queue(client, telemarketer):
    LeadFactory(assigned_to=telemarketer)
    LeadFactory(assigned_to=telemarketer, status=Lead.Status.CONTACTING)
    LeadFactory(assigned_to=telemarketer, callback_at=NOW - timedelta(hours=1))
    LeadFactory(assigned_to=telemarketer, callback_at=local(11, 16, 9))
    LeadFactory(assigned_to=telemarketer, status=Lead.Status.QUALIFIED)
    LeadFactory(assigned_to=user_with_role(Role.TELEMARKETER, username="tm2"))

    shown = card(home(client, telemarketer), "call_queue")

    assert shown.startswith("My call queue Open 3 leads to call now · 1 callback due")
    assert "1 callback later, the next at 11/16/2026 9 a.m." in shown


def test_todays_calls_by_outcome(client, telemarketer):
    for outcome in ("Interested", "Interested", "No answer", ""):
        ActivityFactory(
            customer=CustomerFactory(), user=telemarketer, kind="call", outcome=outcome, occurred_at=NOW
        )
    ActivityFactory(
        customer=CustomerFactory(), user=telemarketer, kind="call", occurred_at=NOW - timedelta(days=1)
    )
    ActivityFactory(customer=CustomerFactory(), user=telemarketer, kind="visit", occurred_at=NOW)

    response = home(client, telemarketer)

    assert "4 calls · 2 reached someone Interested 2 No outcome 1 No answer 1" in card(
        response, "todays_calls"
    )
    assert records_totals(client.get(card_links(response, "todays_calls")["4 calls"])) == "4 records"
    chart = client.get(reverse("insights:card_data", args=["todays_calls"])).json()["chart"]
    assert chart["kind"] == "doughnut"
    assert chart["datasets"][0]["data"] == [2.0, 1.0, 1.0]


# --- service ----------------------------------------------------------------------------


@pytest.fixture
def normal_policy(db):
    return SlaPolicy.objects.create(
        priority=Ticket.Priority.NORMAL, first_response_hours=Decimal(4), resolution_hours=Decimal(20)
    )


def test_ticket_queue(client, service_agent):
    TicketFactory(assignee=service_agent, status=Ticket.Status.NEW)
    TicketFactory(assignee=service_agent, status=Ticket.Status.OPEN, priority=Ticket.Priority.URGENT)
    TicketFactory(assignee=service_agent, status=Ticket.Status.WAITING)
    TicketFactory(assignee=service_agent, status=Ticket.Status.RESOLVED)
    TicketFactory(team=service_agent.team, assignee=None)

    shown = card(home(client, service_agent), "ticket_queue")

    assert "3 open tickets assigned to you 1 new · 1 waiting on the customer 1 high or urgent" in shown
    assert "1 ticket of your team nobody has taken" in shown


def test_sla_clocks_breached_first_in_business_hours(client, service_agent, normal_policy):
    # Sunday morning: the clock stands at Friday 18:00.
    soon = TicketFactory(assignee=service_agent, subject="Pronto", opened_at=local(11, 13, 16))
    late = TicketFactory(assignee=service_agent, subject="Tarde", opened_at=local(11, 12, 9))
    unresolved = TicketFactory(
        assignee=service_agent,
        subject="Sin resolver",
        opened_at=local(11, 11, 9),
        first_response_at=local(11, 11, 9, 30),
    )
    TicketFactory(assignee=service_agent, subject="Sin política", priority=Ticket.Priority.HIGH)
    TicketFactory(subject="De otro", opened_at=local(11, 2, 9))

    shown = card(home(client, service_agent), "sla_clocks")

    assert "3 open tickets with a target · 2 breached" in shown
    assert shown.index(str(late)) < shown.index(str(unresolved)) < shown.index(str(soon))
    assert f"{late} · {late.customer.legal_name} · First response breached 15 h 0 min ago" in shown
    assert f"{unresolved} · {unresolved.customer.legal_name} · Resolution breached 9 h 0 min ago" in shown
    assert f"{soon} · {soon.customer.legal_name} · First response 2 h 0 min left" in shown
    assert "Sin política" not in shown and "De otro" not in shown


def test_service_in_the_period_links_to_the_service_report(client, service_agent, normal_policy):
    TicketFactory(assignee=service_agent, opened_at=local(11, 2, 9), resolved_at=local(11, 2, 10))
    TicketFactory(assignee=service_agent, opened_at=local(11, 3, 9), resolved_at=local(11, 6, 9))
    TicketFactory(assignee=service_agent, opened_at=local(10, 3, 9))

    response = home(client, service_agent)

    assert "Opened 2 Resolved 2 Resolved within SLA 50.0 %" in card(response, "service_period")
    assert records_totals(client.get(card_links(response, "service_period")["2"])) == "2 records"


# --- accounting -------------------------------------------------------------------------


def test_invoices_due_soon_and_overdue_by_age(client, accountant, customer):
    def invoice(due: date, total: str, paid: str = "0") -> Invoice:
        made = invoice_for(customer)
        Invoice.objects.filter(pk=made.pk).update(
            due_date=due, total=Decimal(total), amount_paid=Decimal(paid)
        )
        return made

    soon = invoice(TODAY + timedelta(days=3), "1000", paid="400")
    invoice(TODAY + timedelta(days=30), "5000")
    invoice(TODAY - timedelta(days=10), "100")
    invoice(TODAY - timedelta(days=30), "200")
    invoice(TODAY - timedelta(days=45), "300")
    invoice(TODAY - timedelta(days=120), "400")
    invoice(TODAY - timedelta(days=50), "999", paid="999")

    response = home(client, accountant)

    assert f"1 invoice due in the next 14 days · Balance 600 {soon.number}" in card(response, "invoices_due")
    overdue = card(response, "invoices_overdue")
    assert "4 invoices overdue · Balance 1,000" in overdue
    assert "1-30 days 2 300 31-60 days 1 300 61-90 days 0 0 Over 90 days 1 400" in overdue
    chart = client.get(reverse("insights:card_data", args=["invoices_overdue"])).json()["chart"]
    assert chart["datasets"][0]["data"] == [300.0, 300.0, 0.0, 400.0]


# --- marketing --------------------------------------------------------------------------


def test_campaign_results_of_the_period(client, marketer):
    mine = CampaignFactory(owner=marketer, actual_cost=Decimal(200), start_date=date(2026, 11, 1))
    leads = [LeadFactory(campaign=mine) for _index in range(4)]
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(created_at=NOW)
    CampaignFactory(actual_cost=Decimal(999), start_date=date(2026, 11, 1))  # someone else's

    response = home(client, marketer)

    assert "1 campaign in the period Leads 4 Opportunities 0 Revenue won 0 Cost 200" in card(
        response, "campaign_results"
    )
    assert records_totals(client.get(card_links(response, "campaign_results")["4"])) == "4 records"


# --- query counts -----------------------------------------------------------------------


def test_a_managers_page_costs_the_same_for_few_or_many_reps(client, north_manager, north):
    client.force_login(north_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(HOME)
        return len(queries)

    def add_rep(index: int) -> None:
        seller = user_with_role(Role.SALES_REP, team=north, username=f"seller{index}")
        opportunity(seller, "100", date(2026, 12, 1), "Proposal")
        opportunity(seller, "100", date(2026, 11, 2), "Won", closed_on=date(2026, 11, 2))
        ActivityFactory(
            customer=CustomerFactory(owner=seller), user=seller, kind=Activity.Kind.CALL, occurred_at=NOW
        )

    add_rep(0)
    client.get(HOME)
    few = count()
    for index in range(1, 16):
        add_rep(index)

    assert count() == few
    assert "and 8 more" in text(client.get(HOME))
