"""The pipeline report: funnel and conversion, time in stage, ageing deals, win rates."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.accounts.roles import Role
from tests.factories import user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW, at, loaded, make_leaver, moved, opened, pipeline_data_set
from tests.insights.report_pages import chart, figures, links, record_names, records_totals, report_url

URL = report_url("pipeline")
Q4 = {"period": "this_quarter"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def deals(rep, teammate, other_team_rep, north):
    return pipeline_data_set(rep, teammate, other_team_rep, make_leaver(north))


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params or Q4)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("persona", ["rep", "manager", "admin_user"], indirect=True)
def test_reps_managers_and_admins_open_it(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["telemarketer", "marketer", "accountant", "no_role"], indirect=True)
def test_other_roles_are_refused(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 403


def test_funnel_of_the_deals_opened_in_the_period(client, admin_user, deals):
    response = page(client, admin_user)
    funnel = figures(response, "funnel")

    # Deals that got there, share of those opened, share of the stage before.
    assert funnel["Prospecting"] == ["5", "100.0 %", "—"]
    assert funnel["Qualification"] == ["4", "80.0 %", "80.0 %"], "P4 started there, P6 is past it"
    assert funnel["Needs analysis"] == ["3", "60.0 %", "75.0 %"], "P6 has no history: its stage counts"
    assert funnel["Proposal"] == ["2", "40.0 %", "66.7 %"], "P1 skipped needs analysis: it got past it"
    assert funnel["Negotiation"] == ["2", "40.0 %", "100.0 %"]
    assert funnel["Won"] == ["1", "20.0 %", "50.0 %"]
    assert funnel["Opened"] == ["5", "100.0 %", "—"]
    assert "1 of them were lost; 3 are still open." in text(response)


def test_time_in_stage(client, admin_user, deals):
    table = figures(page(client, admin_user), "time_in_stage")

    # Stays ended in the period, their average days, open deals in it today, their days so far.
    # P1 10 days, P2 20, P5 13 (it began in September); P3 has been there 13 days, P7 198.
    assert table["Prospecting"] == ["3", "14.3", "2", "105.5"]
    assert table["Qualification"] == ["3", "12.3", "0", "—"], "P1 10, P2 7, P4 20"
    assert table["Needs analysis"] == ["0", "—", "1", "5.0"]
    assert table["Proposal"] == ["1", "15.0", "1", "43.0"]
    assert table["Negotiation"] == ["0", "—", "1", "16.0"]


def test_ageing_of_the_open_deals(client, admin_user, deals):
    table = figures(page(client, admin_user), "ageing")

    # Open deals, amount, past their expected close.
    assert table["0–30"] == ["2", "900", "0"]
    assert table["31–60"] == ["2", "3,700", "1"]
    assert table["61–90"] == ["0", "0", "0"]
    assert table["181 or more"] == ["1", "100", "1"]
    assert table["Total"] == ["5", "4,700", "2"]


def test_win_rate_and_average_deal_size_per_rep(client, admin_user, deals):
    table = figures(page(client, admin_user), "win_rate")

    # Won, lost, win rate, won amount, average deal size.
    assert table["Andrea Ríos"] == ["1", "1", "50.0 %", "1,000", "1,000"]
    assert table["Bruno Salas"] == ["1", "0", "100.0 %", "2,500", "2,500"]
    assert table["Diego Vargas (left)"] == ["1", "0", "100.0 %", "300", "300"]
    assert table["Total"] == ["3", "1", "75.0 %", "3,800", "1,267"]


def test_a_rep_sees_their_own_pipeline(client, rep, deals):
    response = page(client, rep)

    assert figures(response, "funnel")["Opened"][0] == "3"
    assert figures(response, "funnel")["Needs analysis"][0] == "2"
    assert set(figures(response, "win_rate")) == {"Rep", "Andrea Ríos", "Total"}
    assert figures(response, "ageing")["Total"] == ["2", "500", "1"]


def test_campaign_filter(client, admin_user, rep, deals):
    from tests.leads.factories import LeadCampaignFactory

    fair = LeadCampaignFactory(name="Feria")
    deals["P3"].campaign = fair
    deals["P3"].save()

    response = page(client, admin_user, campaign=fair.pk, **Q4)

    assert figures(response, "funnel")["Opened"][0] == "1"
    assert figures(response, "ageing")["Total"] == ["1", "500", "0"]


def test_every_figure_drills_down(client, admin_user, deals):
    response = page(client, admin_user)

    qualification = client.get(links(response, "funnel")["Qualification"][0])
    stays = client.get(links(response, "time_in_stage")["Prospecting"][0])
    open_proposal = client.get(links(response, "time_in_stage")["Proposal"][2])
    overdue = client.get(links(response, "ageing")["Total"][2])
    andrea_closed = client.get(links(response, "win_rate")["Andrea Ríos"][2])

    assert sorted(record_names(qualification)) == [
        "P1 ganada",
        "P2 perdida",
        "P4 negociando",
        "P6 sin historia",
    ]
    assert sorted(record_names(stays)) == ["P1 ganada", "P2 perdida", "P5 de septiembre"]
    assert record_names(open_proposal) == ["P5 de septiembre"]
    assert sorted(record_names(overdue)) == ["P4 negociando", "P7 vieja"]
    assert records_totals(andrea_closed) == "2 records · Amount 3,000"


def test_the_funnel_chart(client, admin_user, deals):
    data = chart(page(client, admin_user))

    assert data["horizontal"] is True
    assert data["labels"] == [
        "Prospecting",
        "Qualification",
        "Needs analysis",
        "Proposal",
        "Negotiation",
        "Won",
    ]
    assert data["datasets"][0]["data"] == [5.0, 4.0, 3.0, 2.0, 2.0, 1.0]


def test_an_empty_period(client, admin_user, deals):
    response = page(client, admin_user, period="last_year")

    assert "No deals were opened in this period." in text(response)
    assert "No deals were closed in this period." in text(response)
    assert figures(response, "time_in_stage")["Prospecting"] == ["0", "—", "2", "105.5"]


def queries_first_and_again(client) -> tuple[int, int]:
    """The page's queries when nothing is remembered, and when it is read again."""
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        client.get(URL, Q4)
    with CaptureQueriesContext(connection) as again:
        client.get(URL, Q4)
    return len(first.captured_queries), len(again.captured_queries)


def test_the_page_costs_the_same_queries_for_few_or_many_deals(client, admin_user, north, deals):
    client.force_login(admin_user)
    client.get(URL, Q4)
    few = queries_first_and_again(client)
    for index in range(20):
        seller = user_with_role(Role.SALES_REP, team=north, username=f"seller{index}")
        seller.first_name, seller.last_name = "Seller", f"{index:02d}"
        seller.save()
        opened(seller, "10", at(10, 2), "Prospecting", NOW.date(), f"S{index}")
        loaded(seller, "10", at(10, 2), "Won", NOW.date(), f"W{index}", closed_on=NOW.date())

    many = queries_first_and_again(client)

    assert len(figures(client.get(URL, Q4), "win_rate")) == 3 + 20 + 2
    assert many == few


def test_the_history_figures_are_remembered_until_a_deal_moves(client, admin_user, deals):
    client.force_login(admin_user)
    first, again = queries_first_and_again(client)
    assert again < first, "the funnel and the time in stage are not read again"

    moved(deals["P3"], "Qualification", at(11, 13))  # 11 days in prospecting
    response = page(client, admin_user)

    assert figures(response, "funnel")["Qualification"][0] == "5"
    assert figures(response, "time_in_stage")["Prospecting"][:2] == ["4", "13.5"]
