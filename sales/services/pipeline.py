"""Writes on the pipeline: opening, editing and moving opportunities, logging visits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from contacts.models import Activity, Contact
from contacts.services import log_activity
from crm.accounts.models import User
from sales.models import LostReason, Opportunity, Stage, StageChange


class LostReasonRequiredError(Exception):
    """An opportunity can only be lost with a reason."""


class NoWonStageError(Exception):
    """No active stage is marked as won, so nothing can be won."""


def _check_reason(stage: Stage, lost_reason: LostReason | None) -> None:
    if stage.is_lost and lost_reason is None:
        raise LostReasonRequiredError(_("Say why the opportunity was lost."))


def _close_or_reopen(opportunity: Opportunity, lost_reason: LostReason | None) -> None:
    """Closed stages date the close; reopening clears the date and the reason."""
    stage = opportunity.stage
    if stage.is_closed:
        opportunity.closed_on = opportunity.closed_on or timezone.localdate()
    else:
        opportunity.closed_on = None
    opportunity.lost_reason = lost_reason if stage.is_lost else None


def _log_stage_change(opportunity: Opportunity, *, from_stage: Stage | None, by: User | None) -> StageChange:
    change = StageChange.objects.create(
        opportunity=opportunity, from_stage=from_stage, to_stage=opportunity.stage, changed_by=by
    )
    # The stay this change ends: the deal's previous change, the only other one not yet left.
    StageChange.objects.filter(opportunity=opportunity, left_at__isnull=True).exclude(pk=change.pk).update(
        left_at=change.changed_at
    )
    stage = opportunity.stage
    if not stage.is_lost:  # further than the deal ever went: its furthest stage now
        further = Q(furthest_stage__isnull=True) | Q(furthest_stage__order__lt=stage.order)
        if Opportunity.objects.filter(further, pk=opportunity.pk).update(furthest_stage=stage):
            opportunity.furthest_stage = stage
    if from_stage is not None:
        # The customer's timeline is read by every department: written in the company's language.
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("%(opportunity)s: %(from)s → %(to)s") % {
                "opportunity": Truncator(opportunity.name).chars(120),
                "from": from_stage,
                "to": opportunity.stage,
            }
            notes = (
                _("Lost reason: %(reason)s") % {"reason": opportunity.lost_reason}
                if opportunity.lost_reason
                else ""
            )
        log_activity(
            customer=opportunity.customer,
            by=by,
            kind=Activity.Kind.NOTE,
            subject=subject,
            notes=notes,
            related=opportunity,
        )
    return change


@transaction.atomic
def create_opportunity(*, data: dict[str, Any], by: User) -> Opportunity:
    """Open an opportunity; the owner defaults to ``by``, the probability to the stage's.

    ``data`` holds model field values; a ``probability`` of None means the stage default.
    """
    values = dict(data)
    probability = values.pop("probability", None)
    lost_reason = values.pop("lost_reason", None)
    opportunity = Opportunity(**values)
    if opportunity.owner_id is None:
        opportunity.owner = by
    if opportunity.team_id is None:
        opportunity.team_id = opportunity.owner.team_id
    _check_reason(opportunity.stage, lost_reason)
    opportunity.probability = opportunity.stage.default_probability if probability is None else probability
    _close_or_reopen(opportunity, lost_reason)
    opportunity.save()
    _log_stage_change(opportunity, from_stage=None, by=by)
    return opportunity


@transaction.atomic
def update_opportunity(*, opportunity: Opportunity, data: dict[str, Any], by: User) -> Opportunity:
    """Save edits. A stage change is recorded like a move on the board.

    A ``probability`` of None takes the (new) stage's default; a number is kept as typed.
    A new owner brings the opportunity to the owner's team.
    """
    current = Opportunity.objects.select_for_update().select_related("stage").get(pk=opportunity.pk)
    previous_stage, previous_owner_id = current.stage, current.owner_id
    values = dict(data)
    probability = values.pop("probability", None)
    lost_reason = values.pop("lost_reason", None)
    for name, value in values.items():
        setattr(current, name, value)
    _check_reason(current.stage, lost_reason)
    if current.owner_id != previous_owner_id:
        current.team_id = current.owner.team_id
    current.probability = current.stage.default_probability if probability is None else probability
    stage_moved = current.stage_id != previous_stage.pk
    if stage_moved:
        current.stage_changed_at = timezone.now()
        current.closed_on = None  # a new close (won after lost) gets today's date
    _close_or_reopen(current, lost_reason)
    current.save()
    if stage_moved:
        _log_stage_change(current, from_stage=previous_stage, by=by)
    return current


@transaction.atomic
def move_opportunity(
    *, opportunity: Opportunity, stage: Stage, by: User, lost_reason: LostReason | None = None
) -> Opportunity:
    """Put the opportunity in ``stage`` with the stage's probability, and keep it as history.

    Won and lost date the close (lost needs a reason); moving back to an open stage reopens.
    The move is logged as a note on the customer's timeline. Moving to the same stage
    changes nothing, except a lost opportunity's reason.
    """
    _check_reason(stage, lost_reason)
    current = (
        Opportunity.objects.select_for_update().select_related("stage", "customer").get(pk=opportunity.pk)
    )
    previous_stage = current.stage
    if stage.pk == previous_stage.pk:
        if stage.is_lost and current.lost_reason_id != lost_reason.pk:
            current.lost_reason = lost_reason
            current.save(update_fields=["lost_reason", "updated_at"])
        return current
    current.stage = stage
    current.probability = stage.default_probability
    current.stage_changed_at = timezone.now()
    current.closed_on = None
    _close_or_reopen(current, lost_reason)
    current.save()
    _log_stage_change(current, from_stage=previous_stage, by=by)
    return current


def win_opportunity(*, opportunity: Opportunity, by: User) -> Opportunity:
    """Move the opportunity to the first active won stage (e.g. when its quote is accepted)."""
    stage = Stage.objects.filter(is_won=True, is_active=True).order_by("order", "pk").first()
    if stage is None:
        raise NoWonStageError(_("No active stage is marked as won."))
    return move_opportunity(opportunity=opportunity, stage=stage, by=by)


@transaction.atomic
def log_opportunity_activity(
    *,
    opportunity: Opportunity,
    by: User,
    kind: str,
    subject: str,
    notes: str = "",
    outcome: str = "",
    duration_minutes: int | None = None,
    occurred_at: datetime | None = None,
    contact: Contact | None = None,
) -> Activity:
    """A visit, meeting, call, email or note about the opportunity, on its customer's timeline."""
    return log_activity(
        customer=opportunity.customer,
        by=by,
        kind=kind,
        subject=subject,
        notes=notes,
        outcome=outcome,
        duration_minutes=duration_minutes,
        occurred_at=occurred_at,
        contact=contact,
        related=opportunity,
    )
