"""Opening, editing and moving opportunities: history, timeline, probability and close dates."""

from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from contacts.models import Activity
from sales.models import LostReason, Opportunity, Stage, StageChange
from sales.services import pipeline as services
from tests.factories import ContactFactory
from tests.sales.factories import OpportunityFactory, stage


@pytest.fixture
def opportunity(customer):
    return OpportunityFactory(customer=customer, name="Renovación licencias 2027")


@pytest.fixture
def price():
    return LostReason.objects.get(name="Price")


def related_activities(opportunity):
    return Activity.objects.filter(
        related_type=ContentType.objects.get_for_model(Opportunity), related_id=opportunity.pk
    )


# -- Moves ---------------------------------------------------------------------------------------


def test_a_move_is_kept_as_history(opportunity, rep):
    services.move_opportunity(opportunity=opportunity, stage=stage("Proposal"), by=rep)
    change = StageChange.objects.get(opportunity=opportunity)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        stage("Prospecting"),
        stage("Proposal"),
        rep,
    )


def test_a_move_is_logged_on_the_customer_timeline(opportunity, rep, customer):
    services.move_opportunity(opportunity=opportunity, stage=stage("Proposal"), by=rep)
    activity = related_activities(opportunity).get()
    assert activity.customer == customer
    assert activity.kind == Activity.Kind.NOTE
    assert activity.user == rep
    assert activity.subject == "Renovación licencias 2027: Prospecting → Proposal"
    assert activity.related == opportunity


def test_a_move_takes_the_stage_probability_and_dates_the_stage(opportunity, rep):
    opportunity.probability = 35
    opportunity.save()
    before = opportunity.stage_changed_at
    moved = services.move_opportunity(opportunity=opportunity, stage=stage("Negotiation"), by=rep)
    moved.refresh_from_db()
    assert moved.stage == stage("Negotiation")
    assert moved.probability == 80
    assert moved.stage_changed_at > before
    assert moved.closed_on is None


def test_lost_needs_a_reason(opportunity, rep):
    with pytest.raises(services.LostReasonRequiredError):
        services.move_opportunity(opportunity=opportunity, stage=stage("Lost"), by=rep)
    opportunity.refresh_from_db()
    assert opportunity.stage == stage("Prospecting")
    assert not StageChange.objects.exists()
    assert not related_activities(opportunity).exists()


def test_lost_keeps_its_reason_and_closes_today(opportunity, rep, price):
    moved = services.move_opportunity(opportunity=opportunity, stage=stage("Lost"), by=rep, lost_reason=price)
    moved.refresh_from_db()
    assert moved.lost_reason == price
    assert moved.closed_on == timezone.localdate()
    assert moved.probability == 0
    assert related_activities(opportunity).get().notes == "Lost reason: Price"


def test_won_closes_today_with_full_probability(opportunity, rep):
    moved = services.move_opportunity(opportunity=opportunity, stage=stage("Won"), by=rep)
    assert (moved.closed_on, moved.probability) == (timezone.localdate(), 100)


def test_each_change_knows_when_the_deal_moved_on(opportunity, rep):
    """The end of each stay is kept on the change that began it: the pipeline's time in stage."""
    start = timezone.now() - timedelta(days=10)
    with time_machine.travel(start, tick=False):
        services.move_opportunity(opportunity=opportunity, stage=stage("Qualification"), by=rep)
    with time_machine.travel(start + timedelta(days=4), tick=False):
        services.move_opportunity(opportunity=opportunity, stage=stage("Proposal"), by=rep)
    history = StageChange.objects.filter(opportunity=opportunity).order_by("changed_at", "pk")
    assert [(change.changed_at, change.left_at) for change in history] == [
        (start, start + timedelta(days=4)),
        (start + timedelta(days=4), None),
    ]


def test_existing_history_learns_when_each_stay_ended(opportunity, rep):
    """The upgrade dates the end of every stay already recorded, on either database."""
    backfill = importlib.import_module("sales.migrations.0009_stagechange_left_at").backfill
    start = timezone.now() - timedelta(days=10)
    for days, name in [(0, "Qualification"), (3, "Proposal"), (3, "Negotiation"), (7, "Proposal")]:
        with time_machine.travel(start + timedelta(days=days), tick=False):
            services.move_opportunity(opportunity=opportunity, stage=stage(name), by=rep)
    expected = list(StageChange.objects.order_by("pk").values_list("pk", "left_at"))
    StageChange.objects.update(left_at=None)
    with connection.cursor() as cursor:
        backfill(None, SimpleNamespace(connection=connection, execute=cursor.execute))
    assert list(StageChange.objects.order_by("pk").values_list("pk", "left_at")) == expected
    assert [left_at for _pk, left_at in expected] == [
        start + timedelta(days=3),
        start + timedelta(days=3),
        start + timedelta(days=7),
        None,
    ]


def test_the_deal_remembers_the_furthest_stage_it_got_to(opportunity, rep, price):
    """The pipeline funnel counts a deal at the furthest stage it reached, lost ones aside."""
    services.move_opportunity(opportunity=opportunity, stage=stage("Proposal"), by=rep)
    services.move_opportunity(opportunity=opportunity, stage=stage("Qualification"), by=rep)
    moved = services.move_opportunity(opportunity=opportunity, stage=stage("Lost"), by=rep, lost_reason=price)
    assert moved.furthest_stage == stage("Proposal")
    opportunity.refresh_from_db()
    assert opportunity.furthest_stage == stage("Proposal")


def test_reordering_the_stages_recounts_how_far_each_deal_got(opportunity, rep):
    services.move_opportunity(opportunity=opportunity, stage=stage("Proposal"), by=rep)
    services.move_opportunity(opportunity=opportunity, stage=stage("Qualification"), by=rep)
    qualification = stage("Qualification")
    qualification.order = stage("Negotiation").order + 1
    qualification.save()
    opportunity.refresh_from_db()
    assert opportunity.furthest_stage == qualification


def test_existing_deals_learn_the_furthest_stage_they_got_to(opportunity, rep):
    backfill = importlib.import_module("sales.migrations.0010_opportunity_furthest_stage").backfill
    services.move_opportunity(opportunity=opportunity, stage=stage("Negotiation"), by=rep)
    services.move_opportunity(opportunity=opportunity, stage=stage("Proposal"), by=rep)
    untouched = OpportunityFactory(customer=opportunity.customer)
    Opportunity.objects.update(furthest_stage=None)
    with connection.cursor() as cursor:
        backfill(None, SimpleNamespace(connection=connection, execute=cursor.execute))
    opportunity.refresh_from_db()
    untouched.refresh_from_db()
    assert (opportunity.furthest_stage, untouched.furthest_stage) == (stage("Negotiation"), None)


def test_reopening_clears_the_close_date_and_reason(opportunity, rep, price):
    services.move_opportunity(opportunity=opportunity, stage=stage("Lost"), by=rep, lost_reason=price)
    reopened = services.move_opportunity(opportunity=opportunity, stage=stage("Negotiation"), by=rep)
    reopened.refresh_from_db()
    assert reopened.closed_on is None
    assert reopened.lost_reason is None
    assert reopened.probability == 80
    assert StageChange.objects.filter(opportunity=opportunity).count() == 2


def test_won_after_lost_is_dated_the_day_it_is_won(opportunity, rep, price):
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        services.move_opportunity(opportunity=opportunity, stage=stage("Lost"), by=rep, lost_reason=price)
    won = services.move_opportunity(opportunity=opportunity, stage=stage("Won"), by=rep)
    assert won.closed_on == timezone.localdate()
    assert won.lost_reason is None


def test_moving_to_the_same_stage_changes_nothing(opportunity, rep):
    services.move_opportunity(opportunity=opportunity, stage=stage("Prospecting"), by=rep)
    assert not StageChange.objects.exists()
    assert not related_activities(opportunity).exists()


def test_moving_a_lost_one_to_lost_again_only_updates_the_reason(opportunity, rep, price):
    services.move_opportunity(opportunity=opportunity, stage=stage("Lost"), by=rep, lost_reason=price)
    timing = LostReason.objects.get(name="Timing")
    moved = services.move_opportunity(
        opportunity=opportunity, stage=stage("Lost"), by=rep, lost_reason=timing
    )
    assert moved.lost_reason == timing
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1


def test_win_opportunity_uses_the_won_stage(opportunity, rep):
    assert services.win_opportunity(opportunity=opportunity, by=rep).stage == stage("Won")


def test_win_opportunity_without_a_won_stage_says_so(opportunity, rep):
    Stage.objects.filter(is_won=True).update(is_active=False)
    with pytest.raises(services.NoWonStageError):
        services.win_opportunity(opportunity=opportunity, by=rep)


# -- Creating and editing ------------------------------------------------------------------------


def _data(customer, **overrides):
    data = {
        "customer": customer,
        "name": "Licencias ERP",
        "amount": Decimal("12000000"),
        "expected_close_date": timezone.localdate() + timedelta(days=45),
        "stage": stage("Qualification"),
        "probability": None,
        "owner": None,
        "next_step": "",
        "lost_reason": None,
    }
    return data | overrides


def test_a_new_opportunity_belongs_to_its_creator_and_their_team(customer, rep, north):
    opportunity = services.create_opportunity(data=_data(customer), by=rep)
    assert (opportunity.owner, opportunity.team) == (rep, north)
    assert opportunity.probability == 20
    change = StageChange.objects.get(opportunity=opportunity)
    assert (change.from_stage, change.to_stage) == (None, stage("Qualification"))


def test_a_new_opportunity_for_a_colleague_goes_to_their_team(customer, manager, other_team_rep, south):
    opportunity = services.create_opportunity(data=_data(customer, owner=other_team_rep), by=manager)
    assert (opportunity.owner, opportunity.team) == (other_team_rep, south)


def test_an_explicit_probability_is_kept_on_creation(customer, rep):
    assert services.create_opportunity(data=_data(customer, probability=5), by=rep).probability == 5


def test_creating_a_lost_opportunity_needs_a_reason(customer, rep):
    with pytest.raises(services.LostReasonRequiredError):
        services.create_opportunity(data=_data(customer, stage=stage("Lost")), by=rep)
    assert not Opportunity.objects.exists()


def test_editing_the_stage_without_a_probability_takes_the_new_default(opportunity, rep):
    updated = services.update_opportunity(
        opportunity=opportunity, data={"stage": stage("Proposal"), "probability": None}, by=rep
    )
    assert updated.probability == 60
    assert StageChange.objects.filter(opportunity=opportunity, to_stage=stage("Proposal")).exists()
    assert related_activities(opportunity).count() == 1


def test_editing_with_an_explicit_probability_keeps_it(opportunity, rep):
    updated = services.update_opportunity(
        opportunity=opportunity, data={"stage": stage("Proposal"), "probability": 45}, by=rep
    )
    assert updated.probability == 45


def test_editing_to_won_closes_and_back_reopens(opportunity, rep):
    won = services.update_opportunity(opportunity=opportunity, data={"stage": stage("Won")}, by=rep)
    assert won.closed_on == timezone.localdate()
    reopened = services.update_opportunity(opportunity=opportunity, data={"stage": stage("Proposal")}, by=rep)
    assert reopened.closed_on is None


def test_giving_it_to_someone_else_moves_it_to_their_team(opportunity, rep, other_team_rep, south):
    updated = services.update_opportunity(opportunity=opportunity, data={"owner": other_team_rep}, by=rep)
    assert updated.team == south


def test_editing_other_fields_writes_no_history(opportunity, rep):
    services.update_opportunity(
        opportunity=opportunity, data={"name": "Otro nombre", "probability": 10}, by=rep
    )
    assert not StageChange.objects.exists()
    assert not related_activities(opportunity).exists()


# -- Visits and meetings -------------------------------------------------------------------------


def test_a_visit_is_an_activity_of_the_customer_linked_to_the_opportunity(opportunity, rep, customer):
    contact = ContactFactory(customer=customer)
    activity = services.log_opportunity_activity(
        opportunity=opportunity,
        by=rep,
        kind=Activity.Kind.VISIT,
        subject="Visita de demostración",
        contact=contact,
        duration_minutes=60,
    )
    assert activity.customer == customer
    assert activity.related == opportunity
    assert (activity.user, activity.contact, activity.duration_minutes) == (rep, contact, 60)
