"""The service report: tickets opened and resolved, SLA compliance and satisfaction per agent and product."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from crm.accounts.roles import Role
from service.models import SlaPolicy, Ticket
from tests.factories import user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW
from tests.insights.report_pages import chart, figures, links, record_names, records_totals, report_url
from tests.sales.factories import ProductFactory
from tests.service.factories import TicketFactory
from tests.test_security import assert_strict_csp

URL = report_url("service")
RECORDS = reverse("insights:reports:records", args=["service"])
BOGOTA = ZoneInfo("America/Bogota")
HEADER = "Agent"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BOGOTA)


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def tickets(service_agent, south):
    """November 2026 (this month on the 15th). Normal tickets: a first response within 4
    business hours, a resolution within 20; high ones have no policy."""
    SlaPolicy.objects.create(
        priority=Ticket.Priority.NORMAL, first_response_hours=Decimal(4), resolution_hours=Decimal(20)
    )
    agent = named(service_agent, "Ana", "Beltrán")
    elena = named(user_with_role(Role.SERVICE_AGENT, team=south, username="elena"), "Elena", "Cruz")
    gone = named(user_with_role(Role.SERVICE_AGENT, team=south, username="gone"), "Gabriel", "Duque")
    printer = ProductFactory(code="P-PRN", name="Impresora")
    scanner = ProductFactory(code="P-SCN", name="Escáner")
    made = {
        # Answered in an hour, resolved after 11 business hours, rated 5.
        "quick": TicketFactory(
            assignee=agent, product=printer, opened_at=at(11, 2, 9), first_response_at=at(11, 2, 10),
            resolved_at=at(11, 3, 10), status=Ticket.Status.RESOLVED, satisfaction_rating=5,
            satisfaction_at=at(11, 3, 12),
        ),
        # Answered after 5 hours (due at 13:00), resolved on Thursday (due Wednesday 9:00), rated 3.
        "slow": TicketFactory(
            assignee=agent, product=printer, opened_at=at(11, 2, 9), first_response_at=at(11, 2, 14),
            resolved_at=at(11, 5, 9), status=Ticket.Status.RESOLVED, satisfaction_rating=3,
            satisfaction_at=at(11, 5, 12),
        ),
        "waiting": TicketFactory(
            assignee=elena, product=scanner, opened_at=at(11, 3, 9), first_response_at=at(11, 3, 9, 30),
            status=Ticket.Status.OPEN,
        ),
        # Opened in October by an agent who has left since; resolved late in November, rated 4.
        "left": TicketFactory(
            assignee=gone, product=scanner, opened_at=at(10, 28, 9), first_response_at=at(10, 28, 10),
            resolved_at=at(11, 4, 9), status=Ticket.Status.CLOSED, satisfaction_rating=4,
            satisfaction_at=at(11, 4, 12),
        ),
        # Nobody's, no product, a priority without a policy.
        "orphan": TicketFactory(
            priority=Ticket.Priority.HIGH, opened_at=at(11, 10, 9), resolved_at=at(11, 10, 11),
            status=Ticket.Status.RESOLVED,
        ),
        "october": TicketFactory(
            assignee=agent, product=printer, opened_at=at(10, 1, 9), first_response_at=at(10, 1, 9, 5),
            resolved_at=at(10, 2, 9), status=Ticket.Status.RESOLVED,
        ),
    }  # fmt: skip
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    return {**made, "agent": agent, "elena": elena, "gone": gone, "printer": printer, "scanner": scanner}


@pytest.fixture
def south_manager(south):
    boss = user_with_role(Role.MANAGER, username="south_boss")
    south.manager = boss
    south.save(update_fields=["manager"])
    return boss


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


# --- who may open it --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["service_agent", "manager", "admin_user"], indirect=True)
def test_agents_managers_and_admins_open_the_report_and_its_exports(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 200
    assert client.get(reverse("insights:reports:export_csv", args=["service"])).status_code == 200
    assert client.get(reverse("insights:reports:export_xlsx", args=["service"])).status_code == 200
    assert client.get(RECORDS, {"measure": "opened"}).status_code == 200


@pytest.mark.parametrize(
    "persona", ["rep", "telemarketer", "marketer", "accountant", "no_role"], indirect=True
)
def test_other_roles_are_refused(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 403
    assert client.get(RECORDS, {"measure": "opened"}).status_code == 403


# --- the figures ------------------------------------------------------------------------


def test_figures_per_agent_with_totals(client, admin_user, tickets):
    table = figures(page(client, admin_user), "service")

    # Opened, resolved, resolved within SLA, resolved late, first response within SLA,
    # first responses late, satisfaction, ratings.
    assert table["Ana Beltrán"] == ["2", "2", "50.0 %", "1", "50.0 %", "1", "4.0", "2"]
    assert table["Elena Cruz"] == ["1", "0", "—", "0", "100.0 %", "0", "—", "0"]
    assert table["Gabriel Duque (left)"] == ["0", "1", "0.0 %", "1", "—", "0", "4.0", "1"]
    assert table["Not assigned"] == ["1", "1", "—", "0", "—", "0", "—", "0"]
    assert table["Total"] == ["4", "4", "33.3 %", "2", "66.7 %", "1", "4.0", "3"]
    assert list(table)[1:-1] == ["Ana Beltrán", "Elena Cruz", "Gabriel Duque (left)", "Not assigned"]


def test_figures_per_product_and_team(client, admin_user, tickets):
    products = figures(page(client, admin_user, group="product"), "service")
    teams = figures(page(client, admin_user, group="team"), "service")

    assert products["P-PRN · Impresora"] == ["2", "2", "50.0 %", "1", "50.0 %", "1", "4.0", "2"]
    assert products["P-SCN · Escáner"] == ["1", "1", "0.0 %", "1", "100.0 %", "0", "4.0", "1"]
    assert products["No product"] == ["1", "1", "—", "0", "—", "0", "—", "0"]
    assert teams["South"] == ["3", "3", "33.3 %", "2", "66.7 %", "1", "4.0", "3"]
    assert teams["No team"] == ["1", "1", "—", "0", "—", "0", "—", "0"]


def test_an_empty_period_and_a_product_filter(client, admin_user, tickets):
    empty = page(client, admin_user, period="last_year")
    scanner = figures(page(client, admin_user, product=tickets["scanner"].pk), "service")
    october = figures(page(client, admin_user, period="last_month"), "service")

    assert figures(empty, "service")["Total"] == ["0", "0", "—", "0", "—", "0", "—", "0"]
    assert "No ticket was opened, answered, resolved or rated in this period." in text(empty)
    assert set(scanner) == {HEADER, "Elena Cruz", "Gabriel Duque (left)", "Total"}
    assert october["Ana Beltrán"] == ["1", "1", "100.0 %", "0", "100.0 %", "0", "—", "0"]
    assert october["Gabriel Duque (left)"][:2] == ["1", "0"]


# --- who sees whose figures -------------------------------------------------------------


def test_an_agent_sees_only_their_own_tickets(client, tickets):
    response = page(client, tickets["agent"])

    table = figures(response, "service")
    assert set(table) == {HEADER, "Ana Beltrán", "Total"}
    assert 'name="team"' not in response.content.decode()


def test_an_agent_cannot_reach_a_colleagues_tickets_through_the_url(client, tickets):
    client.force_login(tickets["agent"])

    drill = client.get(RECORDS, {"measure": "opened", "key": f"agent:{tickets['elena'].pk}"})

    assert records_totals(drill).startswith("0 records")


def test_a_manager_sees_their_teams_tickets_and_an_admin_all(client, south_manager, admin_user, tickets):
    south = figures(page(client, south_manager), "service")

    assert set(south) == {HEADER, "Ana Beltrán", "Elena Cruz", "Gabriel Duque (left)", "Total"}
    assert south["Total"][:2] == ["3", "3"]
    assert figures(page(client, admin_user), "service")["Total"][:2] == ["4", "4"]


# --- the agent filter -------------------------------------------------------------------


def agent_options(response) -> list[str]:
    choices = text(response).split('name="rep"')[1].split("</select>")[0]
    return re.findall(r'<option value="(?:\d*)"(?: selected)?>([^<]+)</option>', choices)


def test_the_agent_filter_narrows_the_figures_the_chart_and_the_exports(client, admin_user, tickets):
    ana = {"rep": tickets["agent"].pk}
    response = page(client, admin_user, **ana)
    products = figures(page(client, admin_user, group="product", **ana), "service")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("insights:reports:export_csv", args=["service"]), ana).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )

    table = figures(response, "service")
    assert set(table) == {HEADER, "Ana Beltrán", "Total"}
    assert table["Total"] == ["2", "2", "50.0 %", "1", "50.0 %", "1", "4.0", "2"]
    assert chart(response)["labels"] == ["Ana Beltrán"]
    assert set(products) == {"Product", "P-PRN · Impresora", "Total"}
    assert rows[-1] == ["Total", "2", "2", "50.0", "1", "50.0", "1", "4.0", "2"]
    assert "Some filters were not valid" not in text(response)


def test_the_agent_filter_holds_in_the_drill_down(client, admin_user, tickets):
    total = links(page(client, admin_user, rep=tickets["gone"].pk), "service")["Total"]

    assert f"rep={tickets['gone'].pk}" in total[1]
    assert record_names(client.get(total[1])) == [str(tickets["left"])]
    assert records_totals(client.get(total[6])) == "1 record"


def test_the_agent_filter_offers_the_managers_agents_and_who_left(client, south_manager, tickets):
    named(south_manager, "Sara", "Jefe")

    response = page(client, south_manager)

    assert "Agent" in text(response).split('name="rep"')[0].rsplit("<label", 1)[1]
    assert agent_options(response) == [
        "All agents", "Ana Beltrán", "Elena Cruz", "Gabriel Duque (left)", "Sara Jefe",
    ]  # fmt: skip
    elena = figures(page(client, south_manager, rep=tickets["elena"].pk), "service")
    assert set(elena) == {HEADER, "Elena Cruz", "Total"}
    assert elena["Total"][:2] == ["1", "0"]


def test_an_agent_outside_the_managers_teams_cannot_be_chosen(client, south_manager, north, tickets):
    outsider = named(user_with_role(Role.SERVICE_AGENT, team=north, username="norte"), "Nora", "Norte")
    TicketFactory(assignee=outsider, team=north, opened_at=at(11, 6, 9))
    client.force_login(south_manager)

    response = client.get(URL, {"rep": outsider.pk})
    drill = client.get(RECORDS, {"measure": "opened", "rep": outsider.pk})

    assert response.status_code == 200
    assert "Some filters were not valid and were left out" in text(response)
    table = figures(response, "service")
    assert "Nora Norte" not in table
    assert table["Total"][:2] == ["3", "3"], "the manager's own teams, as without the filter"
    assert records_totals(drill) == "3 records"
    assert "Nora Norte" not in text(drill)


def test_an_agent_has_no_agent_filter_and_cannot_see_a_colleague_through_it(client, tickets):
    client.force_login(tickets["agent"])
    elena = {"rep": tickets["elena"].pk}

    response = client.get(URL, elena)
    drill = client.get(RECORDS, {"measure": "opened", **elena})
    export = client.get(reverse("insights:reports:export_csv", args=["service"]), elena)

    assert 'name="rep"' not in response.content.decode()
    assert set(figures(response, "service")) == {HEADER, "Ana Beltrán", "Total"}
    assert sorted(record_names(drill)) == sorted(str(tickets[key]) for key in ("quick", "slow"))
    assert "Elena Cruz" not in export.content.decode("utf-8-sig")


def test_bad_agent_filters_are_reported_and_left_out(client, admin_user, rep, tickets):
    client.force_login(admin_user)

    # Not a number, nobody, and a sales rep (not someone who handles tickets).
    for value in ("abc", "999999", "-1", str(rep.pk)):
        response = client.get(URL, {"rep": value})
        drill = client.get(RECORDS, {"measure": "opened", "rep": value})
        assert response.status_code == 200, value
        assert "Some filters were not valid and were left out" in text(response), value
        assert figures(response, "service")["Total"][:2] == ["4", "4"], value
        assert records_totals(drill) == "4 records", value


def test_the_agent_filter_costs_the_same_queries_for_few_or_many_agents(client, admin_user, south, tickets):
    client.force_login(admin_user)
    ana = {"rep": tickets["agent"].pk}
    client.get(URL, ana)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, ana)
    for index in range(15):
        agent = user_with_role(Role.SERVICE_AGENT, team=south, username=f"agent{index}")
        TicketFactory(assignee=agent, opened_at=at(11, 5, 9), resolved_at=at(11, 6, 9))
        TicketFactory(assignee=tickets["agent"], product=ProductFactory(), opened_at=at(11, 5, 9))

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, ana)

    assert figures(response, "service")["Total"][0] == "17"
    assert len(many.captured_queries) == len(few.captured_queries)


# --- drill-down, chart, exports ---------------------------------------------------------


def test_every_figure_links_to_the_tickets_behind_it(client, admin_user, tickets):
    response = page(client, admin_user)
    ana = links(response, "service")["Ana Beltrán"]
    total = links(response, "service")["Total"]

    assert all(ana)
    assert sorted(record_names(client.get(ana[0]))) == sorted(str(tickets[key]) for key in ("quick", "slow"))
    assert record_names(client.get(ana[3])) == [str(tickets["slow"])]
    assert record_names(client.get(ana[5])) == [str(tickets["slow"])]
    assert records_totals(client.get(ana[6])) == "2 records"
    assert records_totals(client.get(total[2])) == "3 records"
    assert sorted(record_names(client.get(total[3]))) == sorted(str(tickets[key]) for key in ("slow", "left"))


@pytest.mark.parametrize("group", ["agent", "product"])
def test_each_count_is_the_number_of_tickets_behind_its_link(client, admin_user, tickets, group):
    response = page(client, admin_user, group=group)
    shown, linked = figures(response, "service"), links(response, "service")

    # Opened, resolved, resolved late, first responses late, ratings.
    checked = 0
    for label, hrefs in linked.items():
        for column in (0, 1, 3, 5, 7):
            if hrefs and hrefs[column]:
                count = int(shown[label][column])
                assert records_totals(client.get(hrefs[column])) == f"{count} record{'s' * (count != 1)}"
                assert len(record_names(client.get(hrefs[column]))) == count
                checked += 1
    assert checked >= 10


def test_a_drill_down_link_that_names_no_figure_gets_a_message(client, admin_user, tickets):
    client.force_login(admin_user)

    for params in (
        {"measure": "nope"},
        {"measure": "opened", "key": "agent:x"},
        {"measure": "opened", "key": "z:1"},
    ):
        response = client.get(RECORDS, params)
        assert response.status_code == 400, params


def test_the_chart_shows_opened_and_resolved(client, admin_user, tickets):
    data = chart(page(client, admin_user))

    assert data["labels"] == ["Ana Beltrán", "Elena Cruz", "Gabriel Duque (left)", "Not assigned"]
    assert data["datasets"][0]["data"] == [2.0, 1.0, 0.0, 1.0]
    assert data["datasets"][1]["data"] == [2.0, 0.0, 1.0, 1.0]
    assert data["money"] is False


def test_exports_are_formula_safe_and_keep_numbers(client, admin_user, tickets):
    named(tickets["agent"], "@SUM(A1)", "")
    client.force_login(admin_user)

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("insights:reports:export_csv", args=["service"])).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    workbook = client.get(reverse("insights:reports:export_xlsx", args=["service"]))
    values = [
        [cell.value for cell in row]
        for row in load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).worksheets[0].iter_rows()
    ]

    assert rows[0] == [
        "Agent", "Opened", "Resolved", "Resolved within SLA (%)", "Resolved late",
        "First response within SLA (%)", "First response late", "Satisfaction (1-5)", "Ratings",
    ]  # fmt: skip
    assert rows[1] == ["'@SUM(A1)", "2", "2", "50.0", "1", "50.0", "1", "4.0", "2"]
    assert rows[-1] == ["Total", "4", "4", "33.3", "2", "66.7", "1", "4.0", "3"]
    assert values[1][:3] == ["'@SUM(A1)", 2, 2]


def test_the_page_costs_the_same_queries_for_few_or_many_agents(client, admin_user, south, tickets):
    client.force_login(admin_user)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for index in range(15):
        agent = user_with_role(Role.SERVICE_AGENT, team=south, username=f"agent{index}")
        TicketFactory(
            assignee=agent, product=ProductFactory(), opened_at=at(11, 5, 9), resolved_at=at(11, 6, 9)
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
        products = client.get(URL, {"group": "product"})

    assert len(figures(response, "service")) == 1 + 4 + 15 + 1
    assert len(figures(products, "service")) == 1 + 3 + 15 + 1
    assert len(many.captured_queries) == 2 * len(few.captured_queries)


def test_the_report_renders_in_spanish_under_the_strict_csp(client, admin_user):
    admin_user.language = "es"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    response = client.get(URL)

    assert response.status_code == 200
    assert 'lang="es"' in text(response)
    assert_strict_csp(response)
