"""Lead conversion: a qualified lead becomes an opportunity on the same customer."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from contacts.models import Activity
from contacts.services import assign_owner, log_activity
from crm.accounts.models import User
from crm.accounts.services import notify
from leads import services as lead_services
from leads.models import Lead
from sales.models import Opportunity, Stage
from sales.services.pipeline import NoWonStageError, create_opportunity

QUALIFICATION_STAGE = "Qualification"  # seeded name


class NoOpenStageError(Exception):
    """No active open stage to start the opportunity in."""


def _language_of(user: User) -> AbstractContextManager:
    return translation.override(user.language) if user.language else nullcontext()


def starting_stage(*, won: bool) -> Stage:
    """Qualification (or the first active open stage when it was renamed or retired); Won when sold."""
    active = Stage.objects.filter(is_active=True).order_by("order", "pk")
    if won:
        stage = active.filter(is_won=True).first()
        if stage is None:
            raise NoWonStageError(_("No active stage is marked as won."))
        return stage
    stage = (
        active.filter(name=QUALIFICATION_STAGE, is_won=False, is_lost=False).first()
        or active.filter(is_won=False, is_lost=False).first()
    )
    if stage is None:
        raise NoOpenStageError(_("No active open stage to start the opportunity in."))
    return stage


@transaction.atomic
def convert_lead(
    *,
    lead: Lead,
    rep: User,
    by: User,
    name: str,
    amount: Decimal,
    expected_close_date: date,
    won: bool = False,
    need: str | None = None,
    budget: str | None = None,
    authority: str | None = None,
    timeline: str | None = None,
) -> Opportunity:
    """Hand the lead to ``rep`` as an opportunity on the lead's customer and alert the rep.

    The answers given (need, budget, authority, timeline) are saved on the lead, which ends
    converted; the opportunity remembers the lead and its campaign. Sold by phone (``won``)
    opens it straight in the won stage. A customer without an owner gets the rep as owner.
    """
    answers = {
        "need": lead.need if need is None else need,
        "budget": lead.budget if budget is None else budget,
        "authority": lead.authority if authority is None else authority,
        "timeline": lead.timeline if timeline is None else timeline,
    }
    stage = starting_stage(won=won)
    qualified = lead_services.qualify_lead(lead=lead, by=by, **answers)
    converted = lead_services.mark_converted(lead=qualified)
    opportunity = create_opportunity(
        data={
            "customer": lead.customer,
            "name": name,
            "owner": rep,
            "team": rep.team,
            "amount": amount,
            "expected_close_date": expected_close_date,
            "stage": stage,
            "source_lead": converted,
            "campaign_id": converted.campaign_id,
        },
        by=by,
    )
    customer = lead.customer
    if customer.owner_id is None:
        assign_owner(customer=customer, owner=rep, by=by)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Lead handed to %(rep)s: %(opportunity)s") % {
            "rep": rep,
            "opportunity": Truncator(name).chars(120),
        }
        notes = "\n".join(
            f"{label}: {value}"
            for label, value in (
                (_("Need"), answers["need"]),
                (_("Budget"), answers["budget"]),
                (_("Authority"), answers["authority"]),
                (_("Timeline"), answers["timeline"]),
            )
            if value
        )
    log_activity(
        customer=customer,
        by=by,
        kind=Activity.Kind.NOTE,
        subject=Truncator(subject).chars(200),
        notes=notes,
        related=converted,
    )
    if rep.pk != by.pk:
        with _language_of(rep):
            template = (
                _("%(user)s sold %(opportunity)s by phone to %(customer)s; it is yours.")
                if won
                else _("%(user)s handed you a qualified lead: %(opportunity)s (%(customer)s).")
            )
            message = template % {
                "user": by,
                "opportunity": opportunity.name,
                "customer": customer.display_name,
            }
        notify(recipient=rep, message=message, url=opportunity.get_absolute_url())
    lead.refresh_from_db()
    return opportunity
