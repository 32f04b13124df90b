"""The activity report: visits, calls, meetings and emails per rep and period, call outcomes,
rejections, proposals and telemarketing rates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Activity
from crm.accounts.roles import Role
from tests.factories import user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW, activity_data_set, did, local, make_leaver
from tests.insights.report_pages import chart, figures, links, record_names, records_totals, report_url

URL = report_url("activity")
NOVEMBER = {"period": "this_month", "granularity": "week"}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data(rep, teammate, other_team_rep, north, telemarketer):
    return activity_data_set(rep, teammate, other_team_rep, make_leaver(north), telemarketer)


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params or NOVEMBER)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("persona", ["rep", "telemarketer", "manager", "admin_user"], indirect=True)
def test_reps_telemarketers_managers_and_admins_open_it(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["marketer", "accountant", "service_agent", "no_role"], indirect=True)
def test_other_roles_are_refused(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 403


def test_visits_calls_meetings_and_emails_per_rep(client, admin_user, data):
    table = figures(page(client, admin_user), "by_rep")

    assert table["Rep"] == ["Visits", "Calls", "Meetings", "Emails", "Total"]
    assert table["Andrea Ríos"] == ["1", "2", "1", "1", "5"], "the note is left out"
    assert table["Bruno Salas"] == ["1", "1", "0", "0", "2"], "the visit of 31 October (Bogotá) is left out"
    assert table["Carla Mejía"] == ["0", "0", "0", "1", "1"]
    assert table["Diego Vargas (left)"] == ["0", "1", "0", "0", "1"]
    assert table["Tania Torres"] == ["0", "4", "0", "0", "4"]
    assert table["Total"] == ["2", "8", "1", "2", "13"]


def test_per_week_per_day_and_per_month(client, admin_user, data):
    weeks = figures(page(client, admin_user), "by_period")
    days = figures(page(client, admin_user, period="this_month", granularity="day"), "by_period")
    months = figures(page(client, admin_user, period="this_month", granularity="month"), "by_period")

    assert list(weeks)[1:] == [
        "Week of 10/26/2026",
        "Week of 11/02/2026",
        "Week of 11/09/2026",
        "Week of 11/16/2026",
        "Week of 11/23/2026",
        "Week of 11/30/2026",
        "Total",
    ], "every week of the month, empty ones too"
    assert weeks["Week of 10/26/2026"] == ["1", "0", "0", "0", "1"]
    assert weeks["Week of 11/02/2026"] == ["1", "6", "0", "2", "9"]
    assert weeks["Week of 11/23/2026"] == ["0", "0", "0", "0", "0"]
    assert days["11/10/2026"] == ["0", "1", "0", "0", "1"], "23:30 in Bogotá is still the 10th"
    assert days["11/11/2026"] == ["0", "0", "0", "0", "0"]
    assert len(days) == 1 + 30 + 1
    assert months["November 2026"] == ["2", "8", "1", "2", "13"]


@override_settings(TIME_ZONE="America/Santiago")
def test_days_follow_the_local_clock_when_it_changes_at_midnight(client, admin_user, rep):
    # Santiago's clocks went back at midnight on 5 April 2026 and forward on 6 September.
    for moment in ("04-05 02:30", "04-05 03:30", "04-05 04:30", "09-06 03:30", "09-06 04:30"):
        did(rep, Activity.Kind.CALL, datetime.fromisoformat(f"2026-{moment}").replace(tzinfo=UTC))

    response = page(
        client, admin_user, period="custom", start="2026-04-04", end="2026-09-06", granularity="day"
    )
    days = figures(response, "by_period")

    assert days["04/04/2026"][1] == "2", "23:30 before and after the clocks went back"
    assert days["04/05/2026"][1] == "1"
    assert days["09/05/2026"][1] == "1"
    assert days["09/06/2026"][1] == "1", "01:30, just after the clocks went forward"
    assert records_totals(client.get(links(response, "by_period")["04/04/2026"][1])) == "2 records"


def test_calls_by_outcome(client, admin_user, data):
    table = figures(page(client, admin_user), "outcomes")

    assert table["No answer"] == ["3", "37.5 %"]
    assert table["Interested"] == ["2", "25.0 %"]
    assert table["No outcome logged"] == ["1", "12.5 %"]
    assert list(table)[1:] == [
        "No answer",
        "Interested",
        "No outcome logged",
        "Busy",
        "Not interested",
        "Total",
    ]
    assert table["Total"] == ["8", "100.0 %"]


def test_rejections_by_reason(client, admin_user, data):
    response = page(client, admin_user)
    lost, disqualified = figures(response, "lost"), figures(response, "disqualified")

    assert lost["Price"] == ["2", "10,099"]
    assert lost["No reason given"] == ["1", "50"]
    assert lost["Total"] == ["3", "10,149"], "October's loss is left out"
    assert disqualified["No need"] == ["1"]
    assert disqualified["No reason given"] == ["1"]
    assert disqualified["Total"] == ["2"]


def test_proposals_and_revisions_per_opportunity(client, admin_user, data):
    table = figures(page(client, admin_user), "proposals")

    assert list(table)[1:] == ["Alfa renovación", "Beta ampliación", "Gamma equipos", "All 3 opportunities"]
    assert table["Alfa renovación"] == ["2", "1"], "a tie with Beta, sorted by name"
    assert table["Gamma equipos"] == ["1", "0"], "its October proposal is left out"
    assert table["All 3 opportunities"] == ["5", "2"]


def test_telemarketers_contact_and_conversion_rates(client, admin_user, data):
    table = figures(page(client, admin_user), "telemarketing")

    # Calls, reached, contact rate, leads called, qualified or converted, conversion rate.
    assert table["Tania Torres"] == ["4", "2", "50.0 %", "3", "1", "33.3 %"]
    assert set(table) == {"Telemarketer", "Tania Torres", "Total"}, "reps' calls are not telemarketing"


def test_who_sees_whose_activity(client, rep, telemarketer, north, manager, data):
    boss = user_with_role(Role.MANAGER, username="north_boss")
    north.manager = boss
    north.save()

    mine = page(client, rep)
    tania = page(client, telemarketer)
    north_view = page(client, boss)

    assert set(figures(mine, "by_rep")) == {"Rep", "Andrea Ríos", "Total"}
    assert figures(mine, "lost")["Total"] == ["1", "9,999"]
    assert figures(mine, "proposals")["All 2 opportunities"] == ["3", "1"]
    assert figures(mine, "telemarketing")["Total"] == ["0", "0", "—", "0", "0", "—"]
    assert set(figures(tania, "by_rep")) == {"Rep", "Tania Torres", "Total"}
    assert figures(tania, "disqualified")["Total"] == ["2"]
    assert "Carla Mejía" not in figures(north_view, "by_rep")
    assert figures(north_view, "by_rep")["Total"] == ["2", "8", "1", "1", "12"]


def test_rep_filter_narrows_every_table(client, admin_user, teammate, data):
    response = page(client, admin_user, rep=teammate.pk, **NOVEMBER)

    assert set(figures(response, "by_rep")) == {"Rep", "Bruno Salas", "Total"}
    assert figures(response, "lost")["Total"] == ["1", "100"]
    assert figures(response, "proposals")["All 1 opportunities"] == ["2", "1"]


def test_figures_drill_down_to_activities_leads_deals_and_quotes(client, admin_user, data):
    response = page(client, admin_user)

    andrea_calls = client.get(links(response, "by_rep")["Andrea Ríos"][1])
    week_visits = client.get(links(response, "by_period")["Week of 10/26/2026"][0])
    no_answer = client.get(links(response, "outcomes")["No answer"][0])
    price = client.get(links(response, "lost")["Price"][1])
    no_need = client.get(links(response, "disqualified")["No need"][0])
    alfa_revisions = client.get(links(response, "proposals")["Alfa renovación"][1])
    converted = client.get(links(response, "telemarketing")["Tania Torres"][4])
    reached = client.get(links(response, "telemarketing")["Tania Torres"][2])

    assert records_totals(andrea_calls) == "2 records"
    assert records_totals(week_visits) == "1 record"
    assert records_totals(no_answer) == "3 records"
    assert records_totals(price) == "2 records · Amount 10,099"
    assert records_totals(no_need) == "1 record"
    assert records_totals(alfa_revisions) == "1 record · Amount 0"
    assert records_totals(converted) == "1 record"
    assert record_names(converted) == [data["qualified"].customer.legal_name]
    assert records_totals(reached) == "2 records"


def test_the_chart_stacks_the_kinds_per_week(client, admin_user, data):
    data_ = chart(page(client, admin_user))

    assert data_["stacked"] is True and data_["money"] is False
    assert [dataset["label"] for dataset in data_["datasets"]] == ["Visit", "Call", "Meeting", "Email"]
    assert data_["datasets"][1]["data"] == [0.0, 6.0, 1.0, 1.0, 0.0, 0.0]


def test_csv_export_of_one_table(client, admin_user, data):
    client.force_login(admin_user)

    response = client.get(
        reverse("insights:reports:export_csv", args=["activity"]), {**NOVEMBER, "table": "outcomes"}
    )

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Outcome,Calls,Share (%)"
    assert lines[1] == "No answer,3,37.5"
    assert lines[-1] == "Total,8,100.0"


def test_the_page_costs_the_same_queries_for_few_or_many_people(client, admin_user, north, data):
    client.force_login(admin_user)
    client.get(URL, NOVEMBER)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, NOVEMBER)
    for index in range(20):
        caller = user_with_role(Role.TELEMARKETER, team=north, username=f"caller{index}")
        caller.first_name, caller.last_name = "Caller", f"{index:02d}"
        caller.save()
        did(caller, Activity.Kind.CALL, local(11, 12), f"Outcome {index}")

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, NOVEMBER)

    assert len(figures(response, "telemarketing")) == 1 + 21 + 1
    assert len(many.captured_queries) == len(few.captured_queries)


def test_bad_granularity_is_reported(client, admin_user, data):
    response = page(client, admin_user, granularity="hour", period="this_month")

    assert "Some filters were not valid and were left out" in text(response)
    assert "Week of 11/02/2026" in text(response)
