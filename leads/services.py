"""Writes on leads: calls and their outcomes, callbacks, qualification answers, disqualification,
and manual leads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Activity, Customer
from contacts.services import log_activity
from crm.accounts.models import User
from leads.models import DisqualificationReason, Lead

OPEN_STATUSES = (Lead.Status.NEW, Lead.Status.CONTACTING)


class CallOutcome:
    """What came of a call. Labels are what the timeline shows as the call's outcome."""

    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    CALLBACK = "callback"
    INTERESTED = "interested"
    NOT_INTERESTED = "not_interested"
    SOLD = "sold"

    choices = [
        (NO_ANSWER, gettext_lazy("No answer")),
        (BUSY, gettext_lazy("Busy")),
        (WRONG_NUMBER, gettext_lazy("Wrong number")),
        (CALLBACK, gettext_lazy("Call back at…")),
        (INTERESTED, gettext_lazy("Interested")),
        (NOT_INTERESTED, gettext_lazy("Not interested")),
        (SOLD, gettext_lazy("Sold by phone")),
    ]
    # The disqualification reason offered first after these outcomes (seeded names).
    SUGGESTED_REASONS = {WRONG_NUMBER: "Wrong contact data", NOT_INTERESTED: "No need"}

    @classmethod
    def label(cls, value: str) -> str:
        return str(dict(cls.choices)[value])


# Unanswered calls are retried later rather than straight away, so the queue moves on.
RETRY_AFTER = {CallOutcome.NO_ANSWER: timedelta(hours=2), CallOutcome.BUSY: timedelta(minutes=30)}


class LeadClosedError(Exception):
    """The lead is no longer open (qualified, disqualified or converted)."""


class CallbackInPastError(Exception):
    """A callback must be set for a time still to come."""


def _company_language():
    # The customer's timeline is read by every department: written in the company's language.
    return translation.override(settings.LANGUAGE_CODE)


def _check_open(lead: Lead) -> None:
    if lead.status not in OPEN_STATUSES:
        raise LeadClosedError(_("This lead is no longer open."))


@transaction.atomic
def log_call(
    *,
    lead: Lead,
    by: User,
    outcome: str,
    notes: str = "",
    duration_minutes: int | None = None,
    callback_at: datetime | None = None,
) -> Activity:
    """Record a call on the customer's timeline and move the lead along.

    The lead counts the call and is being contacted; a callback puts it back in the queue at
    ``callback_at`` (which must lie ahead); no answer and busy retry it a while later; any other
    outcome clears a pending callback.
    """
    current = Lead.objects.select_for_update().select_related("customer").get(pk=lead.pk)
    _check_open(current)
    now = timezone.now()
    if outcome == CallOutcome.CALLBACK:
        if callback_at is None or callback_at <= now:
            raise CallbackInPastError(_("Choose a time in the future to call back."))
    elif outcome in RETRY_AFTER:
        callback_at = now + RETRY_AFTER[outcome]
    else:
        callback_at = None
    with _company_language():
        label = CallOutcome.label(outcome)
        subject = _("Call: %(outcome)s") % {"outcome": label}
        if callback_at is not None:
            local = timezone.localtime(callback_at)
            subject = _("Call: call back on %(when)s") % {"when": local.strftime("%Y-%m-%d %H:%M")}
    activity = log_activity(
        customer=current.customer,
        by=by,
        kind=Activity.Kind.CALL,
        subject=Truncator(subject).chars(200),
        notes=notes,
        outcome=Truncator(label).chars(100),
        duration_minutes=duration_minutes,
        occurred_at=now,
        contact=current.contact,
        related=current,
    )
    Lead.objects.filter(pk=current.pk).update(
        status=Lead.Status.CONTACTING,
        last_called_at=now,
        call_count=F("call_count") + 1,
        callback_at=callback_at,
        updated_at=now,
    )
    lead.refresh_from_db()
    return activity


@transaction.atomic
def disqualify_lead(*, lead: Lead, reason: DisqualificationReason, by: User, notes: str = "") -> Lead:
    """Close the lead with a reason; it leaves the queue."""
    current = Lead.objects.select_for_update().select_related("customer").get(pk=lead.pk)
    _check_open(current)
    current.status = Lead.Status.DISQUALIFIED
    current.disqualification_reason = reason
    current.callback_at = None
    if notes:
        current.notes = f"{current.notes}\n{notes}".strip()
    current.save()
    with _company_language():
        subject = _("Lead disqualified: %(reason)s") % {"reason": reason}
    log_activity(
        customer=current.customer,
        by=by,
        kind=Activity.Kind.NOTE,
        subject=Truncator(subject).chars(200),
        notes=notes,
        related=current,
    )
    return current


@transaction.atomic
def qualify_lead(
    *, lead: Lead, by: User, need: str = "", budget: str = "", authority: str = "", timeline: str = ""
) -> Lead:
    """Save the qualification answers and mark the lead qualified (still to be handed over)."""
    current = Lead.objects.select_for_update().get(pk=lead.pk)
    _check_open(current)
    current.need, current.budget, current.authority, current.timeline = need, budget, authority, timeline
    current.status = Lead.Status.QUALIFIED
    current.callback_at = None
    current.save()
    return current


@transaction.atomic
def mark_converted(*, lead: Lead) -> Lead:
    """The qualified lead became an opportunity."""
    current = Lead.objects.select_for_update().get(pk=lead.pk)
    if current.status != Lead.Status.QUALIFIED:
        raise LeadClosedError(_("Only a qualified lead can be converted."))
    current.status = Lead.Status.CONVERTED
    current.save(update_fields=["status", "updated_at"])
    return current


@transaction.atomic
def create_lead(*, customer: Customer, data: dict[str, Any], by: User) -> Lead:
    """A lead entered by hand on an existing customer; the team follows the telemarketer's."""
    lead = Lead(customer=customer, **data)
    if lead.assigned_to_id is not None and lead.team_id is None:
        lead.team_id = lead.assigned_to.team_id
    if lead.team_id is None:
        lead.team_id = customer.team_id or by.team_id
    lead.save()
    return lead
