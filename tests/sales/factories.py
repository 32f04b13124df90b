"""Factories for the sales department's records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from sales.models import InstalledProduct, Opportunity, Product, Quote, QuoteLine, Stage
from tests.factories import CustomerFactory


def stage(name: str) -> Stage:
    """One of the stages seeded by migration: Prospecting, Qualification, Needs analysis,
    Proposal, Negotiation, Won, Lost."""
    return Stage.objects.get(name=name)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"Producto {n}")
    unit_price = Decimal("100000.00")
    unit_cost = Decimal("60000.00")
    tax_rate = Decimal("19.00")


class InstalledProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstalledProduct

    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    since = factory.LazyFunction(timezone.localdate)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Oportunidad {n}")
    owner = factory.LazyAttribute(lambda opportunity: opportunity.customer.owner)
    team = factory.LazyAttribute(lambda opportunity: opportunity.owner.team if opportunity.owner else None)
    amount = Decimal("5000000.00")
    expected_close_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    stage = factory.LazyFunction(lambda: stage("Prospecting"))
    probability = factory.LazyAttribute(lambda opportunity: opportunity.stage.default_probability)


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    opportunity = factory.SubFactory(OpportunityFactory)
    customer = factory.LazyAttribute(lambda quote: quote.opportunity.customer)
    number = factory.Sequence(lambda n: f"COT-2026-{n:05d}")
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    created_by = factory.LazyAttribute(lambda quote: quote.opportunity.owner)


class QuoteLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuoteLine

    quote = factory.SubFactory(QuoteFactory)
    product = factory.SubFactory(ProductFactory)
    description = factory.LazyAttribute(lambda line: line.product.name)
    quantity = Decimal("1")
    unit_price = factory.LazyAttribute(lambda line: line.product.unit_price)
    unit_cost = factory.LazyAttribute(lambda line: line.product.unit_cost)
    tax_rate = factory.LazyAttribute(lambda line: line.product.tax_rate)
