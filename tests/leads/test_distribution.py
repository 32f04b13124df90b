"""Spreading new leads over a team's telemarketers by load, and moving them in bulk."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from crm.accounts.roles import Role
from leads.capture.distribution import distribute_leads, plan_distribution, reassign_leads
from leads.models import Lead
from tests.factories import user_with_role
from tests.leads.factories import LeadFactory


def test_plan_is_round_robin_when_loads_are_equal():
    plan = plan_distribution([1, 2, 3, 4, 5], [(0, 10), (0, 20)])
    assert plan == {10: [1, 3, 5], 20: [2, 4]}


def test_plan_fills_the_least_loaded_first():
    plan = plan_distribution(list(range(1, 6)), [(0, 10), (3, 20)])
    assert plan == {10: [1, 2, 3, 5], 20: [4]}


def test_new_leads_go_to_active_telemarketers_of_the_team_by_load(north, south, telemarketer, rep):
    busy = user_with_role(Role.TELEMARKETER, team=north, username="busy")
    gone = user_with_role(Role.TELEMARKETER, team=north, username="gone")
    gone.is_active = False
    gone.save()
    user_with_role(Role.TELEMARKETER, team=south, username="southern")
    LeadFactory.create_batch(2, assigned_to=busy)
    new = LeadFactory.create_batch(6)
    given = distribute_leads(leads_qs=Lead.objects.filter(pk__in=[lead.pk for lead in new]), team=north)
    assert given == {telemarketer.pk: 4, busy.pk: 2}
    assigned = Lead.objects.filter(pk__in=[lead.pk for lead in new])
    assert set(assigned.values_list("team", flat=True)) == {north.pk}
    assert assigned.filter(assigned_to=rep).count() == 0
    loads = {
        user: Lead.objects.filter(assigned_to__username=user).count() for user in ("telemarketer", "busy")
    }
    assert loads == {"telemarketer": 4, "busy": 4}


def test_distribution_costs_a_few_queries_whatever_the_number_of_leads(
    north, telemarketer, django_assert_num_queries
):
    user_with_role(Role.TELEMARKETER, team=north, username="second")
    LeadFactory.create_batch(40)
    # A savepoint and its release, the ids, the loads, one update per telemarketer.
    with django_assert_num_queries(6):
        distribute_leads(leads_qs=Lead.objects.all(), team=north)


def test_a_team_without_telemarketers_keeps_its_leads_unassigned(south):
    lead = LeadFactory()
    assert distribute_leads(leads_qs=Lead.objects.filter(pk=lead.pk), team=south) == {}
    lead.refresh_from_db()
    assert (lead.team, lead.assigned_to) == (south, None)


def test_a_manager_reassigns_leads_in_bulk(manager, telemarketer, south):
    other = user_with_role(Role.TELEMARKETER, team=south, username="southern")
    leads = LeadFactory.create_batch(3, assigned_to=telemarketer)
    moved = reassign_leads(lead_ids=[lead.pk for lead in leads[:2]], to_user=other, by=manager)
    assert moved == 2
    assert Lead.objects.filter(assigned_to=other, team=south).count() == 2
    assert Lead.objects.filter(assigned_to=telemarketer).count() == 1


def test_reassigning_moves_only_leads_the_user_can_see(telemarketer, other_team_rep, south):
    other = user_with_role(Role.TELEMARKETER, team=south, username="southern")
    theirs = LeadFactory(assigned_to=other)
    assert reassign_leads(lead_ids=[theirs.pk], to_user=telemarketer, by=telemarketer) == 0


def test_leads_cannot_go_to_someone_who_does_not_make_calls(manager, rep):
    lead = LeadFactory()
    with pytest.raises(ValidationError):
        reassign_leads(lead_ids=[lead.pk], to_user=rep, by=manager)
