"""The home dashboard: each role's cards, the period, the card data endpoint, and choosing cards."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.accounts.roles import Role
from crm.insights.dashboard.models import DashboardLayout
from tests.factories import CustomerFactory, TaskFactory, UserFactory, user_with_role
from tests.helpers import text
from tests.insights.report_data import NOW, make_leaver, sales_data_set
from tests.test_security import assert_strict_csp

HOME = reverse("home")
CUSTOMISE = reverse("insights:dashboard_customise")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


def card_data(slug: str) -> str:
    return reverse("insights:card_data", args=[slug])


def cards_on(response) -> list[str]:
    """The cards of the page, in their order."""
    return re.findall(r'data-card="([a-z_]+)"', response.content.decode())


# --- each role's cards ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "cards"),
    [
        ("rep", ["my_tasks", "my_pipeline", "follow_ups"]),
        ("telemarketer", ["call_queue", "todays_calls", "my_tasks"]),
        ("manager", ["forecast_vs_won", "team_pipeline", "activity_league"]),
        ("admin_user", ["forecast_vs_won", "team_pipeline", "activity_league"]),
        ("service_agent", ["ticket_queue", "sla_clocks", "service_period"]),
        ("accountant", ["invoices_overdue", "invoices_due"]),
        ("marketer", ["campaign_results", "my_tasks"]),
    ],
    indirect=["persona"],
)
def test_each_role_starts_with_its_cards(client, persona, cards):
    client.force_login(persona)

    response = client.get(HOME)

    assert response.status_code == 200
    assert cards_on(response) == cards


def test_someone_with_two_roles_gets_both_roles_cards_once(client, north):
    both = user_with_role(Role.SALES_REP, team=north, username="both")
    both.groups.add(Group.objects.get(name=Role.TELEMARKETER))
    client.force_login(both)

    assert cards_on(client.get(HOME)) == [
        "my_tasks",
        "my_pipeline",
        "follow_ups",
        "call_queue",
        "todays_calls",
    ]


def test_the_period_choice_shows_only_with_cards_that_follow_it(client, rep, manager):
    client.force_login(rep)
    assert 'id="dashboard-period"' not in client.get(HOME).content.decode()

    client.force_login(manager)
    page = client.get(HOME).content.decode()
    assert 'id="dashboard-period"' in page
    assert '<option value="this_month" selected>' in page


def test_charts_are_fed_by_the_card_endpoint_without_inline_scripts(client, manager):
    client.force_login(manager)

    response = client.get(HOME, {"period": "last_quarter"})

    page = response.content.decode()
    assert f'data-chart-url="{card_data("forecast_vs_won")}?period=last_quarter"' in page
    assert "js/dashboard.js" in page
    assert "<script>" not in page
    assert_strict_csp(response)


def test_an_unknown_period_is_reported_and_this_month_shown(client, manager):
    client.force_login(manager)

    response = client.get(HOME, {"period": "forever"})

    assert response.status_code == 200
    assert "That period is not one of the choices: this month is shown." in text(response)
    assert '<option value="this_month" selected>' in response.content.decode()


def test_the_dashboard_in_spanish(client, manager):
    manager.language = "es"
    manager.save(update_fields=["language"])
    client.force_login(manager)

    response = client.get(HOME)

    assert 'lang="es"' in text(response)
    assert_strict_csp(response)


def test_only_get_is_allowed(client, rep):
    client.force_login(rep)

    assert client.post(HOME).status_code == 405


# --- the card data endpoint -------------------------------------------------------------


def test_card_data_is_a_chart_as_json(client, manager, rep, teammate, other_team_rep, north):
    sales_data_set(rep, teammate, other_team_rep, make_leaver(north))
    client.force_login(manager)

    response = client.get(card_data("forecast_vs_won"), {"period": "this_quarter"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["period"] == "this_quarter"
    assert body["chart"]["labels"] == ["October 2026", "November 2026", "December 2026"]
    assert body["chart"]["datasets"][0]["data"] == [1300.0, 3700.0, 0.0]


def test_card_data_for_a_card_not_of_ones_role_is_refused(client, rep):
    client.force_login(rep)

    response = client.get(card_data("invoices_overdue"))

    assert response.status_code == 403
    assert response.json()["error"] == "This card is not for your role."


def test_card_data_of_a_card_without_a_chart_or_no_card_is_not_found(client, rep):
    client.force_login(rep)

    assert client.get(card_data("my_tasks")).status_code == 404
    assert client.get(card_data("nothing")).status_code == 404


def test_card_data_needs_a_signed_in_user_with_a_role(client, no_role):
    assert client.get(card_data("my_pipeline")).status_code == 302
    client.force_login(no_role)
    assert client.get(card_data("my_pipeline")).status_code == 403


def test_card_data_with_a_bad_period_answers_for_this_month(client, manager):
    client.force_login(manager)

    response = client.get(card_data("forecast_vs_won"), {"period": "<script>"})

    assert response.status_code == 200
    assert response.json()["period"] == "this_month"


# --- choosing and ordering the cards ----------------------------------------------------


def test_the_customise_page_offers_only_the_cards_of_ones_roles(client, rep):
    client.force_login(rep)

    page = client.get(CUSTOMISE).content.decode()

    assert 'name="show_my_pipeline"' in page
    assert 'name="show_forecast_vs_won"' in page
    assert 'name="show_invoices_overdue"' not in page
    assert 'name="show_team_pipeline"' not in page
    # The current cards come first, ticked, in their order.
    rows = re.findall(r'class="js-card-row" data-card="([a-z_]+)"', page)
    assert rows[:3] == ["my_tasks", "my_pipeline", "follow_ups"]
    assert re.search(r'name="show_my_tasks"[^>]*checked', page)


def test_a_rep_chooses_and_orders_cards_and_the_choice_is_saved(client, rep):
    client.force_login(rep)

    response = client.post(
        CUSTOMISE,
        {
            "show_forecast_vs_won": "on",
            "position_forecast_vs_won": "1",
            "show_my_tasks": "on",
            "position_my_tasks": "2",
            "show_value_segments": "on",
            "position_value_segments": "",  # no place: last
            "position_my_pipeline": "3",  # not ticked: left out
            # Not a card a rep may add: ignored.
            "show_invoices_overdue": "on",
            "position_invoices_overdue": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert DashboardLayout.objects.get(user=rep).cards == ["forecast_vs_won", "my_tasks", "value_segments"]
    home = client.get(HOME)
    assert cards_on(home) == ["forecast_vs_won", "my_tasks", "value_segments"]
    assert "Your dashboard is saved." in text(home)


def test_ties_keep_the_pages_order(client, rep):
    client.force_login(rep)

    client.post(
        CUSTOMISE,
        {
            "show_my_tasks": "on",
            "position_my_tasks": "1",
            "show_follow_ups": "on",
            "position_follow_ups": "1",
        },
    )

    assert DashboardLayout.objects.get(user=rep).cards == ["my_tasks", "follow_ups"]


@pytest.mark.parametrize("place", ["abc", "0", "-1", "100", "1.5"])
def test_a_bad_place_is_reported_and_nothing_is_saved(client, rep, place):
    client.force_login(rep)

    response = client.post(CUSTOMISE, {"show_my_tasks": "on", "position_my_tasks": place})

    assert response.status_code == 400
    assert "Nothing was saved: some places are not valid." in text(response)
    assert not DashboardLayout.objects.filter(user=rep).exists()


def test_no_cards_at_all_is_a_choice_too(client, rep):
    client.force_login(rep)

    client.post(CUSTOMISE, {})

    response = client.get(HOME)
    assert cards_on(response) == []
    assert "Your dashboard has no cards." in text(response)


def test_back_to_the_roles_cards(client, rep):
    DashboardLayout.objects.create(user=rep, cards=["my_tasks"])
    client.force_login(rep)

    response = client.post(CUSTOMISE, {"reset": "1"})

    assert response.status_code == 302
    assert not DashboardLayout.objects.filter(user=rep).exists()
    assert cards_on(client.get(HOME)) == ["my_tasks", "my_pipeline", "follow_ups"]


def test_saved_cards_no_longer_allowed_or_gone_are_left_out(client, rep):
    DashboardLayout.objects.create(user=rep, cards=["invoices_due", "retired_card", "my_pipeline"])
    client.force_login(rep)

    assert cards_on(client.get(HOME)) == ["my_pipeline"]


def test_each_persons_choice_is_their_own(client, rep, teammate):
    DashboardLayout.objects.create(user=rep, cards=["my_pipeline"])
    client.force_login(teammate)

    assert cards_on(client.get(HOME)) == ["my_tasks", "my_pipeline", "follow_ups"]


def test_customise_needs_a_role_and_takes_get_and_post_only(client, rep, no_role):
    assert client.get(CUSTOMISE).status_code == 302
    client.force_login(no_role)
    assert client.get(CUSTOMISE).status_code == 403
    client.force_login(rep)
    assert client.put(CUSTOMISE).status_code == 405


def test_the_customise_page_in_spanish(client, rep):
    rep.language = "es"
    rep.save(update_fields=["language"])
    client.force_login(rep)

    response = client.get(CUSTOMISE)

    assert 'lang="es"' in text(response)
    assert_strict_csp(response)


# --- query counts -----------------------------------------------------------------------


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "persona", ["rep", "telemarketer", "manager", "service_agent", "accountant", "marketer"], indirect=True
)
def test_every_card_on_the_page_is_offered_to_someone_and_the_page_stays_bounded(client, persona):
    """With every card a role may add, the page still costs a bounded number of queries."""
    client.force_login(persona)
    page = client.get(CUSTOMISE).content.decode()
    every = re.findall(r'name="show_([a-z_]+)"', page)
    client.post(CUSTOMISE, {f"show_{slug}": "on" for slug in every})
    client.get(HOME)

    assert cards_on(client.get(HOME)) == every
    assert _count(client) <= 8 + 4 * len(every)


def test_a_reps_page_costs_the_same_for_few_or_many_records(client, rep):
    client.force_login(rep)
    client.get(HOME)
    # One task due today, one overdue (each list has a row), then many more.
    TaskFactory(customer=CustomerFactory(owner=rep), assignee=rep)
    TaskFactory(customer=CustomerFactory(owner=rep), assignee=rep, due_date=NOW.date().replace(day=1))
    few = _count(client)
    for _index in range(15):
        TaskFactory(customer=CustomerFactory(owner=rep), assignee=rep, due_date=NOW.date().replace(day=1))

    assert _count(client) == few


def test_a_superuser_starts_with_the_admins_cards(client, db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)

    assert cards_on(client.get(HOME)) == ["forecast_vs_won", "team_pipeline", "activity_league"]
