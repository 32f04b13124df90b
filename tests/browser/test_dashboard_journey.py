"""A manager's dashboard in a real browser: charts draw, the period changes, a figure opens its records."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.accounts.roles import Role
from crm.insights.reports.periods import add_months, month_of
from tests.factories import CustomerFactory, TeamFactory, user_with_role
from tests.sales.factories import OpportunityFactory, stage

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so data must be committed; the roles and
    # stages the migrations created come back for each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "secret-pass-123"  # The factories' password.


def won(owner, name: str, amount: str, closed_on) -> None:
    OpportunityFactory(
        customer=CustomerFactory(owner=owner),
        owner=owner,
        name=name,
        amount=Decimal(amount),
        expected_close_date=closed_on,
        stage=stage("Won"),
        closed_on=closed_on,
    )


@pytest.fixture
def deals():
    rep = user_with_role(Role.SALES_REP, team=TeamFactory(name="North"), username="rep")
    today = timezone.localdate()
    won(rep, "Licencias ERP", "1000", today)
    won(rep, "Mesas de juntas", "700", add_months(month_of(today), -1) + timedelta(days=4))
    won(rep, "Sillas ergonómicas", "50", add_months(month_of(today), -1) + timedelta(days=9))


@pytest.fixture
def manager():
    return user_with_role(Role.MANAGER, username="gerente")


def test_a_manager_changes_the_period_and_drills_into_a_figure(page, page_problems, manager, deals):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("gerente")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))

    # The manager's cards, this month's figures, and charts drawn from the card endpoints.
    forecast = page.locator("#card-forecast_vs_won")
    expect(forecast.get_by_role("heading", name="Forecast against won")).to_be_visible()
    expect(page.locator("#card-team_pipeline")).to_be_visible()
    expect(page.locator("#card-activity_league")).to_be_visible()
    expect(forecast.locator('[data-figure="won"]')).to_have_text("1,000")
    chart = forecast.locator("canvas.dashboard-chart")
    expect(chart).to_have_attribute("data-state", "drawn")
    assert chart.evaluate("canvas => Chart.getChart(canvas).data.datasets[0].data") == [1000.0]

    # Last month: the page reloads with that period, and so do the charts.
    page.get_by_label("Period").select_option(label="Last month")
    expect(page).to_have_url(re.compile(r"\?period=last_month$"))
    expect(forecast.locator('[data-figure="won"]')).to_have_text("750")
    expect(forecast.locator('[data-figure="deals"]')).to_have_text("2")
    expect(chart).to_have_attribute("data-state", "drawn")
    assert chart.evaluate("canvas => Chart.getChart(canvas).data.datasets[0].data") == [750.0]

    # The won amount opens the deals behind it.
    forecast.locator('[data-figure="won"]').get_by_role("link").click()
    expect(page.get_by_role("heading", name="Won opportunities")).to_be_visible()
    expect(page.locator("#records-totals")).to_contain_text("2 records")
    records = page.locator("#records-table")
    expect(records).to_contain_text("Mesas de juntas")
    expect(records).to_contain_text("Sillas ergonómicas")
    expect(records).not_to_contain_text("Licencias ERP")

    assert not page_problems.page_errors
    assert not page_problems.console_errors
    assert not page_problems.failed_requests
