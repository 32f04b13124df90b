"""The opportunity list, board and forecast reuse their figures between requests, never stale ones."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.accounts.roles import Role
from tests.factories import TeamFactory, user_with_role
from tests.helpers import text
from tests.sales.factories import OpportunityFactory, stage
from tests.sales.forecast_data import NOW, forecast_pipeline, opportunity

LIST_URL = reverse("sales:opportunity_list")
BOARD_URL = reverse("sales:board")
FORECAST_URL = reverse("sales:forecast")


def queries(client, url, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data or {}).status_code == 200
    return [query["sql"] for query in captured]


def sums(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if "SUM(" in sql and "sales_opportunity" in sql]


def total(response, which: str) -> str:
    return re.search(rf'data-testid="total-{which}">([^<]*)<', text(response)).group(1)


def totals(response) -> tuple[str, str, str]:
    return total(response, "count"), total(response, "amount"), total(response, "weighted")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# --- the opportunity list ----------------------------------------------------------------


def test_the_unfiltered_list_reuses_its_totals(rep_client, customer):
    OpportunityFactory.create_batch(2, customer=customer)

    assert sums(queries(rep_client, LIST_URL)), "the first visit adds up"
    assert not sums(queries(rep_client, LIST_URL)), "the second reuses the totals"
    assert not sums(queries(rep_client, LIST_URL, {"sort": "-amount", "page": "1"})), "in any order"


def test_a_filtered_list_is_always_added_up(rep_client, customer):
    OpportunityFactory(customer=customer, name="Licencias")
    queries(rep_client, LIST_URL, {"q": "Licencias"})

    assert sums(queries(rep_client, LIST_URL, {"q": "Licencias"}))


def test_new_and_changed_opportunities_show_in_the_totals_at_once(rep_client, customer):
    first = OpportunityFactory(customer=customer, amount=Decimal("1000000"), probability=50)
    assert totals(rep_client.get(LIST_URL)) == ("1", "1,000,000", "500,000")

    OpportunityFactory(customer=customer, amount=Decimal("2000000"), probability=10)
    assert totals(rep_client.get(LIST_URL)) == ("2", "3,000,000", "700,000")

    first.amount = Decimal("4000000")
    first.save()
    assert totals(rep_client.get(LIST_URL)) == ("2", "6,000,000", "2,200,000")

    first.delete()
    assert totals(rep_client.get(LIST_URL)) == ("1", "2,000,000", "200,000")


def test_each_viewer_gets_the_totals_of_their_own_scope(client, rep, other_team_rep, customer):
    OpportunityFactory(customer=customer, owner=rep, amount=Decimal("1000000"))
    OpportunityFactory(customer=customer, owner=other_team_rep, amount=Decimal("3000000"))

    client.force_login(rep)
    assert total(client.get(LIST_URL), "amount") == "1,000,000"
    client.force_login(other_team_rep)
    assert total(client.get(LIST_URL), "amount") == "3,000,000"


def test_the_rows_show_what_the_opportunity_holds(rep_client, customer, rep):
    OpportunityFactory(
        customer=customer,
        owner=rep,
        name="<b>Licencias</b>",
        amount=Decimal("1234567.50"),
        probability=60,
        stage=stage("Won"),
        closed_on=timezone.localdate(),
        expected_close_date=date(2026, 3, 9),
    )

    row = rep_client.get(LIST_URL).content.decode().split("<tbody>")[1].split("</tr>")[0]
    assert "&lt;b&gt;Licencias&lt;/b&gt;" in row
    assert '<span class="badge text-bg-success">Won</span>' in row
    assert "1,234,568" in row
    assert "60%" in row
    assert "03/09/2026" in row
    assert f">{rep}<" in row
    assert customer.display_name in row


# --- the board ---------------------------------------------------------------------------


def test_the_board_reuses_its_column_totals_and_shows_moves_at_once(rep_client, customer):
    moving = OpportunityFactory(customer=customer, stage=stage("Proposal"), amount=Decimal("1500000"))
    OpportunityFactory(customer=customer, stage=stage("Proposal"), amount=Decimal("2500000"))

    assert sums(queries(rep_client, BOARD_URL))
    assert not sums(queries(rep_client, BOARD_URL)), "the second visit reuses the column totals"

    rep_client.post(reverse("sales:opportunity_move", args=[moving.pk]), {"stage": stage("Negotiation").pk})
    content = text(rep_client.get(BOARD_URL))
    proposal, negotiation = content.split('<section class="board-column')[4:6]
    assert "1 opportunity" in proposal and "2,500,000" in proposal
    assert "1 opportunity" in negotiation and "1,500,000" in negotiation


# --- the forecast ------------------------------------------------------------------------


@pytest.fixture
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.usefixtures("_today")
def test_the_forecast_reuses_its_figures_and_shows_changes_at_once(
    manager_client, rep, teammate, other_team_rep
):
    forecast_pipeline(rep, teammate, other_team_rep)
    assert sums(queries(manager_client, FORECAST_URL))
    assert not sums(queries(manager_client, FORECAST_URL)), "the second visit reuses the figures"

    before = text(manager_client.get(FORECAST_URL))
    assert re.search(r'data-kind="total">.*4,284</a></td>\s*</tr>', before, re.S)
    opportunity(rep, amount="1000", expected=NOW.date() + timedelta(days=3))
    after = text(manager_client.get(FORECAST_URL))
    assert re.search(r'data-kind="total">.*5,284</a></td>\s*</tr>', after, re.S)


@pytest.mark.usefixtures("_today")
def test_a_deleted_team_leaves_the_forecast_at_once(manager_client, rep, north):
    opportunity(rep, amount="1000", expected=NOW.date() + timedelta(days=3))
    assert "North, all reps" in text(manager_client.get(FORECAST_URL))

    team_pk = north.pk
    rep.team = None
    rep.save()
    north.delete()  # its deals lose their team in one UPDATE, without a signal each
    page = text(manager_client.get(FORECAST_URL))
    assert "North, all reps" not in page
    assert "No team, all reps" in page
    assert f"team={team_pk}" not in page, "the figures' links no longer name the deleted team"


def test_the_forecast_filters_reuse_their_teams_and_reps_and_show_new_ones_at_once(manager_client):
    queries(manager_client, FORECAST_URL)
    second = queries(manager_client, FORECAST_URL)
    assert not [sql for sql in second if "DISTINCT" in sql and "accounts_user" in sql], "the reps are reused"

    newcomer = user_with_role(Role.SALES_REP, username="nueva")
    TeamFactory(name="Oriente")
    page = text(manager_client.get(FORECAST_URL))
    assert f">{newcomer}</option>" in page
    assert ">Oriente</option>" in page
