"""The customer value report: customers per value segment and their movement between scoring runs."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.counts import customer_rows
from crm.accounts.roles import Role
from crm.insights.models import RfmScore
from tests.factories import CustomerFactory, user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW, make_leaver, name_people
from tests.insights.report_pages import (
    chart,
    figures,
    links,
    record_names,
    records_totals,
    report_url,
    tables,
)
from tests.insights.value_data import run
from tests.test_security import assert_strict_csp

URL = report_url("value")
RECORDS = reverse("insights:reports:records", args=["value"])
SEGMENTS = [
    "Champions",
    "Loyal",
    "New",
    "Potential",
    "Need attention",
    "Can't lose",
    "At risk",
    "Hibernating",
    "Lost",
]

# customer: (owner, segment in the October run, segment in the November run); None: not scored.
CUSTOMERS = {
    "c1": ("rep", "loyal", "loyal"),
    "c2": ("rep", "loyal", "at_risk"),
    "c3": ("rep", "potential", "loyal"),
    "c4": ("rep", "at_risk", None),
    "c5": ("teammate", "new", "potential"),
    "c6": ("teammate", None, "new"),
    "c7": ("other_team_rep", "loyal", "loyal"),
    "c8": ("other_team_rep", "lost", "lost"),
    "c9": ("leaver", "potential", "hibernating"),
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def leaver(north):
    return make_leaver(north)


@pytest.fixture
def runs(rep, teammate, other_team_rep, leaver):
    name_people(rep=rep, teammate=teammate, other_team_rep=other_team_rep)
    people = {"rep": rep, "teammate": teammate, "other_team_rep": other_team_rep, "leaver": leaver}
    customers = {
        key: CustomerFactory(owner=people[owner], legal_name=f"Cliente {key}")
        for key, (owner, *_) in CUSTOMERS.items()
    }
    october = run(
        date(2026, 10, 31),
        {customers[key]: was for key, (_o, was, _n) in CUSTOMERS.items() if was is not None},
    )
    november = run(
        date(2026, 11, 14),
        {customers[key]: now for key, (_o, _w, now) in CUSTOMERS.items() if now is not None},
        previous=october,
    )
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    return {"october": october, "november": november, **customers}


@pytest.fixture
def north_manager(north):
    boss = user_with_role(Role.MANAGER, username="north_boss")
    north.manager = boss
    north.save(update_fields=["manager"])
    return boss


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


# --- who may open it --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "manager", "admin_user"], indirect=True)
def test_reps_managers_and_admins_open_the_report_and_its_exports(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 200
    assert client.get(reverse("insights:reports:export_csv", args=["value"])).status_code == 200
    assert client.get(reverse("insights:reports:export_xlsx", args=["value"])).status_code == 200
    assert client.get(RECORDS, {"measure": "customers"}).status_code == 200


@pytest.mark.parametrize(
    "persona", ["telemarketer", "marketer", "accountant", "service_agent", "no_role"], indirect=True
)
def test_other_roles_are_refused(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 403
    assert client.get(RECORDS, {"measure": "customers"}).status_code == 403


# --- the figures ------------------------------------------------------------------------


def test_customers_per_segment_against_the_run_before(client, admin_user, runs):
    response = page(client, admin_user)
    table = figures(response, "segments")

    # Customers, share, in the run before, change.
    assert table["Loyal"] == ["3", "37.5 %", "3", "0"]
    assert table["At risk"] == ["1", "12.5 %", "1", "0"]
    assert table["Potential"] == ["1", "12.5 %", "2", "-1"]
    assert table["New"] == ["1", "12.5 %", "1", "0"]
    assert table["Hibernating"] == ["1", "12.5 %", "0", "1"]
    assert table["Champions"] == ["0", "0.0 %", "0", "0"], "every segment shows, empty or not"
    assert table["Total"] == ["8", "100.0 %", "8", "0"]
    assert list(table)[1:-1] == SEGMENTS
    assert "Scoring run as of 11/14/2026, compared with the run as of 10/31/2026." in text(response)


def test_movements_between_the_runs(client, admin_user, runs):
    table = figures(page(client, admin_user), "movements")

    # Columns: each segment of this run, then "Not scored", then the row's total.
    column = {name: index for index, name in enumerate([*SEGMENTS, "Not scored", "Total"])}
    assert table["Loyal"][column["Loyal"]] == "2"
    assert table["Loyal"][column["At risk"]] == "1"
    assert table["Loyal"][column["Total"]] == "3"
    assert table["Potential"][column["Loyal"]] == "1"
    assert table["Potential"][column["Hibernating"]] == "1"
    assert table["At risk"][column["Not scored"]] == "1"
    assert table["Not scored"][column["New"]] == "1"
    assert table["Total"][column["Total"]] == "9"
    assert table["Total"][column["Loyal"]] == "3"


def test_a_period_with_the_first_run_or_none(client, admin_user, runs):
    october = page(client, admin_user, period="last_month")
    empty = page(client, admin_user, period="last_year")

    assert figures(october, "segments")["Loyal"] == ["3", "37.5 %", "0", "3"]
    assert "movements" not in tables(october)
    assert "the first one: there is nothing to compare with" in text(october)
    assert "No scoring run was published in this period." in text(empty)
    assert "Total" not in figures(empty, "segments")
    assert "movements" not in tables(empty)


# --- who sees whose figures -------------------------------------------------------------


def test_a_rep_sees_only_their_own_customers(client, rep, runs):
    response = page(client, rep)
    table = figures(response, "segments")
    moves = figures(response, "movements")

    assert table["Loyal"] == ["2", "66.7 %", "2", "0"]
    assert table["At risk"] == ["1", "33.3 %", "1", "0"]
    assert table["Total"] == ["3", "100.0 %", "4", "-1"]
    assert moves["Total"][-1] == "4"
    assert 'name="rep"' not in response.content.decode()


def test_a_manager_sees_their_teams_customers_even_those_of_a_rep_who_left(client, north_manager, runs):
    table = figures(page(client, north_manager), "segments")

    assert table["Total"] == ["6", "100.0 %", "6", "0"]
    assert table["Hibernating"][0] == "1"


def test_the_figures_follow_a_customer_who_changes_hands(client, rep, teammate, runs):
    before = figures(page(client, rep), "segments")
    runs["c1"].owner = teammate
    runs["c1"].save()
    after = figures(page(client, rep), "segments")

    assert before["Loyal"][0] == "2"
    assert after["Loyal"] == ["1", "50.0 %", "1", "0"]
    assert figures(page(client, teammate), "segments")["Loyal"][0] == "1"


def test_rep_filter_for_a_manager_and_everyone_for_an_admin(client, manager, admin_user, teammate, runs):
    theirs = figures(page(client, manager, rep=teammate.pk), "segments")

    assert theirs["Total"] == ["2", "100.0 %", "1", "1"]
    assert figures(page(client, manager), "segments")["Total"][0] == "8"


# --- drill-down, chart, exports ---------------------------------------------------------


def test_every_figure_links_to_the_customers_behind_it(client, admin_user, runs):
    response = page(client, admin_user)
    loyal = links(response, "segments")["Loyal"]
    moves = links(response, "movements")

    assert sorted(record_names(client.get(loyal[0]))) == ["Cliente c1", "Cliente c3", "Cliente c7"]
    assert sorted(record_names(client.get(loyal[2]))) == ["Cliente c1", "Cliente c2", "Cliente c7"]
    column = [*SEGMENTS, "Not scored"].index
    assert record_names(client.get(moves["Loyal"][column("At risk")])) == ["Cliente c2"]
    assert record_names(client.get(moves["At risk"][column("Not scored")])) == ["Cliente c4"]
    assert record_names(client.get(moves["Not scored"][column("New")])) == ["Cliente c6"]
    assert records_totals(client.get(links(response, "segments")["Total"][0])) == "8 records"


def test_a_rep_cannot_reach_other_customers_through_the_url(client, rep, runs):
    client.force_login(rep)

    drill = client.get(RECORDS, {"measure": "customers", "key": "segment:loyal"})

    assert sorted(record_names(drill)) == ["Cliente c1", "Cliente c3"]


def test_a_drill_down_link_that_names_no_figure_gets_a_message(client, admin_user, runs):
    client.force_login(admin_user)

    for params in (
        {"measure": "nope"},
        {"measure": "customers", "key": "rep:1"},
        {"measure": "customers", "key": "segment:unscored"},
    ):
        assert client.get(RECORDS, params).status_code == 400, params


def test_the_chart_compares_the_two_runs(client, admin_user, runs):
    data = chart(page(client, admin_user))

    assert data["labels"] == SEGMENTS
    assert data["datasets"][0]["data"] == [0.0, 3.0, 1.0, 2.0, 0.0, 0.0, 1.0, 0.0, 1.0]
    assert data["datasets"][1]["data"] == [0.0, 3.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0]


def test_csv_export_of_the_movements(client, admin_user, runs):
    client.force_login(admin_user)

    response = client.get(reverse("insights:reports:export_csv", args=["value"]), {"table": "movements"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["From \\ to", "Champions", "Loyal"]
    assert rows[-1][-1] == "9"


def test_the_page_costs_the_same_queries_for_few_or_many_customers(client, north_manager, rep, runs):
    client.force_login(north_manager)
    client.get(URL)
    customer_rows.bump()  # counted anew, as the second time is after the customers changed
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    more = [CustomerFactory(owner=rep) for _index in range(20)]
    RfmScore.objects.bulk_create(
        RfmScore(
            snapshot=runs["november"], customer=customer, recency_days=1, frequency=1, monetary=Decimal(1),
            r_score=3, f_score=3, m_score=3, value_score=Decimal(3), segment="champions",
        )
        for customer in more
    )  # fmt: skip

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)

    assert figures(response, "segments")["Champions"][0] == "20"
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_report_renders_in_spanish_under_the_strict_csp(client, admin_user):
    admin_user.language = "es"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)

    response = client.get(URL)

    assert response.status_code == 200
    assert 'lang="es"' in text(response)
    assert_strict_csp(response)
