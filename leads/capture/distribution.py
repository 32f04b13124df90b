"""Spreading new leads over a team's telemarketers, and moving leads between them.

Distribution is by load: each lead goes to the telemarketer with the fewest open leads
at that moment (ties to the one first in line), so equal loads make a plain round-robin
and an uneven team is levelled first. The assignment is computed in Python over ids and
written with one ``UPDATE`` per telemarketer, not one per lead.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from contacts.importing.validation import chunks
from crm.accounts.models import Team, User
from crm.accounts.roles import Role
from leads.models import Lead

OPEN_STATUSES = [Lead.Status.NEW, Lead.Status.CONTACTING]


def telemarketers_by_load(team: Team) -> list[tuple[int, int]]:
    """(open leads, user id) for the team's active telemarketers, least loaded first."""
    users = (
        User.objects.filter(team=team, is_active=True, groups__name=Role.TELEMARKETER)
        .annotate(load=Count("assigned_leads", filter=Q(assigned_leads__status__in=OPEN_STATUSES)))
        .order_by("load", "pk")
        .values_list("load", "pk")
    )
    return list(users)


def plan_distribution(lead_ids: list[int], loads: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Lead ids per user id: each lead to the least-loaded telemarketer, round-robin among equals."""
    heap = [(load, position, user_id) for position, (load, user_id) in enumerate(loads)]
    heapq.heapify(heap)
    plan: dict[int, list[int]] = defaultdict(list)
    if not heap:
        return plan
    for lead_id in lead_ids:
        load, position, user_id = heapq.heappop(heap)
        plan[user_id].append(lead_id)
        # Moving to the back of the line among equals is what makes it a round-robin.
        heapq.heappush(heap, (load + 1, position + len(loads), user_id))
    return plan


@transaction.atomic
def distribute_leads(*, leads_qs: QuerySet[Lead], team: Team | None) -> dict[int, int]:
    """Give these leads to ``team`` and spread them over its active telemarketers.

    Returns how many leads each telemarketer (by user id) received. Without a team, or
    a team without telemarketers, the leads keep the team (if any) and stay unassigned
    for a manager to hand out.
    """
    lead_ids = list(leads_qs.order_by("pk").values_list("pk", flat=True))
    if not lead_ids or team is None:
        return {}
    plan = plan_distribution(lead_ids, telemarketers_by_load(team))
    if not plan:
        for chunk in chunks(lead_ids):
            Lead.objects.filter(pk__in=chunk).update(team=team)
        return {}
    for user_id, ids in plan.items():
        for chunk in chunks(ids):
            Lead.objects.filter(pk__in=chunk).update(assigned_to_id=user_id, team=team)
    return {user_id: len(ids) for user_id, ids in plan.items()}


@transaction.atomic
def reassign_leads(*, lead_ids: list[int], to_user: User, by: User) -> int:
    """Move the leads ``by`` can see to ``to_user`` (an active telemarketer) and their team.

    Returns the number of leads moved. Raises ``ValidationError`` when ``to_user`` cannot
    take leads.
    """
    if not to_user.is_active or not to_user.groups.filter(name=Role.TELEMARKETER).exists():
        raise ValidationError(_("%(user)s is not an active telemarketer.") % {"user": to_user})
    visible = Lead.objects.visible_to(by)
    moved = 0
    for chunk in chunks(lead_ids):
        moved += visible.filter(pk__in=chunk).update(assigned_to=to_user, team_id=to_user.team_id)
    return moved
