"""The forecast accuracy report: frozen forecast against won per finished month, per rep and
team, and the calibration of each stage's probability."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.accounts.roles import Role
from crm.insights.reports.snapshots import take_forecast_snapshot
from tests.factories import user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW, make_leaver, opportunity, sales_data_set
from tests.insights.report_pages import chart, figures, links, record_names, records_totals, report_url

URL = report_url("forecast-accuracy")
OCTOBER = {"period": "last_month"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def deals(rep, teammate, other_team_rep, north):
    return sales_data_set(rep, teammate, other_team_rep, make_leaver(north))


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params or OCTOBER)
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
    assert client.get(reverse("insights:reports:export_xlsx", args=["forecast-accuracy"])).status_code == 403


def test_forecast_against_won_per_month_and_rep(client, admin_user, deals):
    response = page(client, admin_user)
    months, reps = figures(response, "months"), figures(response, "rep")

    # Deals forecast, forecast (weighted), deals won, won amount, error, error %.
    assert months["October 2026"] == ["4", "1,620", "3", "1,300", "-320", "19.8 %"]
    assert reps["Andrea Ríos"] == ["1", "400", "1", "500", "100", "25.0 %"], "H was won without a forecast"
    assert reps["Bruno Salas"] == ["2", "1,040", "1", "500", "-540", "51.9 %"], "L slipped"
    assert reps["Diego Vargas (left)"] == ["1", "180", "1", "300", "120", "66.7 %"]
    assert "Carla Mejía" not in reps, "nothing was due or won in October on South"
    assert reps["Total"] == months["Total"] == ["4", "1,620", "3", "1,300", "-320", "19.8 %"]


def test_calibration_per_stage_and_brier_score(client, admin_user, deals):
    response = page(client, admin_user)
    stages = figures(response, "calibration")

    # Deals, probability given, deals won in their month, share won, won − given, forecast, won.
    assert stages["Needs analysis"] == ["1", "40.0 %", "0", "0.0 %", "-40.0", "400", "0"]
    assert stages["Proposal"] == ["1", "60.0 %", "1", "100.0 %", "+40.0", "180", "300"]
    assert stages["Negotiation"] == ["2", "80.0 %", "1", "50.0 %", "-30.0", "1,040", "500"]
    assert stages["All stages"] == ["4", "65.0 %", "2", "50.0 %", "-15.0", "1,620", "800"]
    assert list(stages)[1:] == ["Needs analysis", "Proposal", "Negotiation", "All stages"]
    # (0.4−0)² + (0.6−1)² + (0.8−1)² + (0.8−0)² = 1.0, over 4 deals.
    assert "Brier score of the probabilities: 0.250" in text(response)


def test_only_finished_months_with_a_frozen_forecast_count(client, admin_user, deals):
    with time_machine.travel(datetime(2026, 11, 1, 12, tzinfo=UTC), tick=False):
        take_forecast_snapshot()  # November is not over: it must not count yet

    response = page(client, admin_user, period="this_year")

    assert list(figures(response, "months"))[1:] == ["October 2026", "Total"]
    assert "No forecast was frozen when these months began, so they are left out: January 2026" in text(
        response
    )
    assert "September 2026." in text(response)


def test_per_team(client, admin_user, deals):
    teams = figures(page(client, admin_user, group="team", **OCTOBER), "team")

    assert teams["North"] == ["4", "1,620", "3", "1,300", "-320", "19.8 %"]


def test_a_rep_sees_only_their_own_accuracy(client, rep, deals):
    response = page(client, rep)

    assert set(figures(response, "rep")) == {"Rep", "Andrea Ríos", "Total"}
    assert figures(response, "months")["October 2026"] == ["1", "400", "1", "500", "100", "25.0 %"]
    assert figures(response, "calibration")["All stages"][:4] == ["1", "40.0 %", "0", "0.0 %"]


def test_a_period_with_nothing_over(client, admin_user, deals):
    response = page(client, admin_user, period="last_year")

    assert "No month of this period is over with a frozen forecast." in text(response)
    assert "No frozen deal has had its month yet." in text(response)
    assert "Brier" not in text(response)


def test_each_figure_drills_down_to_the_frozen_deals_or_the_won_ones(client, admin_user, deals):
    response = page(client, admin_user)
    bruno = links(response, "rep")["Bruno Salas"]
    negotiation = links(response, "calibration")["Negotiation"]

    frozen = client.get(bruno[1])
    won = client.get(bruno[3])
    won_in_stage = client.get(negotiation[2])

    assert sorted(record_names(frozen)) == sorted([deals["K"].name, deals["L"].name])
    assert records_totals(frozen) == "2 records · Amount 1,300 · Weighted 1,040"
    assert record_names(won) == [deals["K"].name]
    assert record_names(won_in_stage) == [deals["K"].name]


def test_the_chart_shows_forecast_and_won_per_month(client, admin_user, deals):
    data = chart(page(client, admin_user))

    assert data["labels"] == ["October 2026"]
    assert [dataset["data"] for dataset in data["datasets"]] == [[1620.0], [1300.0]]


def test_the_page_costs_the_same_queries_for_few_or_many_reps(client, admin_user, north, deals):
    client.force_login(admin_user)
    client.get(URL, OCTOBER)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, OCTOBER)
    snapshot = deals["snapshot"]
    for index in range(20):
        seller = user_with_role(Role.SALES_REP, team=north, username=f"seller{index}")
        seller.first_name, seller.last_name = "Seller", f"{index:02d}"
        seller.save()
        deal = opportunity(seller, "10", NOW.date().replace(month=10, day=9), "Proposal")
        snapshot.lines.create(
            opportunity=deal,
            owner=seller,
            team=north,
            stage=deal.stage,
            probability=60,
            amount=deal.amount,
            expected_close_date=deal.expected_close_date,
            close_month=deal.expected_close_date.replace(day=1),
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, OCTOBER)

    assert len(figures(response, "rep")) == 3 + 20 + 2
    assert len(many.captured_queries) == len(few.captured_queries)
