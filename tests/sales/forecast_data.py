"""A hand-built set of opportunities around 15 November 2026, shared by the forecast tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from tests.factories import CustomerFactory
from tests.sales.factories import OpportunityFactory, stage

TODAY = date(2026, 11, 15)
# Midday, so that it is the 15th in any time zone the site may use.
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


def opportunity(owner, *, amount, expected, stage_name="Prospecting", team="owner's", **fields):
    customer = CustomerFactory(owner=owner)
    return OpportunityFactory(
        customer=customer,
        owner=owner,
        team=owner.team if team == "owner's" else team,
        amount=Decimal(amount),
        expected_close_date=expected,
        stage=stage(stage_name),
        **fields,
    )


def forecast_pipeline(rep, teammate, other_team_rep) -> dict:
    """The hand-built data set; names say where each opportunity must (not) be counted.

    ``rep`` and ``teammate`` are on team North, ``other_team_rep`` on South."""
    return {
        "rep_nov": opportunity(rep, amount="1000.01", expected=date(2026, 11, 20), probability=35),
        "rep_jan": opportunity(rep, amount="333.33", expected=date(2027, 1, 10), stage_name="Proposal"),
        "rep_won_dec": opportunity(
            rep, amount="5000", expected=date(2026, 10, 1), stage_name="Won", closed_on=date(2026, 12, 3)
        ),
        "rep_lost_nov": opportunity(
            rep, amount="9999", expected=date(2026, 11, 25), stage_name="Lost", closed_on=date(2026, 11, 5)
        ),
        "rep_overdue": opportunity(rep, amount="200", expected=date(2026, 9, 30)),
        "rep_after_window": opportunity(rep, amount="777", expected=date(2027, 7, 1)),
        "rep_won_before_window": opportunity(
            rep, amount="888", expected=date(2026, 11, 30), stage_name="Won", closed_on=date(2026, 10, 31)
        ),
        "teammate_nov": opportunity(
            teammate, amount="2000", expected=date(2026, 11, 2), stage_name="Negotiation"
        ),
        "south_jun": opportunity(other_team_rep, amount="700.50", expected=date(2027, 6, 30)),
        "no_team_mar": opportunity(
            other_team_rep, amount="50", expected=date(2027, 3, 15), team=None, probability=20
        ),
    }
