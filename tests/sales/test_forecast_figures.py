"""The forecast's figures on a hand-built set of opportunities, computed in the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sales.forecast import Figures, build_forecast, forecast_window
from tests.sales.forecast_data import TODAY, forecast_pipeline, opportunity

MONTHS = ["2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"]


@pytest.fixture
def pipeline(rep, teammate, other_team_rep):
    return forecast_pipeline(rep, teammate, other_team_rep)


def cells(forecast, line) -> dict[str, Figures]:
    return {period.key: figures for period, figures in zip(forecast.periods, line.cells, strict=True)}


def rep_line(forecast, label):
    return next(line for line in forecast.lines() if line.kind == "rep" and line.label == label)


def team_line(forecast, label):
    return next(line for line in forecast.lines() if line.kind == "team" and line.label == label)


def test_the_window_runs_from_this_month_to_the_end_of_the_chosen_quarter():
    assert forecast_window(TODAY, 2) == (date(2026, 11, 1), date(2027, 7, 1))
    assert forecast_window(TODAY, 1) == (date(2026, 11, 1), date(2027, 4, 1))
    assert forecast_window(TODAY, 4) == (date(2026, 11, 1), date(2028, 1, 1))
    assert forecast_window(date(2027, 1, 1), 1) == (date(2027, 1, 1), date(2027, 7, 1))


def test_columns_are_overdue_then_each_month(manager, pipeline):
    forecast = build_forecast(user=manager, today=TODAY)

    assert [period.key for period in forecast.periods] == ["overdue", *MONTHS]


def test_a_reps_figures_per_month(manager, rep, pipeline):
    forecast = build_forecast(user=manager, today=TODAY)
    months = cells(forecast, rep_line(forecast, str(rep)))

    assert months["2026-11"] == Figures(
        pipeline=Decimal("1000.01"), weighted=Decimal("350.0035"), open_count=1
    ), "lost opportunities are left out"
    assert months["2027-01"] == Figures(pipeline=Decimal("333.33"), weighted=Decimal("199.998"), open_count=1)
    assert months["2026-12"] == Figures(won=Decimal("5000"), won_count=1), "won counts in the month it closed"
    assert months["overdue"] == Figures(pipeline=Decimal("200"), weighted=Decimal("20"), open_count=1)
    for empty in ("2027-02", "2027-03", "2027-04", "2027-05", "2027-06"):
        assert months[empty] == Figures(), empty
    assert rep_line(forecast, str(rep)).total == Figures(
        pipeline=Decimal("1533.34"),
        weighted=Decimal("570.0015"),
        won=Decimal("5000"),
        open_count=3,
        won_count=1,
    ), "nothing after the window, nothing won before it"


def test_weighted_sums_are_exact_decimals(manager, rep):
    for amount, probability in [("0.01", 1), ("0.03", 33), ("12345678.99", 17), ("0.07", 99)]:
        opportunity(rep, amount=amount, expected=date(2026, 12, 1), probability=probability)

    forecast = build_forecast(user=manager, today=TODAY)
    december = cells(forecast, forecast.total)["2026-12"]

    # 0.0001 + 0.0099 + 2098765.4283 + 0.0693
    assert december.weighted == Decimal("2098765.5076")
    assert december.pipeline == Decimal("12345679.10")


def test_team_subtotals_and_grand_total(manager, rep, teammate, other_team_rep, pipeline):
    forecast = build_forecast(user=manager, today=TODAY)

    north_reps = sorted([str(rep), str(teammate)], key=str.casefold)
    assert [(line.kind, line.label) for line in forecast.lines()] == [
        ("rep", north_reps[0]),
        ("rep", north_reps[1]),
        ("team", "North"),
        ("rep", str(other_team_rep)),
        ("team", "South"),
        ("rep", str(other_team_rep)),
        ("team", "No team"),
        ("total", "Total"),
    ]
    north = cells(forecast, team_line(forecast, "North"))
    assert north["2026-11"] == Figures(
        pipeline=Decimal("3000.01"), weighted=Decimal("1950.0035"), open_count=2
    )
    assert cells(forecast, team_line(forecast, "South"))["2027-06"].pipeline == Decimal("700.50")
    assert cells(forecast, team_line(forecast, "No team"))["2027-03"].weighted == Decimal("10")
    assert forecast.total.total == Figures(
        pipeline=Decimal("4283.84"),
        weighted=Decimal("2250.0515"),
        won=Decimal("5000"),
        open_count=6,
        won_count=1,
    )


def test_filtered_by_team_or_by_rep(manager, rep, teammate, north, pipeline):
    by_team = build_forecast(user=manager, today=TODAY, team=north)
    by_rep = build_forecast(user=manager, today=TODAY, owner=teammate)

    assert [line.label for line in by_team.lines()] == [
        *sorted([str(rep), str(teammate)], key=str.casefold),
        "North",
        "Total",
    ]
    assert by_team.total.total.pipeline == Decimal("3533.34")
    assert [line.label for line in by_rep.lines()] == [str(teammate), "North", "Total"]
    assert by_rep.total.total.pipeline == Decimal("2000")


def test_more_quarters_show_more_months(manager, pipeline):
    forecast = build_forecast(user=manager, today=TODAY, quarters=4)

    assert len(forecast.periods) == 1 + 14
    assert cells(forecast, forecast.total)["2027-07"].pipeline == Decimal("777")


def test_no_opportunities_gives_zeros(manager):
    forecast = build_forecast(user=manager, today=TODAY, quarters=1)

    assert forecast.groups == []
    assert forecast.total.cells == [Figures()] * 6
