"""Campaign and segment writes, and the figures of a campaign's page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from crm.accounts.roles import Role, has_role
from marketing.models import Campaign, CampaignMember, Segment
from marketing.segments import clean_filters, filters_are_valid, segment_members

if TYPE_CHECKING:
    from crm.accounts.models import User

CAMPAIGN_EDITORS = (Role.MARKETING, Role.MANAGER, Role.ADMIN)
STALE_SEGMENT = _(
    "This segment uses a filter value that no longer exists (a deleted tag, for example). Edit it first."
)


def can_edit_campaigns(user: User) -> bool:
    return has_role(user, *CAMPAIGN_EDITORS)


@transaction.atomic
def save_campaign(*, campaign: Campaign, by: User) -> Campaign:
    """Create or update a campaign; a new one belongs to its creator unless an owner was chosen."""
    if campaign.owner_id is None and campaign.pk is None:
        campaign.owner = by
    if campaign.team_id is None and campaign.owner is not None:
        campaign.team_id = campaign.owner.team_id
    campaign.save()
    return campaign


@transaction.atomic
def set_web_form(*, campaign: Campaign, enabled: bool, by: User) -> Campaign:
    """Open or close the campaign's public web-to-lead form."""
    campaign.web_form_enabled = enabled
    campaign.save(update_fields=["web_form_enabled"])
    return campaign


@transaction.atomic
def save_segment(*, segment: Segment, filters: dict, by: User) -> Segment:
    if segment.pk is None and segment.owner_id is None:
        segment.owner = by
    segment.filters = clean_filters(filters)
    segment.save()
    return segment


@transaction.atomic
def add_segment_to_campaign(*, campaign: Campaign, segment: Segment, by: User) -> int:
    """Make the segment's current members campaign members; returns how many were new.

    Customers already in the campaign are left as they are, so adding twice adds nothing.
    A segment whose stored filters name something that no longer exists is refused rather
    than read as "everyone".
    """
    if not filters_are_valid(segment.filters or {}, user=by):
        raise ValidationError(STALE_SEGMENT)
    new_ids = list(
        segment_members(segment, user=by)
        .exclude(campaign_memberships__campaign=campaign)
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    CampaignMember.objects.bulk_create(
        [CampaignMember(campaign=campaign, customer_id=pk) for pk in new_ids],
        batch_size=1000,
        # Someone adding the same customers at the same moment is not an error.
        ignore_conflicts=True,
    )
    return len(new_ids)


@dataclass(frozen=True)
class CampaignFigures:
    leads_by_status: list[tuple[str, str, int]]  # (status, label, count), in the status order
    leads: int
    members: int
    cost_per_lead: Decimal | None
    revenue: Decimal
    won_opportunities: int
    roi: Decimal | None  # a fraction: 0.5 is a 50 % return
    budget_left: Decimal
    budget_used_percent: Decimal | None


def _lead_status_labels() -> list[tuple[str, str]]:
    # Read through the reverse relation: marketing sits below leads and does not import it.
    field = Campaign._meta.get_field("leads").related_model._meta.get_field("status")
    return [(str(value), str(label)) for value, label in field.flatchoices]


def won_opportunities(campaign: Campaign):
    """Won opportunities that came from the campaign, directly or through one of its leads.

    Each opportunity counts once even when both links point at this campaign.
    """
    opportunity_model = Campaign._meta.get_field("opportunities").related_model
    return opportunity_model.objects.filter(
        Q(campaign=campaign) | Q(source_lead__campaign=campaign), stage__is_won=True
    )


def campaign_figures(campaign: Campaign) -> CampaignFigures:
    """Members, leads by status, cost per lead, revenue won and return on investment, in four queries."""
    counts = dict(
        Campaign.objects.filter(pk=campaign.pk, leads__isnull=False)
        .values_list("leads__status")
        .annotate(number=Count("leads"))
        .order_by()
    )
    by_status = [(value, label, counts.get(value, 0)) for value, label in _lead_status_labels()]
    leads = sum(counts.values())
    won = won_opportunities(campaign).order_by().aggregate(revenue=Sum("amount"), number=Count("pk"))
    revenue = won["revenue"] or Decimal(0)
    cost = campaign.actual_cost or Decimal(0)
    budget = campaign.budget or Decimal(0)
    return CampaignFigures(
        leads_by_status=by_status,
        leads=leads,
        members=CampaignMember.objects.filter(campaign=campaign).count(),
        cost_per_lead=(cost / leads).quantize(Decimal("0.01")) if leads else None,
        revenue=revenue,
        won_opportunities=won["number"],
        roi=((revenue - cost) / cost).quantize(Decimal("0.0001")) if cost else None,
        budget_left=budget - cost,
        budget_used_percent=(cost * 100 / budget).quantize(Decimal("0.1")) if budget else None,
    )
