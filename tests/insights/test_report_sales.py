"""The sales report: won deals per rep, team, product and month against the frozen forecast."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from crm.accounts.roles import Role
from tests.factories import user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW, make_leaver, opportunity, sales_data_set
from tests.insights.report_pages import chart, figures, links, record_names, records_totals, report_url

URL = report_url("sales")
Q4 = {"period": "this_quarter"}
HEADER = "Rep"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def leaver(north):
    return make_leaver(north)


@pytest.fixture
def deals(rep, teammate, other_team_rep, leaver):
    return sales_data_set(rep, teammate, other_team_rep, leaver)


@pytest.fixture
def north_manager(north):
    boss = user_with_role(Role.MANAGER, username="north_boss")
    boss.first_name, boss.last_name = "Marta", "Jefe"
    boss.save()
    north.manager = boss
    north.save(update_fields=["manager"])
    return boss


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params or Q4)
    assert response.status_code == 200
    return response


# --- who may open it --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["rep", "manager", "admin_user"], indirect=True)
def test_reps_managers_and_admins_open_the_report_and_its_exports(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 200
    assert client.get(reverse("insights:reports:export_csv", args=["sales"])).status_code == 200
    assert client.get(reverse("insights:reports:export_xlsx", args=["sales"])).status_code == 200
    assert (
        client.get(reverse("insights:reports:records", args=["sales"]), {"measure": "won"}).status_code == 200
    )


@pytest.mark.parametrize(
    "persona", ["telemarketer", "marketer", "accountant", "service_agent", "no_role"], indirect=True
)
def test_other_roles_are_refused(client, persona):
    client.force_login(persona)

    for url in (
        URL,
        reverse("insights:reports:export_csv", args=["sales"]),
        reverse("insights:reports:records", args=["sales"]) + "?measure=won",
    ):
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_report_is_not_found(client, manager):
    client.force_login(manager)

    assert client.get(report_url("nothing-here")).status_code == 404


# --- the figures ------------------------------------------------------------------------


def test_won_and_forecast_per_rep_with_totals(client, admin_user, deals):
    table = figures(page(client, admin_user), "sales")

    # Won deals, won amount, forecast (weighted), pipeline at the start, won / forecast, gap.
    assert table["Andrea Ríos"] == ["2", "1,500", "3,000", "11,999", "50.0 %", "-1,500"]
    assert table["Bruno Salas"] == ["2", "2,500", "2,640", "3,300", "94.7 %", "-140"]
    assert table["Carla Mejía"] == ["1", "700", "420", "700", "166.7 %", "280"]
    assert table["Diego Vargas (left)"] == ["1", "300", "180", "300", "166.7 %", "120"]
    assert table["Total"] == ["6", "5,000", "6,240", "16,299", "80.1 %", "-1,240"]
    assert list(table)[1:-1] == ["Andrea Ríos", "Bruno Salas", "Carla Mejía", "Diego Vargas (left)"]


def test_per_team_month_and_product(client, admin_user, deals):
    teams = figures(page(client, admin_user, group="team", **Q4), "sales")
    months = figures(page(client, admin_user, group="month", **Q4), "sales")
    products = figures(page(client, admin_user, group="product", **Q4), "sales")

    assert teams["North"] == ["5", "4,300", "5,820", "15,599", "73.9 %", "-1,520"]
    assert teams["South"] == ["1", "700", "420", "700", "166.7 %", "280"]
    assert months["October 2026"] == ["3", "1,300", "1,620", "2,600", "80.2 %", "-320"]
    assert months["November 2026"] == ["3", "3,700", "4,200", "12,999", "88.1 %", "-500"]
    assert months["December 2026"] == ["0", "0", "420", "700", "0.0 %", "-420"], "an empty month still shows"
    # Accepted quote lines after discount; a deal with two products counts once in the total.
    assert products["P-LAMP · Lámpara"][:2] == ["2", "1,720"]
    assert products["P-DESK · Escritorio"][:2] == ["1", "1,000"]
    assert products["Not on an accepted quote"][:2] == ["4", "2,000"]
    assert products["Total"] == ["6", "4,720", "—", "—", "—", "—"]


def test_product_and_campaign_filters(client, admin_user, deals):
    lamp = figures(page(client, admin_user, product=deals["lamp"].pk, **Q4), "sales")
    fair = figures(page(client, admin_user, campaign=deals["fair"].pk, **Q4), "sales")

    assert lamp["Andrea Ríos"][:2] == ["1", "720"]
    assert lamp["Bruno Salas"][:2] == ["1", "1,000"]
    assert lamp["Total"][:3] == ["2", "1,720", "—"]
    assert fair["Andrea Ríos"] == ["1", "1,000", "600", "1,000", "166.7 %", "400"]
    assert set(fair) == {HEADER, "Andrea Ríos", "Total"}


def test_a_period_without_a_frozen_forecast_or_deals(client, admin_user, deals):
    november = text(page(client, admin_user, period="this_month"))
    last_year = page(client, admin_user, period="last_year")

    assert "No forecast was frozen when November 2026 began" in november
    table = figures(last_year, "sales")
    assert table["Total"] == ["0", "0", "—", "—", "—", "—"]
    assert "Nothing was won or forecast in this period." in text(last_year)


def test_custom_dates(client, admin_user, deals):
    table = figures(page(client, admin_user, period="custom", start="2026-11-01", end="2026-11-10"), "sales")

    assert table["Total"][:2] == ["2", "3,000"], "A on 3 November and B on the 10th"


# --- who sees whose figures -------------------------------------------------------------


def test_a_rep_sees_only_their_own_figures(client, rep, deals):
    response = page(client, rep)

    table = figures(response, "sales")
    assert set(table) == {HEADER, "Andrea Ríos", "Total"}
    assert table["Total"][:2] == ["2", "1,500"]
    assert 'name="rep"' not in response.content.decode(), "no rep filter to choose someone else"


def test_a_rep_cannot_reach_a_teammates_figures_through_the_url(client, rep, teammate, deals):
    client.force_login(rep)

    response = client.get(URL, {"rep": teammate.pk, **Q4})
    drill = client.get(
        reverse("insights:reports:records", args=["sales"]),
        {"measure": "won", "key": f"rep:{teammate.pk}", **Q4},
    )

    assert figures(response, "sales")["Total"][:2] == ["2", "1,500"]
    assert records_totals(drill).startswith("0 records")


def test_a_manager_sees_their_teams_figures(client, north_manager, deals):
    table = figures(page(client, north_manager), "sales")

    assert set(table) == {HEADER, "Andrea Ríos", "Bruno Salas", "Diego Vargas (left)", "Total"}
    assert table["Total"][:2] == ["5", "4,300"]


def test_the_rep_filter_offers_the_managers_people_and_who_left(client, north_manager, leaver, deals):
    response = page(client, north_manager)

    options = re.findall(
        r'<option value="\d+">([^<]+)</option>', text(response).split('name="rep"')[1].split("</select>")[0]
    )
    assert options == ["Andrea Ríos", "Bruno Salas", "Diego Vargas (left)", "Marta Jefe"], "and the manager"
    narrowed = figures(page(client, north_manager, rep=leaver.pk, **Q4), "sales")
    assert narrowed["Total"][:2] == ["1", "300"]


def test_a_manager_without_a_team_and_an_admin_see_everyone(client, manager, admin_user, deals):
    assert figures(page(client, manager), "sales")["Total"][:2] == ["6", "5,000"]
    assert figures(page(client, admin_user), "sales")["Total"][:2] == ["6", "5,000"]


# --- drill-down, chart, exports ---------------------------------------------------------


def test_every_figure_links_to_the_records_behind_it(client, admin_user, deals):
    response = page(client, admin_user)
    rep_links = links(response, "sales")["Andrea Ríos"]

    won = client.get(rep_links[1])
    forecast = client.get(rep_links[2])

    assert all(rep_links), "every figure of the row is a link"
    assert records_totals(won) == "2 records · Amount 1,500"
    assert sorted(record_names(won)) == sorted([deals["A"].name, deals["H"].name])
    assert records_totals(forecast) == "3 records · Amount 11,999 · Weighted 3,000"
    assert sorted(record_names(forecast)) == sorted([deals["A"].name, deals["C"].name, deals["J"].name])


def test_drill_down_per_product_and_month(client, admin_user, deals):
    products = links(page(client, admin_user, group="product", **Q4), "sales")
    months = links(page(client, admin_user, group="month", **Q4), "sales")

    lamp = client.get(products["P-LAMP · Lámpara"][0])
    unquoted = client.get(products["Not on an accepted quote"][0])
    october_forecast = client.get(months["October 2026"][2])

    assert sorted(record_names(lamp)) == sorted([deals["A"].name, deals["B"].name])
    assert records_totals(unquoted).startswith("4 records · Amount 2,000")
    assert records_totals(october_forecast).startswith("4 records · Amount 2,600 · Weighted 1,620")


def test_a_drill_down_link_that_names_no_figure_gets_a_message(client, admin_user, deals):
    client.force_login(admin_user)
    url = reverse("insights:reports:records", args=["sales"])

    for params in (
        {"measure": "nope"},
        {"measure": "won", "key": "rep:abc"},
        {"measure": "won", "key": "x:1"},
    ):
        response = client.get(url, params)
        assert response.status_code == 400
        assert "This link does not name a figure of the report." in text(response)


def test_the_chart_compares_won_and_forecast_without_inline_script(client, admin_user, deals):
    response = page(client, admin_user)

    data = chart(response)
    assert data["labels"] == ["Andrea Ríos", "Bruno Salas", "Carla Mejía", "Diego Vargas (left)"]
    assert data["datasets"][0]["data"] == [1500.0, 2500.0, 700.0, 300.0]
    assert data["datasets"][1]["data"] == [2999.8, 2640.0, 420.0, 180.0]
    assert "reports.js" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_bad_filters_are_reported_and_the_rest_still_shows(client, admin_user, deals):
    client.force_login(admin_user)

    for params in (
        {"period": "forever"},
        {"period": "custom", "start": "2026-12-01", "end": "2026-11-01"},
        {"period": "custom", "start": "yesterday"},
        {"rep": "abc"},
        {"team": "999999"},
        {"product": "0"},
        {"group": "colour"},
        {"period": "custom", "start": "1900-01-01", "end": "2026-01-01"},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert "Some filters were not valid and were left out" in text(response), params
        assert "Total" in text(response)


def test_csv_export_is_the_table_as_shown_and_formula_safe(client, admin_user, south, deals):
    south.name = "+SUM(1,2)"
    south.save()
    client.force_login(admin_user)

    response = client.get(reverse("insights:reports:export_csv", args=["sales"]), {"group": "team", **Q4})

    assert response["Content-Disposition"] == 'attachment; filename="sales-2026-10-01-2026-12-31-sales.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Team",
        "Won deals",
        "Won amount",
        "Forecast (weighted)",
        "Pipeline at the start",
        "Won / forecast (%)",
        "Won − forecast",
    ]
    assert rows[1][:3] == ["'+SUM(1,2)", "1", "700.00"], "sorted by name, escaped"
    assert rows[2] == ["North", "5", "4300.00", "5819.80", "15599.00", "73.9", "-1519.80"]
    assert rows[-1][:3] == ["Total", "6", "5000.00"]


def test_xlsx_export_keeps_numbers_and_escapes_formulas(client, admin_user, rep, deals):
    rep.first_name, rep.last_name = "=cmd|' /C calc'!A0", ""
    rep.save()
    client.force_login(admin_user)

    response = client.get(reverse("insights:reports:export_xlsx", args=["sales"]), Q4)

    assert response["Content-Disposition"] == 'attachment; filename="sales-2026-10-01-2026-12-31.xlsx"'
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[cell.value for cell in row] for row in workbook.worksheets[0].iter_rows()]
    assert values[0][:3] == ["Rep", "Won deals", "Won amount"]
    assert values[1][:3] == ["'=cmd|' /C calc'!A0", 2, 1500]
    assert values[-1][:3] == ["Total", 6, 5000]


def test_the_page_costs_the_same_queries_for_few_or_many_reps(client, admin_user, north, deals):
    client.force_login(admin_user)
    client.get(URL, Q4)  # warm-up: content types, sessions
    with CaptureQueriesContext(connection) as few:
        client.get(URL, Q4)
    for index in range(30):
        seller = user_with_role(Role.SALES_REP, team=north, username=f"seller{index}")
        opportunity(seller, "10", date(2026, 11, 1), "Won", closed_on=date(2026, 11, 1))

    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, Q4)

    assert len(figures(response, "sales")) == 4 + 30 + 2
    assert len(many.captured_queries) == len(few.captured_queries)
