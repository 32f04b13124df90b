"""Demo sales data in bulk: a Colombian software and services catalogue, what customers own,
opportunities spread over the pipeline with their stage history, and quotes with lines.

Like ``contacts.demo``, rows are built in Python from one seeded ``random.Random`` and written
in bulk, so twenty thousand opportunities take seconds, not minutes: ``bulk_create`` for the
rows whose new ids are needed (opportunities, quotes), and plain value rows (``COPY`` on
PostgreSQL) for the many rows nobody refers to (stage history, products owned, activities).
Timestamps that the models fill on creation (``created_at``...) are given back-dated values,
so the board, the history and the forecast look lived in.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from contacts.models import Activity, Customer
from crm.accounts.models import User
from crm.accounts.roles import Role
from sales.demo import data
from sales.demo.bulk import given_timestamps, insert_rows
from sales.demo.generator import Deal, Generator
from sales.history import pipeline_history
from sales.models import InstalledProduct, Opportunity, Product, Quote, QuoteLine, StageChange
from sales.models.quotes import QuoteNumberSequence
from sales.services.quotes import NUMBER_FORMAT

BATCH = 2000  # rows per INSERT


@dataclass
class SalesSeedResult:
    products: int = 0
    installed: int = 0
    opportunities: int = 0
    open: int = 0
    stage_changes: int = 0
    quotes: int = 0
    quote_lines: int = 0
    activities: int = 0
    seconds: float = 0.0


def ensure_catalogue() -> dict[str, Product]:
    """The demo products by code, created where missing (existing ones are left as they are)."""
    existing = set(Product.objects.values_list("code", flat=True))
    Product.objects.bulk_create(
        Product(
            code=code,
            name=name,
            description=description,
            unit_price=Decimal(price),
            unit_cost=Decimal(cost),
            tax_rate=Decimal(tax),
            is_licence=term is not None,
            licence_term_months=term,
        )
        for code, name, description, price, cost, tax, term in data.CATALOGUE
        if code not in existing
    )
    return {
        product.code: product
        for product in Product.objects.filter(code__in=[row[0] for row in data.CATALOGUE])
    }


def _number_quotes(quotes: list[Quote]) -> None:
    """Give the quotes the next numbers of their year, in date order, from the shared sequence."""
    by_year: dict[int, list[Quote]] = {}
    for quote in sorted(quotes, key=lambda quote: quote.issued_on):
        by_year.setdefault(quote.issued_on.year, []).append(quote)
    for year, batch in by_year.items():
        QuoteNumberSequence.objects.get_or_create(year=year)
        sequence = QuoteNumberSequence.objects.select_for_update().get(year=year)
        for offset, quote in enumerate(batch, start=1):
            quote.number = NUMBER_FORMAT.format(year=year, number=sequence.last + offset)
        sequence.last += len(batch)
        sequence.save(update_fields=["last"])


def _write(deals: list[Deal], result: SalesSeedResult) -> None:
    opportunity_fields = Opportunity._meta
    with given_timestamps(
        opportunity_fields.get_field("created_at"),
        opportunity_fields.get_field("stage_changed_at"),
        Quote._meta.get_field("created_at"),
    ):
        Opportunity.objects.bulk_create([deal.opportunity for deal in deals], batch_size=BATCH)
        quoted = [deal for deal in deals if deal.quote is not None]
        for deal in quoted:
            deal.quote.opportunity_id = deal.opportunity.pk
        _number_quotes([deal.quote for deal in quoted])
        Quote.objects.bulk_create([deal.quote for deal in quoted], batch_size=BATCH)
    lines = []
    for deal in quoted:
        for line in deal.lines:
            line.quote_id = deal.quote.pk
        lines += deal.lines
    QuoteLine.objects.bulk_create(lines, batch_size=BATCH)
    changes = [
        (deal.opportunity.pk, *change, following[-1] if following else None)
        for deal in deals
        for change, following in zip(deal.changes, [*deal.changes[1:], None], strict=True)
    ]
    insert_rows(
        StageChange, ["opportunity", "from_stage", "to_stage", "changed_by", "changed_at", "left_at"], changes
    )
    pipeline_history.bump()  # bulk inserts send no signal
    activities = [(*activity, deal.opportunity.pk) for deal in deals for activity in deal.activities]
    quote_type = ContentType.objects.get_for_model(Quote).pk
    activities += [
        (
            deal.quote.customer_id,
            Activity.Kind.EMAIL.value,
            f"Cotización {deal.quote.number} (versión 1) enviada",
            None,
            deal.quote.sent_at,
            deal.quote.sent_by_id,
            quote_type,
            deal.quote.pk,
        )
        for deal in quoted
        if deal.quote.sent_at
    ]
    insert_rows(
        Activity,
        [
            "customer",
            "kind",
            "subject",
            "duration_minutes",
            "occurred_at",
            "user",
            "related_type",
            "related_id",
        ],
        activities,
    )
    result.opportunities += len(deals)
    result.open += sum(1 for deal in deals if deal.opportunity.closed_on is None)
    result.stage_changes += len(changes)
    result.quotes += len(quoted)
    result.quote_lines += len(lines)
    result.activities += len(activities)


def seed_sales_demo(
    *,
    rng: random.Random,
    customers: models.QuerySet[Customer],
    opportunities: int,
    closed: int | None = None,
    owners: Sequence[User] | None = None,
    installed_share: float = 0.35,
) -> SalesSeedResult:
    """Add sales demo data for ``customers``; returns counts.

    ``opportunities`` open ones are spread over the open stages, plus ``closed`` won and
    lost ones (a quarter as many by default). Each goes to the customer's owner, or else to
    a sales rep of the customer's team, or any sales rep in ``owners`` (default: every
    active sales rep). About ``installed_share`` of the customers get products they own.
    The catalogue is created the first time. The same seed on the same data gives the same rows.
    """
    started = time.perf_counter()
    result = SalesSeedResult()
    closed = opportunities // 4 if closed is None else closed
    if owners is None:
        owners = list(User.objects.filter(groups__name=Role.SALES_REP, is_active=True).order_by("pk"))
    with transaction.atomic():
        before = Product.objects.count()
        products = ensure_catalogue()
        result.products = Product.objects.count() - before
        rows = list(customers.order_by("pk").values_list("pk", "owner_id", "team_id"))
        generator = Generator(rng=rng, products=products, owners=owners)
        # Customers owned by someone who is not in ``owners`` keep their owner and the owner's team.
        others = {owner_id for _customer, owner_id, _team in rows if owner_id} - set(generator.owner_team)
        generator.owner_team.update(User.objects.filter(pk__in=others).values_list("pk", "team_id"))
        # Customers who own something already keep what they own.
        owning = set(
            InstalledProduct.objects.filter(customer__in=customers)
            .values_list("customer_id", flat=True)
            .distinct()
        )
        installed = [
            row
            for customer_id, _owner, _team in rows
            if rng.random() < installed_share and customer_id not in owning
            for row in generator.installed(customer_id)
        ]
        insert_rows(InstalledProduct, ["customer", "product", "since", "licence_expires_on"], installed)
        result.installed = len(installed)
        assignable = [
            (customer_id, owner)
            for customer_id, owner_id, team_id in rows
            if (owner := generator.owner_for(owner_id, team_id)) is not None
        ]
        if assignable:
            deals = []
            for index in range(opportunities + closed):
                customer_id, owner_id = rng.choice(assignable)
                deals.append(generator.deal(customer_id, owner_id, closed=index >= opportunities))
            for start in range(0, len(deals), 5 * BATCH):
                _write(deals[start : start + 5 * BATCH], result)
    result.seconds = time.perf_counter() - started
    return result
