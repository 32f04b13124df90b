"""Alerts before and at an SLA breach, sent to the assignee and their manager, once each.

A target is "near" when no more than ``SERVICE_SLA_WARNING_PERCENT`` of its business time is
left, and breached when none is. Each (ticket, target, stage) is alerted once: the SlaAlert
row is inserted first and the notifications follow only if that insert won, so two workers
running at the same moment never both send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.accounts.services import notify
from service import sla
from service.models import Holiday, SlaAlert, SlaPolicy, Ticket

if TYPE_CHECKING:
    from crm.accounts.models import Team

FIRST_RESPONSE, RESOLUTION = SlaAlert.Target.FIRST_RESPONSE, SlaAlert.Target.RESOLUTION
WARNING, BREACH = SlaAlert.Stage.WARNING, SlaAlert.Stage.BREACH


@dataclass(frozen=True)
class _Due:
    ticket: Ticket
    target: str
    stage: str
    due: datetime


def _warning_share() -> float:
    return min(max(settings.SERVICE_SLA_WARNING_PERCENT, 0), 100) / 100


def _candidates(policies: dict[str, SlaPolicy], now: datetime):
    """Open tickets that may be near or past a target, narrowed in SQL.

    Business time never runs faster than the wall clock, so a ticket opened less than
    (1 - warning share) x target hours ago cannot be near its target yet.
    """
    share = _warning_share()

    def pending(target: str, done_field: str, hours_field: str) -> Q:
        breach_sent = SlaAlert.objects.filter(ticket=OuterRef("pk"), target=target, stage=BREACH)
        old_enough = Q()
        for priority, policy in policies.items():
            hours = float(getattr(policy, hours_field)) * (1 - share)
            old_enough |= Q(priority=priority, opened_at__lte=now - timedelta(hours=hours))
        return Q(**{f"{done_field}__isnull": True}) & old_enough & ~Exists(breach_sent)

    condition = pending(FIRST_RESPONSE, "first_response_at", "first_response_hours") | pending(
        RESOLUTION, "resolved_at", "resolution_hours"
    )
    return (
        Ticket.objects.open()
        .filter(condition)
        .select_related("assignee__team__manager", "team__manager")
        .prefetch_related("sla_alerts")
    )


def _due_alerts(ticket: Ticket, policy: SlaPolicy, now: datetime, holidays: set) -> list[_Due]:
    sent = {(alert.target, alert.stage) for alert in ticket.sla_alerts.all()}
    found = []
    for target, hours, done_at in (
        (FIRST_RESPONSE, policy.first_response_hours, ticket.first_response_at),
        (RESOLUTION, policy.resolution_hours, ticket.resolved_at),
    ):
        if done_at is not None:
            continue
        clock = sla.target(
            opened_at=ticket.opened_at, hours=float(hours), done_at=None, now=now, holidays=holidays
        )
        if clock.left < sla.ZERO:
            stage = BREACH  # a warning not sent in time is not sent late
        elif clock.left <= timedelta(hours=float(hours) * _warning_share()):
            stage = WARNING
        else:
            continue
        if (target, stage) not in sent:
            found.append(_Due(ticket=ticket, target=target, stage=stage, due=clock.due))
    return found


def recipients_of(ticket: Ticket) -> list[User]:
    """The assignee and their team's manager; without a team manager, the team's Manager-role members.

    An unassigned ticket alerts the manager of the ticket's team only.
    """
    people: list[User] = []
    if ticket.assignee is not None and ticket.assignee.is_active:
        people.append(ticket.assignee)
    team: Team | None = ticket.assignee.team if ticket.assignee and ticket.assignee.team else ticket.team
    if team is not None:
        if team.manager is not None:
            managers = [team.manager] if team.manager.is_active else []
        else:
            managers = list(
                User.objects.filter(team=team, is_active=True, groups__name=Role.MANAGER).distinct()
            )
        people.extend(manager for manager in managers if manager not in people)
    return people


def _message(alert: _Due) -> str:
    due = formats.date_format(timezone.localtime(alert.due), "SHORT_DATETIME_FORMAT")
    values = {"ticket": alert.ticket, "due": due}
    if alert.stage == WARNING and alert.target == FIRST_RESPONSE:
        return _("SLA: ticket %(ticket)s needs a first response by %(due)s.") % values
    if alert.stage == WARNING:
        return _("SLA: ticket %(ticket)s must be resolved by %(due)s.") % values
    if alert.target == FIRST_RESPONSE:
        return _("SLA breached: ticket %(ticket)s had no first response by %(due)s.") % values
    return _("SLA breached: ticket %(ticket)s was not resolved by %(due)s.") % values


def _send(alert: _Due, now: datetime) -> bool:
    """Record the alert and notify; False when another run had already recorded it."""
    try:
        with transaction.atomic():
            SlaAlert.objects.create(ticket=alert.ticket, target=alert.target, stage=alert.stage, sent_at=now)
            for person in recipients_of(alert.ticket):
                with translation.override(person.language or settings.LANGUAGE_CODE):
                    message = _message(alert)
                notify(recipient=person, message=message, url=alert.ticket.get_absolute_url())
    except IntegrityError:
        return False
    return True


def send_sla_alerts(*, now: datetime | None = None) -> int:
    """Alert every open ticket near or past an SLA target not yet alerted; returns how many alerts."""
    now = now or timezone.now()
    policies = {policy.priority: policy for policy in SlaPolicy.objects.all()}
    if not policies:
        return 0
    tickets = list(_candidates(policies, now))
    if not tickets:
        return 0
    first_day = timezone.localdate(min(ticket.opened_at for ticket in tickets))
    holidays = set(Holiday.objects.filter(date__gte=first_day).values_list("date", flat=True))
    sent = 0
    for ticket in tickets:
        for alert in _due_alerts(ticket, policies[ticket.priority], now, holidays):
            sent += _send(alert, now)
    return sent
