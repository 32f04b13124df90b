"""The demo's random generator: products owned, opportunities with their history, quotes."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from crm.accounts.models import User
from sales import pricing
from sales.demo import data
from sales.models import LostReason, Opportunity, Product, Quote, QuoteLine, SalesSettings, Stage
from sales.services.catalog import add_months

MIN_AMOUNT, MAX_AMOUNT = Decimal(2_000_000), Decimal(200_000_000)


@dataclass
class Deal:
    opportunity: Opportunity
    # Rows that get the opportunity's id once it is inserted:
    # (from stage, to stage, by, when) and (customer, kind, subject, minutes, when, user, related type).
    changes: list[tuple] = field(default_factory=list)
    activities: list[tuple] = field(default_factory=list)
    quote: Quote | None = None
    lines: list[QuoteLine] = field(default_factory=list)


class Generator:
    def __init__(self, *, rng: random.Random, products: dict[str, Product], owners: Sequence[User]):
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.products = products
        self.active = [product for product in products.values() if product.is_active]
        stages = list(Stage.objects.filter(is_active=True))
        self.open_stages = [stage for stage in stages if not stage.is_closed]
        self.won = next(stage for stage in stages if stage.is_won)
        self.lost = next(stage for stage in stages if stage.is_lost)
        self.lost_reasons = list(LostReason.objects.filter(is_active=True).values_list("pk", flat=True))
        self.owner_team = {owner.pk: owner.team_id for owner in owners}
        self.by_team: dict[int | None, list[int]] = {}
        for owner in owners:
            self.by_team.setdefault(owner.team_id, []).append(owner.pk)
        self.owners = list(self.owner_team)
        settings = SalesSettings.load()
        self.validity = settings.quote_validity_days
        self.terms = settings.default_terms or data.TERMS
        self.opportunity_type = ContentType.objects.get_for_model(Opportunity)

    # --- pieces -------------------------------------------------------------------------
    def _moment(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    def _amount(self) -> Decimal:
        # Log-uniform between 2 and 200 million pesos: many small deals, a few large ones.
        value = math.exp(self.rng.uniform(math.log(MIN_AMOUNT), math.log(MAX_AMOUNT)))
        return Decimal(round(value, -5))

    def owner_for(self, owner_id: int | None, team_id: int | None) -> int | None:
        if owner_id is not None:
            return owner_id
        pool = self.by_team.get(team_id) or self.owners
        return self.rng.choice(pool) if pool else None

    # --- installed base -----------------------------------------------------------------
    def installed(self, customer_id: int) -> list[tuple]:
        """(customer, product, since, licence expiry) rows of one customer's products."""
        rng = self.rng
        rows = []
        for product in rng.sample(self.active, k=min(len(self.active), rng.choice([1, 1, 2, 2, 3, 4]))):
            since = self.today - timedelta(days=rng.randint(30, 6 * 365))
            expires = None
            if product.is_licence:
                # Renewed every term until it lapsed, or still running.
                expires = add_months(since, product.licence_term_months)
                while expires < self.today and rng.random() < 0.85:
                    expires = add_months(expires, product.licence_term_months)
            rows.append((customer_id, product.pk, since, expires))
        return rows

    # --- opportunities ------------------------------------------------------------------
    def deal(self, customer_id: int, owner_id: int, *, closed: bool) -> Deal:
        rng = self.rng
        topic, codes = rng.choice(data.DEALS)
        opportunity = Opportunity(
            customer_id=customer_id,
            name=f"{topic}{rng.choice(data.DEAL_SUFFIXES)}",
            owner_id=owner_id,
            team_id=self.owner_team.get(owner_id),
            amount=self._amount(),
            next_step="",
        )
        if closed:
            won = rng.random() < 0.45
            closed_on = self.today - timedelta(days=rng.randint(0, 90))
            opportunity.stage = self.won if won else self.lost
            opportunity.probability = opportunity.stage.default_probability
            opportunity.expected_close_date = closed_on
            opportunity.closed_on = closed_on
            if not won and self.lost_reasons:
                opportunity.lost_reason_id = rng.choice(self.lost_reasons)
            # Won deals went all the way; lost ones dropped out somewhere on the way.
            reached = len(self.open_stages) if won else rng.randint(1, len(self.open_stages))
            path = [*self.open_stages[:reached], opportunity.stage]
            end = timezone.make_aware(datetime.combine(closed_on, datetime.min.time())) + timedelta(
                hours=rng.randint(8, 18)
            )
            end = min(end, self.now)
            start = end - timedelta(days=rng.randint(20, 200))
        else:
            index = rng.choices(range(len(self.open_stages)), data.OPEN_WEIGHTS[: len(self.open_stages)])[0]
            opportunity.stage = self.open_stages[index]
            probability = opportunity.stage.default_probability
            if rng.random() < 0.2:
                probability = min(95, max(5, probability + rng.choice([-10, -5, 5, 10])))
            opportunity.probability = probability
            # Mostly ahead, some overdue: from three months ago to nine months ahead.
            opportunity.expected_close_date = self.today + timedelta(days=round(rng.triangular(-90, 270, 45)))
            opportunity.next_step = rng.choice(data.NEXT_STEPS)
            path = self.open_stages[: index + 1]
            end = self.now - timedelta(hours=rng.randint(1, 24 * 20))
            start = end - timedelta(days=rng.randint(5, 240))
        deal = Deal(opportunity=opportunity)
        # The history: one change per step, in order, between the start and the last move.
        moments = sorted(self._moment(start, end) for _step in path[1:])
        if closed:
            moments[-1] = end  # closed on the day it was won or lost
        previous = None
        for stage, moment in zip(path, [start, *moments], strict=True):
            deal.changes.append((previous and previous.pk, stage.pk, owner_id, moment))
            previous = stage
        reached = [stage for stage in path if not stage.is_lost]
        opportunity.furthest_stage = max(reached, key=lambda stage: stage.order) if reached else None
        opportunity.created_at = start
        opportunity.stage_changed_at = moment
        if rng.random() < 0.4:
            kind, subject, low, high = rng.choice(data.VISITS)
            minutes, when = rng.randint(low, high), self._moment(start, end)
            deal.activities.append(
                (
                    customer_id,
                    kind.value,
                    f"{subject}: {opportunity.name}",
                    minutes,
                    when,
                    owner_id,
                    self.opportunity_type.pk,
                )
            )
        stages_with_quotes = {stage.pk for stage in self.open_stages[3:]} | {self.won.pk}
        proposed = opportunity.stage_id in stages_with_quotes or (
            opportunity.lost_reason_id and len(path) > 4
        )
        if proposed and rng.random() < 0.3:
            self._quote(deal, codes, start, end)
        return deal

    def _quote(self, deal: Deal, codes: list[str], start: datetime, end: datetime) -> None:
        rng = self.rng
        opportunity = deal.opportunity
        products = [self.products[code] for code in codes if code in self.products]
        if not products:
            return
        products = products[: rng.randint(1, len(products))]
        target = opportunity.amount
        lines = []
        for position, product in enumerate(products):
            low, high = next(
                value for prefix, value in data.QUANTITIES.items() if product.code.startswith(prefix)
            )
            share = target / len(products)
            quantity = max(low, min(high * 3, round(share / product.unit_price))) if high > 1 else 1
            lines.append(
                QuoteLine(
                    position=position,
                    product=product,
                    # Snapshot: the catalogue as it was when the quote was written.
                    description=product.name,
                    quantity=Decimal(quantity),
                    unit_price=product.unit_price,
                    unit_cost=product.unit_cost,
                    discount_percent=Decimal(rng.choice([0, 0, 0, 5, 10, 15])),
                    tax_rate=product.tax_rate,
                )
            )
        totals = pricing.compute_totals(line.priced for line in lines)
        if not MIN_AMOUNT <= totals.net <= MAX_AMOUNT:
            # Keep deals between 2 and 200 million pesos: scale the quantities into range.
            bound = MIN_AMOUNT if totals.net < MIN_AMOUNT else MAX_AMOUNT
            factor = bound / totals.net
            for line in lines:
                scaled = line.quantity * factor
                line.quantity = Decimal(max(1, math.ceil(scaled) if factor > 1 else math.floor(scaled)))
            totals = pricing.compute_totals(line.priced for line in lines)
        # The opportunity is worth what the quote sells, before tax.
        opportunity.amount = totals.net
        # Quoted in the last weeks before the deal closed or before today, mostly.
        issued_at = self._moment(max(start, end - timedelta(days=45)), end)
        issued_on = timezone.localdate(issued_at)
        valid_until = issued_on + timedelta(days=self.validity)
        stage = opportunity.stage
        if stage.is_won:
            status = Quote.Status.ACCEPTED
        elif stage.is_lost:
            status = Quote.Status.REJECTED
        elif rng.random() < 0.2:
            status = Quote.Status.DRAFT
        else:
            status = Quote.Status.SENT if valid_until >= self.today else Quote.Status.EXPIRED
        sent = status != Quote.Status.DRAFT
        deal.quote = Quote(
            customer_id=opportunity.customer_id,
            version=1,
            status=status,
            issued_on=issued_on,
            valid_until=valid_until,
            terms=self.terms,
            subtotal=totals.subtotal,
            discount_total=totals.discount,
            tax_total=totals.tax,
            total=totals.total,
            cost_total=totals.cost,
            created_by_id=opportunity.owner_id,
            created_at=issued_at,
            sent_at=issued_at if sent else None,
            sent_by_id=opportunity.owner_id if sent else None,
            decided_at=min(end, self.now)
            if status in (Quote.Status.ACCEPTED, Quote.Status.REJECTED)
            else None,
        )
        deal.lines = lines
