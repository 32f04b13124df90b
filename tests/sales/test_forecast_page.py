"""The forecast page: who may open it, what it shows, its drill-down and its cost."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import TeamFactory, user_with_role
from tests.helpers import text
from tests.sales.factories import OpportunityFactory
from tests.sales.forecast_data import NOW, forecast_pipeline, opportunity

URL = reverse("sales:forecast")
DETAIL_URL = reverse("sales:forecast_detail")
LINK = re.compile(r'<a href="(' + re.escape(DETAIL_URL) + r'\?[^"]+)">([^<]+)</a>')


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pipeline(rep, teammate, other_team_rep):
    return forecast_pipeline(rep, teammate, other_team_rep)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def links(response, table: str = "forecast-table") -> list[tuple[str, str]]:
    """(url, figure) of every drill-down link in one of the page's tables."""
    html = response.content.decode()
    html = html[html.index(f'id="{table}"') :]
    html = html[: html.index("</table>")]
    return [(url.replace("&amp;", "&"), figure) for url, figure in LINK.findall(html)]


def chart_data(response) -> dict:
    html = response.content.decode()
    return json.loads(re.search(r'id="forecast-data" type="application/json">(.*?)</script>', html, re.S)[1])


def detail_totals(response) -> dict[str, str]:
    block = re.search(r'id="forecast-detail-totals">(.*?)</p>', text(response), re.S)[1]
    return dict(re.findall(r"(Amount|Weighted) <strong>([^<]+)</strong>", block))


def listed_names(response) -> set[str]:
    rows = re.findall(r"<tr>\s*<td>(?:<a [^>]*>)?([^<]+)", text(response))
    return set(rows)


# --- who may open it --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "admin_user"], indirect=True)
def test_managers_and_admins_open_the_forecast(client, persona):
    client.force_login(persona)

    assert client.get(URL).status_code == 200
    assert client.get(reverse("sales:forecast_export")).status_code == 200
    assert client.get(DETAIL_URL, {"kind": "open"}).status_code == 200


@pytest.mark.parametrize(
    "persona", ["rep", "telemarketer", "marketer", "accountant", "service_agent", "no_role"], indirect=True
)
def test_everyone_else_is_refused(client, persona):
    client.force_login(persona)

    for url in (URL, reverse("sales:forecast_export"), f"{DETAIL_URL}?kind=open"):
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- what it shows ----------------------------------------------------------------------


def test_the_page_shows_months_reps_teams_and_totals(manager_client, rep, pipeline):
    response = manager_client.get(URL)

    page = text(response)
    assert response.status_code == 200
    assert "Expected close from November 2026 to June 2027" in page
    for month in ("November 2026", "February 2027", "June 2027", "Overdue"):
        assert month in page
    assert "July 2027" not in page
    assert str(rep) in page
    assert "North, all reps" in page
    assert "No team, all reps" in page
    # Pipeline of the whole window, overdue included: 4,283.84 shown as whole pesos.
    assert re.search(r'data-kind="total">.*4,284</a></td>\s*</tr>', page, re.S)


def test_the_chart_gets_plain_numbers_per_month(manager_client, pipeline):
    response = manager_client.get(URL)

    data = chart_data(response)
    assert data["labels"][0] == "Nov 2026"
    assert len(data["labels"]) == 8
    series = {dataset["key"]: dataset["data"] for dataset in data["datasets"]}
    assert series["pipeline"][:3] == [3000.01, 0.0, 333.33]
    assert series["weighted"][0] == 1950.0035
    assert series["won"][:2] == [0.0, 5000.0]
    assert "forecast.js" in response.content.decode()
    assert "<script>" not in response.content.decode(), "no inline script"


def test_quarters_team_and_rep_filters(manager_client, rep, teammate, other_team_rep, north, pipeline):
    one_quarter = text(manager_client.get(URL, {"quarters": 1}))
    four_quarters = text(manager_client.get(URL, {"quarters": 4}))
    north_only = text(manager_client.get(URL, {"team": north.pk}))
    teammate_only = text(manager_client.get(URL, {"owner": teammate.pk}))

    assert "to March 2027" in one_quarter and "April 2027" not in one_quarter
    assert "to December 2027" in four_quarters
    assert str(other_team_rep) not in north_only.split('id="forecast-table"')[1]
    assert "North, all reps" in north_only and "South, all reps" not in north_only
    table = teammate_only.split('id="forecast-table"')[1]
    assert str(teammate) in table and str(rep) not in table


@pytest.mark.parametrize(
    "query", [{"quarters": "9"}, {"quarters": "x"}, {"team": "999999"}, {"owner": "abc"}, {"measure": "'"}]
)
def test_bad_filters_are_reported_and_the_rest_still_shows(manager_client, pipeline, query):
    response = manager_client.get(URL, query)

    assert response.status_code == 200
    assert "Some filters were not valid and were left out" in text(response)
    assert "to June 2027" in text(response), "the default two quarters"


def test_measure_tabs_switch_the_table(manager_client, pipeline):
    weighted = text(manager_client.get(URL, {"measure": "weighted"}))
    won = text(manager_client.get(URL, {"measure": "won"}))

    total_row = re.compile(r'data-kind="total">(.*?)</tr>', re.S)
    assert total_row.search(weighted)[1].rstrip().endswith("2,250</a></td>")
    assert total_row.search(won)[1].rstrip().endswith("5,000</a></td>")


def test_an_empty_forecast_shows_zeros(manager_client):
    response = manager_client.get(URL)

    page = text(response)
    assert "No open or won opportunities in these months." in page
    assert links(response) == []
    assert re.search(r'data-kind="total">\s*<th[^>]*>Total</th>(\s*<td[^>]*>0</td>){10}', page)


# --- drill-down -------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["pipeline", "weighted", "won"])
def test_every_figure_opens_exactly_its_opportunities(manager_client, pipeline, measure):
    response = manager_client.get(URL, {"measure": measure})
    found = links(response)

    assert len(found) > (3 if measure == "won" else 10)
    for url, figure in found:
        detail = manager_client.get(url)
        assert detail.status_code == 200, url
        totals = detail_totals(detail)
        assert totals["Weighted" if measure == "weighted" else "Amount"] == figure, url


def test_the_months_figures_open_their_opportunities(manager_client, pipeline):
    html = manager_client.get(URL).content.decode()
    table = html[html.index('id="forecast-months"') :]
    table = table[: table.index("</table>")]

    checked = 0
    for row in re.findall(r"<tr[^>]*>\s*<th scope=\"row\".*?</tr>", table, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row)
        for measure, cell in zip(("Amount", "Weighted", "Amount"), cells, strict=True):
            for url, figure in LINK.findall(cell):
                assert detail_totals(manager_client.get(url.replace("&amp;", "&")))[measure] == figure, url
                checked += 1
    # Open deals: overdue, Nov, Jan, Mar, Jun and the total (pipeline and weighted); won: Dec and total.
    assert checked == 6 * 2 + 2


def test_a_reps_month_opens_that_reps_opportunities_of_that_month(manager_client, pipeline):
    found = links(manager_client.get(URL))

    [rep_november] = [url for url, figure in found if figure == "1,000"]
    teammate_november_and_total = [url for url, figure in found if figure == "2,000"]
    assert listed_names(manager_client.get(rep_november)) == {pipeline["rep_nov"].name}
    assert len(teammate_november_and_total) == 2
    for url in teammate_november_and_total:
        assert listed_names(manager_client.get(url)) == {pipeline["teammate_nov"].name}


def test_won_figures_list_won_opportunities_by_closing_month(manager_client, pipeline):
    response = manager_client.get(DETAIL_URL, {"kind": "won", "since": "2026-12", "until": "2026-12"})

    assert listed_names(response) == {pipeline["rep_won_dec"].name}
    assert "Won opportunities" in text(response)
    assert "Won in December 2026" in text(response)


def test_overdue_and_no_team_drill_downs(manager_client, pipeline):
    overdue = manager_client.get(DETAIL_URL, {"kind": "open", "until": "2026-10"})
    no_team = manager_client.get(DETAIL_URL, {"kind": "open", "team": "none"})

    assert listed_names(overdue) == {pipeline["rep_overdue"].name}
    assert "Expected to close up to October 2026" in text(overdue)
    assert listed_names(no_team) == {pipeline["no_team_mar"].name}
    assert "No team" in text(no_team)


def test_the_drill_down_names_the_team_and_rep(manager_client, rep, north, pipeline):
    params = {"kind": "open", "since": "2026-11", "until": "2027-06", "team": north.pk, "owner": rep.pk}
    response = manager_client.get(DETAIL_URL, params)

    page = text(response)
    assert f"Expected to close from November 2026 to June 2027 · Team North · Rep {rep}" in page
    assert listed_names(response) == {pipeline["rep_nov"].name, pipeline["rep_jan"].name}
    assert "2 opportunities" in page
    assert detail_totals(response) == {"Amount": "1,333", "Weighted": "550"}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"kind": "lost"},
        {"kind": "open", "since": "2026-13"},
        {"kind": "open", "until": "9999-12"},
        {"kind": "open", "team": "north"},
        {"kind": "open", "owner": "-1"},
        {"kind": "open", "owner": "99999999999999999999"},
    ],
)
def test_a_broken_drill_down_link_says_so(manager_client, query):
    response = manager_client.get(DETAIL_URL, query)

    assert response.status_code == 400
    assert "This link does not name a figure of the forecast." in text(response)


# --- cost -------------------------------------------------------------------------------


def test_queries_do_not_grow_with_opportunities(manager_client, pipeline):
    def count(url, params=None):
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(url, params).status_code == 200
        return len(queries)

    before = (count(URL), count(URL, {"measure": "won"}), count(DETAIL_URL, {"kind": "open"}))
    for index in range(3):
        seller = user_with_role(
            "Sales rep", team=TeamFactory(name=f"Extra {index}"), username=f"extra{index}"
        )
        for month in (11, 12):
            opportunity(seller, amount="100", expected=date(2026, month, 5))
        OpportunityFactory.create_batch(4, owner=seller, team=seller.team)

    assert (count(URL), count(URL, {"measure": "won"}), count(DETAIL_URL, {"kind": "open"})) == before


# --- language ---------------------------------------------------------------------------


def test_the_forecast_in_spanish(manager_client, manager, pipeline):
    manager.language = "es"
    manager.save(update_fields=["language"])

    response = manager_client.get(URL)

    page = text(response)
    assert response.status_code == 200
    assert 'lang="es"' in page
    assert "noviembre de 2026" in page
    assert "Cerrar sesión" in page
    data = chart_data(response)
    assert data["datasets"][0]["data"][0] == 3000.01, "numbers for machines stay unlocalized"
    assert "4\xa0284" in page, "amounts grouped the Spanish way"
