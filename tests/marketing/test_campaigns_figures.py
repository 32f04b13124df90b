"""A campaign's figures: leads by status, cost per lead, revenue won and return on investment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from leads.models import Lead
from marketing.services import campaign_figures
from tests.factories import CustomerFactory
from tests.helpers import text
from tests.marketing.factories import CampaignFactory
from tests.sales.factories import OpportunityFactory, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(rep):
    return rep


def _lead(campaign, status=Lead.Status.NEW) -> Lead:
    return Lead.objects.create(customer=CustomerFactory(), campaign=campaign, status=status)


def _opportunity(owner, **fields):
    fields.setdefault("customer", CustomerFactory(owner=owner))
    return OpportunityFactory(owner=owner, **fields)


@pytest.fixture
def campaign(seller):
    """Cost 2,000,000; four leads; won 10,000,000 through the campaign and 3,000,000 through a lead."""
    campaign = CampaignFactory(budget=Decimal("2500000"), actual_cost=Decimal("2000000"))
    other = CampaignFactory(actual_cost=Decimal("1"))
    converted = _lead(campaign, Lead.Status.CONVERTED)
    _lead(campaign, Lead.Status.NEW)
    _lead(campaign, Lead.Status.NEW)
    _lead(campaign, Lead.Status.DISQUALIFIED)
    _lead(other, Lead.Status.QUALIFIED)
    won = stage("Won")
    # Won, pointing at the campaign directly.
    _opportunity(seller, campaign=campaign, stage=won, amount=Decimal("10000000"))
    # Won, through a lead of the campaign, with no campaign of its own.
    _opportunity(
        seller, source_lead=converted, customer=converted.customer, stage=won, amount=Decimal("3000000")
    )
    # Won through both links at once: counted once.
    _opportunity(
        seller,
        campaign=campaign,
        source_lead=converted,
        customer=converted.customer,
        stage=won,
        amount=Decimal("500000"),
    )
    # Lost and open ones bring no revenue.
    _opportunity(seller, campaign=campaign, stage=stage("Lost"), amount=Decimal("99000000"))
    _opportunity(seller, source_lead=converted, customer=converted.customer, amount=Decimal("77000000"))
    # Another campaign's win is not ours.
    _opportunity(seller, campaign=other, stage=won, amount=Decimal("55000000"))
    return campaign


def test_leads_are_counted_by_status(campaign):
    figures = campaign_figures(campaign)
    counts = {status: count for status, _label, count in figures.leads_by_status}
    assert counts == {"new": 2, "contacting": 0, "qualified": 0, "disqualified": 1, "converted": 1}
    assert figures.leads == 4


def test_revenue_counts_each_won_opportunity_once(campaign):
    figures = campaign_figures(campaign)
    assert figures.revenue == Decimal("13500000")
    assert figures.won_opportunities == 3


def test_cost_per_lead_and_return_on_investment(campaign):
    figures = campaign_figures(campaign)
    assert figures.cost_per_lead == Decimal("500000.00")
    # (13,500,000 − 2,000,000) / 2,000,000 = 5.75
    assert figures.roi == Decimal("5.75")
    assert figures.budget_left == Decimal("500000")
    assert figures.budget_used_percent == Decimal("80.0")


def test_no_cost_means_no_return_figure_and_no_leads_no_cost_per_lead():
    campaign = CampaignFactory(budget=Decimal("0"), actual_cost=Decimal("0"))
    figures = campaign_figures(campaign)
    assert figures.roi is None
    assert figures.cost_per_lead is None
    assert figures.budget_used_percent is None
    assert figures.revenue == Decimal("0")


def test_a_loss_is_a_negative_return(seller):
    campaign = CampaignFactory(actual_cost=Decimal("1000"))
    _opportunity(seller, campaign=campaign, stage=stage("Won"), amount=Decimal("250"))
    assert campaign_figures(campaign).roi == Decimal("-0.75")


def test_the_page_shows_the_figures(client, marketer, campaign):
    client.force_login(marketer)
    response = client.get(reverse("marketing:campaign_detail", args=[campaign.pk]))
    page = text(response)
    assert response.status_code == 200
    assert "575.0%" in page
    assert "13,500,000" in page
    assert "500,000.00" in page


def test_the_page_shows_a_dash_for_the_return_when_nothing_was_spent(client, marketer):
    campaign = CampaignFactory(actual_cost=Decimal("0"))
    client.force_login(marketer)
    response = client.get(reverse("marketing:campaign_detail", args=[campaign.pk]))
    assert response.context["roi_percent"] is None
    assert 'data-testid="roi">—<' in response.content.decode()
