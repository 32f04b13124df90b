"""Hand-built records for the report tests, around 15 November 2026.

Sales reps (names fixed so that rows sort predictably): ``rep`` Andrea Ríos, ``teammate``
Bruno Salas and ``leaver`` Diego Vargas (who has left) on North, ``other_team_rep`` Carla
Mejía on South. The forecast of October 2026 was frozen on 1 October; what happened next
is written over the opportunities afterwards, as the reps' moves would have.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine

from crm.accounts.roles import Role
from crm.insights.reports.snapshots import take_forecast_snapshot
from sales.models import LostReason, Opportunity, Quote
from tests.factories import CustomerFactory, user_with_role
from tests.leads.factories import LeadCampaignFactory
from tests.sales.factories import OpportunityFactory, ProductFactory, QuoteFactory, QuoteLineFactory, stage

TODAY = date(2026, 11, 15)
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
OCTOBER_START = datetime(2026, 10, 1, 12, tzinfo=UTC)
NAMES = {
    "rep": ("Andrea", "Ríos"),
    "teammate": ("Bruno", "Salas"),
    "other_team_rep": ("Carla", "Mejía"),
    "leaver": ("Diego", "Vargas"),
}


def name_people(**people) -> None:
    for key, user in people.items():
        user.first_name, user.last_name = NAMES[key]
        user.save(update_fields=["first_name", "last_name"])


def make_leaver(north):
    leaver = user_with_role(Role.SALES_REP, team=north, username="leaver")
    name_people(leaver=leaver)
    return leaver


def opportunity(owner, amount: str, expected: date, stage_name: str = "Prospecting", **fields) -> Opportunity:
    return OpportunityFactory(
        customer=CustomerFactory(owner=owner),
        owner=owner,
        team=fields.pop("team", owner.team),
        amount=Decimal(amount),
        expected_close_date=expected,
        stage=stage(stage_name),
        **fields,
    )


def close(opportunity: Opportunity, stage_name: str, on: date, reason: str = "") -> None:
    Opportunity.objects.filter(pk=opportunity.pk).update(
        stage=stage(stage_name),
        probability=stage(stage_name).default_probability,
        closed_on=on,
        lost_reason=LostReason.objects.get(name=reason) if reason else None,
    )


def accept(opportunity: Opportunity, *lines) -> Quote:
    """An accepted quote of the opportunity with (product, quantity, unit price, discount %) lines."""
    quote = QuoteFactory(opportunity=opportunity, status=Quote.Status.ACCEPTED)
    for product, quantity, price, discount in lines:
        QuoteLineFactory(
            quote=quote,
            product=product,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            discount_percent=Decimal(discount),
        )
    return quote


def sales_data_set(rep, teammate, other_team_rep, leaver) -> dict:
    """The fourth quarter of 2026. On 1 October the open pipeline was A-F and J-L; the names
    say how each ended. H and I were opened and won later, without a forecast."""
    name_people(rep=rep, teammate=teammate, other_team_rep=other_team_rep)
    fair = LeadCampaignFactory(name="Feria del Hogar")
    deals = {
        "A": opportunity(rep, "1000", date(2026, 11, 20), "Proposal", campaign=fair),
        "B": opportunity(teammate, "2000", date(2026, 11, 10), "Negotiation"),
        "C": opportunity(rep, "9999", date(2026, 11, 25), "Qualification"),
        "D": opportunity(other_team_rep, "700", date(2026, 12, 15), "Proposal"),
        "E": opportunity(leaver, "300", date(2026, 10, 5), "Proposal"),
        "F": opportunity(rep, "400", date(2027, 2, 10), "Prospecting"),
        "G": opportunity(rep, "100", date(2026, 9, 1), "Prospecting"),  # overdue on 1 October
        "J": opportunity(rep, "1000", date(2026, 10, 20), "Needs analysis"),
        "K": opportunity(teammate, "500", date(2026, 10, 28), "Negotiation"),
        "L": opportunity(teammate, "800", date(2026, 10, 30), "Negotiation"),
    }
    with time_machine.travel(OCTOBER_START, tick=False):
        snapshot = take_forecast_snapshot()
    deals["H"] = opportunity(rep, "500", date(2026, 10, 20), "Prospecting")
    deals["I"] = opportunity(rep, "888", date(2026, 9, 30), "Prospecting")
    close(deals["A"], "Won", date(2026, 11, 3))
    close(deals["B"], "Won", date(2026, 11, 10))
    close(deals["C"], "Lost", date(2026, 11, 5), "Price")
    close(deals["D"], "Won", date(2026, 11, 12))
    close(deals["E"], "Won", date(2026, 10, 5))
    close(deals["H"], "Won", date(2026, 10, 20))
    close(deals["I"], "Won", date(2026, 9, 30))
    close(deals["J"], "Lost", date(2026, 10, 25), "Competitor")
    close(deals["K"], "Won", date(2026, 10, 28))
    lamp, desk = (
        ProductFactory(code="P-LAMP", name="Lámpara"),
        ProductFactory(code="P-DESK", name="Escritorio"),
    )
    accept(deals["A"], (lamp, "2", "400", "10"))
    accept(deals["B"], (lamp, "1", "1000", "0"), (desk, "1", "1000", "0"))
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    return {**deals, "snapshot": snapshot, "fair": fair, "lamp": lamp, "desk": desk}
