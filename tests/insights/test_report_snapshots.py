"""The forecast frozen at the start of every month: what it keeps, and that it never changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from crm.insights.management.commands.setup_periodic_tasks import PERIODIC_TASKS
from crm.insights.reports.models import ForecastLine, ForecastSnapshot
from crm.insights.reports.snapshots import take_forecast_snapshot
from crm.insights.reports.tasks import snapshot_forecast_task
from sales.models import Opportunity
from tests.insights.report_data import opportunity
from tests.sales.factories import stage

FIRST_OF_MARCH = datetime(2027, 3, 1, 5, 30, tzinfo=UTC)  # 00:30 in Bogotá


@pytest.fixture
def pipeline(rep, other_team_rep):
    return {
        "march": opportunity(rep, "1000.50", date(2027, 3, 31), "Proposal", probability=55),
        "next_february": opportunity(other_team_rep, "200", date(2028, 2, 29), "Qualification"),
        "after_horizon": opportunity(rep, "300", date(2028, 3, 1)),
        "overdue": opportunity(rep, "400", date(2027, 2, 28)),
        "won": opportunity(rep, "500", date(2027, 3, 10), "Won", closed_on=date(2027, 2, 20)),
        "lost": opportunity(rep, "600", date(2027, 3, 10), "Lost", closed_on=date(2027, 2, 20)),
        "no_team": opportunity(rep, "700", date(2027, 4, 1), "Negotiation", team=None),
    }


def test_the_snapshot_keeps_the_open_deals_of_the_next_twelve_months_as_they_stood(pipeline, rep):
    with time_machine.travel(FIRST_OF_MARCH, tick=False):
        snapshot = take_forecast_snapshot()

    lines = {line.opportunity_id: line for line in ForecastLine.objects.filter(snapshot=snapshot)}
    assert snapshot.month == date(2027, 3, 1)
    assert set(lines) == {pipeline["march"].pk, pipeline["next_february"].pk, pipeline["no_team"].pk}
    march = lines[pipeline["march"].pk]
    assert (march.owner, march.team, march.stage, march.probability) == (rep, rep.team, stage("Proposal"), 55)
    assert (march.amount, march.expected_close_date, march.close_month) == (
        Decimal("1000.50"),
        date(2027, 3, 31),
        date(2027, 3, 1),
    )
    assert lines[pipeline["no_team"].pk].team is None
    assert lines[pipeline["next_february"].pk].close_month == date(2028, 2, 1)
    # Totals for the admin: 1000.50 + 200 + 700; 550.275 + 40 + 560 weighted.
    assert (snapshot.line_count, snapshot.pipeline, snapshot.weighted) == (
        3,
        Decimal("1900.50"),
        Decimal("1150.28"),
    )


def test_a_month_is_frozen_once_whatever_happens_next(pipeline):
    with time_machine.travel(FIRST_OF_MARCH, tick=False):
        first = take_forecast_snapshot()
    Opportunity.objects.filter(pk=pipeline["march"].pk).update(amount=Decimal(99), probability=99)
    opportunity(pipeline["march"].owner, "5", date(2027, 3, 20))

    with time_machine.travel(datetime(2027, 3, 17, 12, tzinfo=UTC), tick=False):
        again = take_forecast_snapshot()

    assert again.pk == first.pk
    line = ForecastLine.objects.get(snapshot=first, opportunity=pipeline["march"])
    assert (line.amount, line.probability) == (Decimal("1000.50"), 55)
    assert ForecastLine.objects.filter(snapshot=first).count() == 3


def test_the_daily_job_takes_each_month_once(pipeline):
    assert (
        PERIODIC_TASKS["Freeze the month's forecast"][0]
        == "crm.insights.reports.tasks.snapshot_forecast_task"
    )

    with time_machine.travel(FIRST_OF_MARCH, tick=False):
        march = snapshot_forecast_task.delay().get()
    with time_machine.travel(datetime(2027, 3, 2, 5, 30, tzinfo=UTC), tick=False):
        march_again = snapshot_forecast_task.delay().get()
    with time_machine.travel(datetime(2027, 4, 1, 5, 30, tzinfo=UTC), tick=False):
        april = snapshot_forecast_task.delay().get()

    assert march == march_again != april
    assert list(ForecastSnapshot.objects.values_list("month", flat=True)) == [
        date(2027, 4, 1),
        date(2027, 3, 1),
    ]
    # On 1 April the March deal is overdue: April's forecast leaves it out.
    assert not ForecastLine.objects.filter(snapshot_id=april, opportunity=pipeline["march"]).exists()


def test_the_job_may_be_given_a_month(db):
    pk = snapshot_forecast_task.delay(month="2027-05-17").get()

    assert ForecastSnapshot.objects.get(pk=pk).month == date(2027, 5, 1)


def test_an_empty_pipeline_gives_an_empty_snapshot(db):
    snapshot = take_forecast_snapshot(month=date(2027, 1, 1))

    assert (snapshot.line_count, snapshot.pipeline, snapshot.weighted) == (0, 0, 0)


def test_snapshots_are_read_only_in_the_admin(client, django_user_model, pipeline):
    take_forecast_snapshot(month=date(2027, 3, 1))
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-123"))

    for model in ("forecastsnapshot", "forecastline"):
        changelist = reverse(f"admin:insights_{model}_changelist")
        assert client.get(changelist).status_code == 200
        assert client.get(changelist, {"q": "2027"}).status_code == 200
        assert client.get(reverse(f"admin:insights_{model}_add")).status_code == 403
