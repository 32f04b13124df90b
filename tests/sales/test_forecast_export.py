"""The forecast as CSV: the page's table, every figure exact, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from crm.accounts.roles import Role
from tests.factories import TeamFactory, user_with_role
from tests.sales.forecast_data import NOW, TODAY, forecast_pipeline, opportunity

URL = reverse("sales:forecast_export")
MONTHS = ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pipeline(rep, teammate, other_team_rep):
    return forecast_pipeline(rep, teammate, other_team_rep)


def rows(response) -> list[dict[str, str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff"), "a BOM, so that Excel reads the accents as UTF-8"
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_the_csv_has_the_tables_rows_and_columns(client, manager, rep, teammate, pipeline):
    client.force_login(manager)

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="forecast-2026-11-15.csv"'
    table = rows(response)
    columns = ["Team", "Rep"]
    for period in ["Overdue", *MONTHS, "Total"]:
        columns += [f"{period} Pipeline", f"{period} Weighted", f"{period} Won"]
    assert list(table[0]) == columns
    assert [(row["Team"], row["Rep"]) for row in table] == [
        *(("North", name) for name in sorted([str(rep), str(teammate)], key=str.casefold)),
        ("North", "All reps"),
        ("South", str(pipeline["south_jun"].owner)),
        ("South", "All reps"),
        ("No team", str(pipeline["no_team_mar"].owner)),
        ("No team", "All reps"),
        ("Total", ""),
    ]
    mine = next(row for row in table if row["Rep"] == str(rep))
    assert mine["2026-11 Pipeline"] == "1000.01"
    assert mine["2026-11 Weighted"] == "350.0035", "weighted amounts exact, not rounded"
    assert mine["2026-11 Won"] == "0"
    assert mine["2026-12 Won"] == "5000.00"
    assert mine["Overdue Pipeline"] == "200.00"
    assert mine["2027-02 Pipeline"] == "0"
    total = table[-1]
    assert (total["Total Pipeline"], total["Total Weighted"], total["Total Won"]) == (
        "4283.84",
        "2250.0515",
        "5000.00",
    )


def test_the_csv_follows_the_filters(client, manager, north, pipeline):
    client.force_login(manager)

    table = rows(client.get(URL, {"team": north.pk, "quarters": 1}))

    assert {row["Team"] for row in table} == {"North", "Total"}
    assert "2027-03 Pipeline" in table[0]
    assert "2027-04 Pipeline" not in table[0]


def test_text_that_a_spreadsheet_would_run_is_neutralised(client, manager):
    seller = user_with_role(Role.SALES_REP, team=TeamFactory(name='=HYPERLINK("http://x")'), username="cmd")
    seller.first_name, seller.last_name = "@SUM(1+1)", ""
    seller.save()
    opportunity(seller, amount="10", expected=TODAY)
    client.force_login(manager)

    table = rows(client.get(URL))

    assert (table[0]["Team"], table[0]["Rep"]) == ('\'=HYPERLINK("http://x")', "'@SUM(1+1)")
    assert table[0]["2026-11 Pipeline"] == "10.00", "numbers stay numbers"


def test_names_starting_with_a_sign_are_neutralised(client, manager):
    seller = user_with_role(Role.SALES_REP, team=TeamFactory(name="+Ventas"), username="-x")
    seller.first_name, seller.last_name = "", ""
    seller.save()
    opportunity(seller, amount="10", expected=TODAY)
    client.force_login(manager)

    table = rows(client.get(URL))

    assert (table[0]["Team"], table[0]["Rep"]) == ("'+Ventas", "'-x")


def test_a_rep_may_not_export(client, rep, pipeline):
    client.force_login(rep)

    assert client.get(URL).status_code == 403
