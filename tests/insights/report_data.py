"""Hand-built records for the report tests, around 15 November 2026.

Sales reps (names fixed so that rows sort predictably): ``rep`` Andrea Ríos, ``teammate``
Bruno Salas and ``leaver`` Diego Vargas (who has left) on North, ``other_team_rep`` Carla
Mejía on South. The forecast of October 2026 was frozen on 1 October; what happened next
is written over the opportunities afterwards, as the reps' moves would have.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.contenttypes.models import ContentType

from contacts.models import Activity
from crm.accounts.roles import Role
from crm.insights.reports.snapshots import take_forecast_snapshot
from leads.models import DisqualificationReason, Lead
from sales.models import LostReason, Opportunity, Quote
from sales.services.pipeline import create_opportunity, move_opportunity
from tests.factories import ActivityFactory, CustomerFactory, user_with_role
from tests.leads.factories import LeadCampaignFactory, LeadFactory
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


# --- activity ---------------------------------------------------------------------------

BOGOTA = ZoneInfo("America/Bogota")


def local(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BOGOTA)


def did(user, kind: str, when: datetime, outcome: str = "", related=None) -> Activity:
    activity = ActivityFactory(
        customer=CustomerFactory(owner=user if user.team_id else None),
        user=user,
        kind=kind,
        occurred_at=when,
        outcome=outcome,
    )
    if related is not None:
        activity.related_type = ContentType.objects.get_for_model(related)
        activity.related_id = related.pk
        activity.save(update_fields=["related_type", "related_id"])
    return activity


def lead(telemarketer, status: str, reason: str = "", updated: datetime | None = None) -> Lead:
    made = LeadFactory(
        assigned_to=telemarketer,
        status=status,
        disqualification_reason=DisqualificationReason.objects.get(name=reason) if reason else None,
    )
    if updated:
        Lead.objects.filter(pk=made.pk).update(updated_at=updated)
    return made


def sent(opportunity: Opportunity, when: datetime, revision_of: Quote | None = None) -> Quote:
    quote = QuoteFactory(
        opportunity=opportunity,
        status=Quote.Status.SENT,
        sent_at=when,
        number=revision_of.number if revision_of else factory_number(),
        version=revision_of.version + 1 if revision_of else 1,
        revision_of=revision_of,
    )
    return quote


_numbers = iter(range(1, 10_000))


def factory_number() -> str:
    return f"COT-T-{next(_numbers):05d}"


def activity_data_set(rep, teammate, other_team_rep, leaver, telemarketer) -> dict:
    """November 2026 in Bogotá; what falls outside it says so."""
    name_people(rep=rep, teammate=teammate, other_team_rep=other_team_rep)
    telemarketer.first_name, telemarketer.last_name = "Tania", "Torres"
    telemarketer.save(update_fields=["first_name", "last_name"])
    Kind = Activity.Kind
    did(rep, Kind.VISIT, local(11, 3))
    did(rep, Kind.CALL, local(11, 3, 11), "Interested")
    did(rep, Kind.CALL, local(11, 10, 23, 30), "No answer")  # the 11th in UTC
    did(rep, Kind.MEETING, local(11, 16, 9))
    did(rep, Kind.EMAIL, local(11, 2, 8))
    did(rep, Kind.NOTE, local(11, 3))  # a note is not work done with a customer
    did(teammate, Kind.VISIT, local(10, 31, 23, 30))  # 1 November in UTC, October here
    did(teammate, Kind.VISIT, local(11, 1, 0, 30))
    did(teammate, Kind.CALL, local(11, 20))
    did(leaver, Kind.CALL, local(11, 4), "Busy")
    did(other_team_rep, Kind.EMAIL, local(11, 5))
    qualified = lead(telemarketer, Lead.Status.QUALIFIED)
    turned_down = lead(telemarketer, Lead.Status.DISQUALIFIED, "No need", updated=local(11, 6, 12))
    trying = lead(telemarketer, Lead.Status.CONTACTING)
    lead(telemarketer, Lead.Status.DISQUALIFIED, "Duplicate", updated=local(10, 20))  # October
    lead(telemarketer, Lead.Status.DISQUALIFIED, updated=local(11, 7))  # no reason recorded
    did(telemarketer, Kind.CALL, local(11, 5), "No answer", related=qualified)
    did(telemarketer, Kind.CALL, local(11, 6), "Interested", related=qualified)
    did(telemarketer, Kind.CALL, local(11, 6, 11), "Not interested", related=turned_down)
    did(telemarketer, Kind.CALL, local(11, 7), "No answer", related=trying)
    lost_price = opportunity(rep, "9999", date(2026, 11, 30), "Lost", closed_on=date(2026, 11, 5))
    Opportunity.objects.filter(pk=lost_price.pk).update(lost_reason=LostReason.objects.get(name="Price"))
    lost_too = opportunity(teammate, "100", date(2026, 11, 30), "Lost", closed_on=date(2026, 11, 6))
    Opportunity.objects.filter(pk=lost_too.pk).update(lost_reason=LostReason.objects.get(name="Price"))
    opportunity(other_team_rep, "50", date(2026, 11, 30), "Lost", closed_on=date(2026, 11, 7))
    opportunity(rep, "77", date(2026, 10, 30), "Lost", closed_on=date(2026, 10, 30))  # October
    alfa = opportunity(rep, "1000", date(2026, 12, 30), "Proposal", name="Alfa renovación")
    beta = opportunity(teammate, "1000", date(2026, 12, 30), "Proposal", name="Beta ampliación")
    gamma = opportunity(rep, "1000", date(2026, 12, 30), "Proposal", name="Gamma equipos")
    sent(alfa, local(11, 9), revision_of=sent(alfa, local(11, 2)))
    sent(beta, local(11, 4), revision_of=sent(beta, local(11, 3)))
    sent(gamma, local(11, 10))
    sent(gamma, local(10, 20))  # October
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    return {"alfa": alfa, "beta": beta, "gamma": gamma, "qualified": qualified, "turned_down": turned_down}


# --- pipeline ---------------------------------------------------------------------------


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def opened(owner, amount: str, when: datetime, stage_name: str, expected: date, name: str) -> Opportunity:
    """Opened through the pipeline service on ``when``, so that its stage history starts there."""
    with time_machine.travel(when, tick=False):
        return create_opportunity(
            data={
                "customer": CustomerFactory(owner=owner),
                "name": name,
                "owner": owner,
                "amount": Decimal(amount),
                "expected_close_date": expected,
                "stage": stage(stage_name),
            },
            by=owner,
        )


def moved(deal: Opportunity, stage_name: str, when: datetime, reason: str = "") -> None:
    with time_machine.travel(when, tick=False):
        move_opportunity(
            opportunity=deal,
            stage=stage(stage_name),
            by=deal.owner,
            lost_reason=LostReason.objects.get(name=reason) if reason else None,
        )


def loaded(owner, amount: str, when: datetime, stage_name: str, expected: date, name: str, **fields):
    """Loaded in bulk: no stage history at all."""
    with time_machine.travel(when, tick=False):
        return opportunity(owner, amount, expected, stage_name, name=name, **fields)


def pipeline_data_set(rep, teammate, other_team_rep, leaver) -> dict:
    """The fourth quarter of 2026 as seen on 15 November."""
    name_people(rep=rep, teammate=teammate, other_team_rep=other_team_rep)
    deals = {
        "P1": opened(rep, "1000", at(10, 1), "Prospecting", date(2026, 11, 30), "P1 ganada"),
        "P2": opened(rep, "2000", at(10, 5), "Prospecting", date(2026, 11, 30), "P2 perdida"),
        "P3": opened(teammate, "500", at(11, 2), "Prospecting", date(2026, 12, 20), "P3 nueva"),
        "P4": opened(teammate, "3000", at(10, 10), "Qualification", date(2026, 11, 10), "P4 negociando"),
        "P5": opened(other_team_rep, "700", at(9, 20), "Prospecting", date(2026, 12, 1), "P5 de septiembre"),
        "P6": loaded(rep, "400", at(11, 10), "Needs analysis", date(2027, 1, 15), "P6 sin historia"),
        "P7": loaded(rep, "100", at(5, 1), "Prospecting", date(2026, 6, 30), "P7 vieja"),
        "P8": loaded(
            teammate, "2500", at(8, 1), "Won", date(2026, 10, 20), "P8", closed_on=date(2026, 10, 20)
        ),
        "P9": loaded(leaver, "300", at(8, 1), "Won", date(2026, 10, 15), "P9", closed_on=date(2026, 10, 15)),
    }
    moved(deals["P1"], "Qualification", at(10, 11))
    moved(deals["P1"], "Proposal", at(10, 21))
    moved(deals["P1"], "Won", at(11, 5))
    moved(deals["P2"], "Qualification", at(10, 25))
    moved(deals["P2"], "Lost", at(11, 1), "Price")
    moved(deals["P4"], "Negotiation", at(10, 30))
    moved(deals["P5"], "Proposal", at(10, 3))
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    return deals
